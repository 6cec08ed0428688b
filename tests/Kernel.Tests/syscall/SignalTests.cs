#nullable enable
using System;
using System.Collections.Generic;
using alloc.boxed;
using Kernel.arch.x86_64.paging.entry;
using Kernel.common;
using Kernel.context;
using Kernel.context.context;
using Kernel.context.signal;
using Kernel.Hal;
using Kernel.syscall;
using Kernel.syscall.futex;
using Kernel.syscall.validate;
using Kernel.Tests.context;
using Kernel.Tests.Host;
using Kernel.Tests.memory;
using syscall.data;
using syscall.error;
using syscall.flag;
using Ctx = Kernel.context.context.Context;
using Switch = Kernel.context.@switch.Switch;

namespace Kernel.Tests.syscall;

/// <summary>Contexts for the process tests: made in the list, runnable, owned by CPU 0.</summary>
internal static unsafe class Contexts
{
    public static ref Ctx Make(ulong ppid, bool running, bool current = false, ulong cpu = 0)
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref Ctx c = ref r.ok.Value.data;
        c.status = Status.Runnable;
        c.ppid = ContextId.From(ppid);
        c.running = running;
        c.cpu_id.is_some = true;
        c.cpu_id.value = cpu;
        if (current)
        {
            ContextMod.SetContextId(c.id);
        }
        return ref c;
    }

    /// <summary>A kernel stack and FX area as spawn makes them (the stack pointer one word below the top).</summary>
    public static void GiveKernelStack(ref Ctx c, ulong size = 4096)
    {
        BoxSlice fx = BoxSlice.Alloc(512, 16);
        for (ulong i = 0; i < 512; i++) fx.ptr[i] = (byte)i;
        BoxSlice stack = BoxSlice.Zeroed(size);
        for (ulong i = 0; i < size; i++) stack.ptr[i] = (byte)(i * 7);
        c.kfx = fx;
        c.kstack = stack;
        c.arch.SetFx((ulong)fx.ptr);
        c.arch.SetStack((ulong)stack.ptr + size - 8);
    }

    public static ulong Receive(ref Ctx parent, ulong pid)
    {
        WaitpidKey key = default;
        key.pid.is_some = true;
        key.pid.value = ContextId.From(pid);
        Assert.True(parent.waitpid.Value.ReceiveNonblock(key, out WaitpidValue v));
        Assert.Equal(pid, v.id.Into());
        return v.status;
    }
}

/// <summary>
/// syscall/process.rs kill, sigaction and sigreturn; context/switch.rs's signal delivery and
/// restore; context/signal.rs's default actions.
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class SignalTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public SignalTests() => KernelState.Reset();

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    private ulong Used()
    {
        ulong free = 0;
        foreach (var h in heap.Holes()) free += h.Size;
        return 1024UL * 1024 - free;
    }

    private static byte[] Pending(ref Ctx c)
    {
        var l = new List<byte>();
        for (ulong i = 0; i < c.pending.Len(); i++) l.Add(c.pending[i]);
        return l.ToArray();
    }

    [Fact]
    public void Kill_queues_the_signal_and_switches_so_that_a_signal_to_itself_is_delivered()
    {
        ref Ctx me = ref Contexts.Make(0, running: true, current: true);
        int before = ContextSwitch.Switches;
        Assert.True(Process.Kill(ContextId.From(1), Flag.SIGUSR1).is_ok);
        Assert.Equal(new byte[] { (byte)Flag.SIGUSR1 }, Pending(ref me));
        // sig 0 only checks: nothing queued
        Assert.True(Process.Kill(ContextId.From(1), 0).is_ok);
        Assert.Single(Pending(ref me));
        // the switch was asked for, and found nothing else to run
        Assert.Equal(before, ContextSwitch.Switches);
    }

    [Fact]
    public void Kill_of_0x7F_and_above_is_EINVAL_no_such_context_ESRCH()
    {
        Contexts.Make(0, running: true, current: true);
        Assert.Equal(Error.EINVAL, Process.Kill(ContextId.From(1), 0x7F).err.errno);
        Assert.Equal(Error.EINVAL, Process.Kill(ContextId.From(1), 0x80).err.errno);
        Assert.Equal(Error.ESRCH, Process.Kill(ContextId.From(9999), Flag.SIGTERM).err.errno);
        // -1: every context above 2 (here none)
        Assert.Equal(Error.ESRCH, Process.Kill(ContextId.From(unchecked((ulong)-1L)), Flag.SIGTERM).err.errno);
    }

    [Fact]
    public void Kill_needs_euid_0_or_a_matching_real_uid_else_EPERM()
    {
        ref Ctx me = ref Contexts.Make(0, running: true, current: true);
        ref Ctx other = ref Contexts.Make(1, running: false, cpu: 1);
        me.ruid = 1000; me.euid = 1000;
        other.ruid = 2000; other.euid = 1000;   // only its effective id matches: not enough
        Assert.Equal(Error.EPERM, Process.Kill(ContextId.From(2), Flag.SIGTERM).err.errno);
        me.euid = 2000;                          // the sender's euid is the target's ruid
        Assert.True(Process.Kill(ContextId.From(2), Flag.SIGTERM).is_ok);
        me.euid = 1000; me.ruid = 2000;          // the sender's ruid is the target's ruid
        Assert.True(Process.Kill(ContextId.From(2), Flag.SIGINT).is_ok);
        me.euid = 0; me.ruid = 5;                // root may
        Assert.True(Process.Kill(ContextId.From(2), Flag.SIGHUP).is_ok);
        Assert.Equal(new byte[] { (byte)Flag.SIGTERM, (byte)Flag.SIGINT, (byte)Flag.SIGHUP }, Pending(ref other));
    }

    [Fact]
    public void Kill_0_is_the_callers_group_minus_pgid_a_group_and_minus_1_every_context_above_2()
    {
        ref Ctx c1 = ref Contexts.Make(0, running: true, current: true);
        ref Ctx c2 = ref Contexts.Make(1, running: false, cpu: 1);
        ref Ctx c3 = ref Contexts.Make(1, running: false, cpu: 1);
        ref Ctx c4 = ref Contexts.Make(1, running: false, cpu: 1);
        c3.pgid = ContextId.From(1);
        c4.pgid = ContextId.From(4);
        Assert.True(Process.Kill(ContextId.From(0), Flag.SIGUSR1).is_ok);      // group 1: 1 and 3
        Assert.Equal(new byte[] { (byte)Flag.SIGUSR1 }, Pending(ref c1));
        Assert.Empty(Pending(ref c2));
        Assert.Equal(new byte[] { (byte)Flag.SIGUSR1 }, Pending(ref c3));
        Assert.True(Process.Kill(ContextId.From(unchecked((ulong)-4L)), Flag.SIGUSR2).is_ok);
        Assert.Equal(new byte[] { (byte)Flag.SIGUSR2 }, Pending(ref c4));
        Assert.True(Process.Kill(ContextId.From(unchecked((ulong)-1L)), Flag.SIGHUP).is_ok); // 3 and 4, never 1 or 2
        Assert.Single(Pending(ref c1));
        Assert.Empty(Pending(ref c2));
        Assert.Equal(2, Pending(ref c3).Length);
        Assert.Equal(2, Pending(ref c4).Length);
    }

    [Fact]
    public void Sigcont_turns_a_stopped_context_into_a_blocked_one()
    {
        Contexts.Make(0, running: true, current: true);
        ref Ctx child = ref Contexts.Make(1, running: false, cpu: 1);
        child.status = Status.Stopped(Flag.SIGSTOP);
        Assert.True(Process.Kill(ContextId.From(2), Flag.SIGCONT).is_ok);
        // blocked by kill, then unblocked by the switch's update (a signal is pending)
        Assert.True(child.status.Is(Status.Runnable));
        Assert.Equal(new byte[] { (byte)Flag.SIGCONT }, Pending(ref child));
    }

    [Fact]
    public void Sigaction_takes_1_to_0x7F_returns_the_old_action_and_keeps_the_restorer()
    {
        ref Ctx me = ref Contexts.Make(0, running: true, current: true);
        SigAction act = default;
        act.sa_handler = 0x401000;
        act.sa_flags = 4;
        SigAction old = default;
        old.sa_handler = 77;
        Assert.Equal(Error.EINVAL, Process.Sigaction(0, &act, null, 0).err.errno);
        Assert.Equal(Error.EINVAL, Process.Sigaction(0x80, &act, null, 0).err.errno);
        Assert.True(Process.Sigaction(Flag.SIGUSR1, &act, &old, 0x402000).is_ok);
        Assert.Equal(Flag.SIG_DFL, old.sa_handler);
        Assert.True(Process.Sigaction(0x7F, null, &old, 0).is_ok);
        Assert.True(Process.Sigaction(Flag.SIGUSR1, null, &old, 0).is_ok);
        Assert.Equal(0x401000UL, old.sa_handler);
        Assert.Equal(4UL, old.sa_flags);
        Assert.Equal(0x402000UL, me.actions.Value.data[Flag.SIGUSR1].restorer);
    }

    [Fact]
    public void The_switch_delivers_a_pending_signal_through_the_wrapper_with_copies_of_the_kernel_state()
    {
        Contexts.Make(0, running: true, current: true);
        ref Ctx to = ref Contexts.Make(1, running: false);
        Contexts.GiveKernelStack(ref to);
        to.pending.PushBack((byte)Flag.SIGUSR1);
        to.pending.PushBack((byte)Flag.SIGUSR2);
        ulong rsp = to.arch.rsp;
        ulong used = Used();

        Assert.True(Switch.Run());

        Assert.True(to.ksig.is_some);
        Assert.Equal(rsp, to.ksig.arch.rsp);
        Assert.NotEqual((ulong)to.kstack.ptr, (ulong)to.ksig.kstack.ptr);
        Assert.Equal(to.kstack.len, to.ksig.kstack.len);
        Assert.Equal(to.kfx.ptr[100], to.ksig.kfx.ptr[100]);
        Assert.Equal(to.kstack.ptr[4000], to.ksig.kstack.ptr[4000]);
        // the copies: 512 + the stack
        Assert.Equal(512UL + 4096, Used() - used);
        // signal_stack: sig, the handler, the wrapper
        Assert.Equal(rsp - 24, to.arch.rsp);
        Assert.Equal(ContextSwitch.SIGNAL_WRAPPER, *(ulong*)to.arch.rsp);
        Assert.Equal(Signal.HandlerAddress, *(ulong*)(to.arch.rsp + 8));
        Assert.Equal(Flag.SIGUSR1, *(ulong*)(to.arch.rsp + 16));
        Assert.Equal(new byte[] { (byte)Flag.SIGUSR2 }, Pending(ref to));
    }

    [Fact]
    public void No_second_signal_is_taken_while_one_is_handled_and_sigreturns_restore_comes_from_another_context()
    {
        ref Ctx me = ref Contexts.Make(0, running: true, current: true);
        ref Ctx to = ref Contexts.Make(1, running: false);
        Contexts.GiveKernelStack(ref to);
        Kernel.context.arch.Context saved = to.arch;
        to.pending.PushBack((byte)Flag.SIGUSR1);
        ulong used = Used();
        Assert.True(Switch.Run());                 // delivered: ksig holds the state before it
        ContextMod.SetContextId(to.id);
        to.pending.PushBack((byte)Flag.SIGUSR2);
        to.kstack.ptr[4000] = 0xEE;                // the handler ran on the kernel stack

        // sigreturn: the context blocks with ksig_restore; it is still running, so nothing is restored yet
        Assert.Throws<KernelHalted>(() => Process.Sigreturn());
        Assert.True(to.ksig_restore);
        Assert.True(to.ksig.is_some);

        // another context's switch restores it and unblocks it; the pending SIGUSR2 is then taken
        to.running = false;
        me.running = true;
        ContextMod.SetContextId(me.id);
        Assert.True(Switch.Run());
        Assert.False(to.ksig_restore);
        Assert.Equal(unchecked((byte)(4000 * 7)), to.kstack.ptr[4000]);
        Assert.Equal(saved.rsp - 24, to.arch.rsp);            // restored, then SIGUSR2's frame pushed
        Assert.Equal(Flag.SIGUSR2, *(ulong*)(to.arch.rsp + 16));
        Assert.True(to.status.Is(Status.Runnable));
        Assert.Equal(512UL + 4096, Used() - used);           // the first copies freed, the second ones held
    }

    [Fact]
    public void Default_action_stop_prints_stop_and_tells_the_parent_0x7f_with_the_signal_and_continue_0xffff()
    {
        ref Ctx parent = ref Contexts.Make(0, running: false, cpu: 1); // never switched to here
        ref Ctx child = ref Contexts.Make(1, running: true, current: true);
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => Signal.Handle(Flag.SIGSTOP)); // then sigreturn's unreachable on the host
        Assert.StartsWith("Stop 19\nPANIC: internal error: entered unreachable code", e.Serial);
        Assert.True(child.status.Is(Status.Stopped(Flag.SIGSTOP)) || child.status.Is(Status.Blocked)); // sigreturn blocks it
        Assert.Equal(0x137FUL, Contexts.Receive(ref parent, 2));

        child.status = Status.Runnable;
        Assert.Throws<KernelHalted>(() => Signal.Handle(Flag.SIGCONT));
        Assert.Equal(0xFFFFUL, Contexts.Receive(ref parent, 2));
    }

    [Fact]
    public void Default_action_of_sigchld_and_sig_ign_is_nothing_but_sigreturn()
    {
        Contexts.Make(0, running: false, cpu: 1);
        ref Ctx child = ref Contexts.Make(1, running: true, current: true);
        Assert.Throws<KernelHalted>(() => Signal.Handle(Flag.SIGCHLD));
        Assert.True(child.ksig_restore);
        Assert.True(child.status.Is(Status.Blocked));

        child.ksig_restore = false;
        child.status = Status.Runnable;
        child.actions.Value.data[Flag.SIGUSR2].action.sa_handler = Flag.SIG_IGN;
        Assert.Throws<KernelHalted>(() => Signal.Handle(Flag.SIGUSR2));
        Assert.True(child.ksig_restore);
        Assert.True(child.status.Is(Status.Blocked));
    }

    [Theory]
    [InlineData(15UL)]
    [InlineData(9UL)]
    [InlineData(10UL)]
    public void Every_other_default_action_exits_with_the_signal_number_as_the_status(ulong sig)
    {
        ref Ctx parent = ref Contexts.Make(0, running: false);
        ref Ctx child = ref Contexts.Make(1, running: true, current: true);
        var e = Assert.Throws<KernelHalted>(() => Signal.Handle(sig)); // exit's unreachable on the host
        Assert.Contains("internal error: entered unreachable code", e.Serial);
        Assert.True(child.status.Is(Status.Exited(sig)));
        Assert.Equal(sig, Contexts.Receive(ref parent, 2));
    }

    private static void SendTo(ref Ctx parent, ulong pid, ulong pgid, ulong status)
    {
        WaitpidKey key = default;
        key.pid.is_some = true;
        key.pid.value = ContextId.From(pid);
        key.pgid.is_some = true;
        key.pgid.value = ContextId.From(pgid);
        WaitpidValue v;
        v.id = ContextId.From(pid);
        v.status = status;
        parent.waitpid.Value.Send(key, v);
    }

    [Fact]
    public void Waitpid_gives_a_stop_only_with_wuntraced_and_a_continue_only_with_wcontinued_without_reaping()
    {
        ref Ctx parent = ref Contexts.Make(0, running: true, current: true);
        Contexts.Make(1, running: false, cpu: 1);
        ulong status = 0;
        SendTo(ref parent, 2, 2, 0x137F);
        // without WUNTRACED the stop is taken and dropped: nothing else is there, so WNOHANG's 0
        Assert.Equal(0UL, Process.Waitpid(ContextId.From(2), &status, Flag.WNOHANG).ok.Into());
        Assert.Equal(0UL, status);
        SendTo(ref parent, 2, 2, 0x137F);
        Assert.Equal(2UL, Process.Waitpid(ContextId.From(2), &status, Flag.WNOHANG | Flag.WUNTRACED).ok.Into());
        Assert.Equal(0x137FUL, status);
        SendTo(ref parent, 2, 2, 0xFFFF);
        Assert.Equal(0UL, Process.Waitpid(ContextId.From(0), &status, Flag.WNOHANG | Flag.WUNTRACED).ok.Into());
        SendTo(ref parent, 2, 2, 0xFFFF);
        Assert.Equal(2UL, Process.Waitpid(ContextId.From(0), &status, Flag.WNOHANG | Flag.WCONTINUED).ok.Into());
        Assert.Equal(0xFFFFUL, status);
        using var contexts = ContextMod.Contexts();
        Assert.Equal(2UL, contexts.Value.Len()); // never reaped
    }

    [Fact]
    public void Waitpid_of_minus_pgid_takes_a_child_of_that_group_only()
    {
        ref Ctx parent = ref Contexts.Make(0, running: true, current: true);
        ref Ctx c2 = ref Contexts.Make(1, running: false, cpu: 1);
        ref Ctx c3 = ref Contexts.Make(1, running: false, cpu: 1);
        c2.status = Status.Exited(0x100);
        c3.status = Status.Exited(0x300);
        SendTo(ref parent, 2, 2, 0x100);
        SendTo(ref parent, 3, 7, 0x300);
        ulong status = 0;
        Assert.Equal(0UL, Process.Waitpid(ContextId.From(unchecked((ulong)-5L)), &status, Flag.WNOHANG).ok.Into());
        var r = Process.Waitpid(ContextId.From(unchecked((ulong)-7L)), &status, Flag.WNOHANG);
        Assert.Equal(3UL, r.ok.Into());
        Assert.Equal(0x300UL, status);
        using var contexts = ContextMod.Contexts();
        Assert.True(contexts.Value.Get(ContextId.From(3)) == null); // reaped
        Assert.False(contexts.Value.Get(ContextId.From(2)) == null);
    }

    [Fact]
    public void Ksignal_prints_the_signal_cpu_pid_and_name_then_exits_with_the_signal()
    {
        ref Ctx parent = ref Contexts.Make(0, running: false);
        ref Ctx child = ref Contexts.Make(1, running: true, current: true);
        byte* name = stackalloc byte[16];
        string s = "initfs:/bin/f";
        for (int i = 0; i < s.Length; i++) name[i] = (byte)s[i];
        child.name.Value.data = BoxSlice.From(name, (ulong)s.Length);
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => Lib.KSignal(Flag.SIGSEGV));
        Assert.StartsWith("SIGNAL 11, CPU 0, PID ContextId(2)\nNAME initfs:/bin/f\n", e.Serial);
        Assert.Equal(11UL, Contexts.Receive(ref parent, 2));
    }

    [Fact]
    public void Ksignal_outside_of_any_context_panics_in_exit()
    {
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => Lib.KSignal(Flag.SIGILL));
        Assert.StartsWith("SIGNAL 4, CPU 0, PID ContextId(0)\n", e.Serial);
        Assert.Contains("exit failed to find context: No such process", e.Serial);
    }
}

/// <summary>syscall/futex.rs: wait, wake, requeue and the bad op, on the host kernel heap.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class FutexTests : UserMemoryHost
{
    private static T* User<T>() where T : unmanaged
    {
        T* p = (T*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(4096, 4096);
        *p = default;
        MarkUserPage((ulong)p);
        return p;
    }

    /// <summary>Context <paramref name="id"/> waits on <paramref name="addr"/> (it becomes the current one for the call).</summary>
    private static void WaitAs(ulong id, int* addr, int val)
    {
        ContextMod.SetContextId(ContextId.From(id));
        Assert.Equal(0UL, Futex.Call(addr, Flag.FUTEX_WAIT, val, 0, null).ok);
    }

    private static ulong[] Queue()
    {
        using var futexes = Futex.Futexes();
        var l = new List<ulong>();
        for (ulong i = 0; i < futexes.Value.Len(); i++)
        {
            var e = futexes.Value[i];
            l.Add(e.context.Value.data.id.Into());
        }
        return l.ToArray();
    }

    [Fact]
    public void Wait_on_a_changed_word_is_EAGAIN_and_a_bad_op_EINVAL()
    {
        Contexts.Make(0, running: true, current: true);
        int* word = User<int>();
        Assert.Equal(Error.EAGAIN, Futex.Call(word, Flag.FUTEX_WAIT, 1, 0, null).err.errno);
        Assert.Equal(Error.EINVAL, Futex.Call(word, 77, 0, 0, null).err.errno);
        Assert.Equal(0UL, Futex.Call(word, Flag.FUTEX_WAKE, 1, 0, null).ok);
        Assert.Empty(Queue());
    }

    [Fact]
    public void Wait_blocks_the_context_until_wake_unblocks_it()
    {
        ref Ctx c = ref Contexts.Make(0, running: true, current: true);
        int* word = User<int>();
        WaitAs(1, word, 0);
        Assert.True(c.status.Is(Status.Blocked));
        Assert.Equal(new ulong[] { 1 }, Queue());
        Assert.Equal(1UL, Futex.Call(word, Flag.FUTEX_WAKE, 5, 0, null).ok);
        Assert.True(c.status.Is(Status.Runnable));
        Assert.Empty(Queue());
    }

    [Fact]
    public void Wait_with_a_timeout_sets_the_wake_time_and_clears_it_after_the_switch()
    {
        ref Ctx c = ref Contexts.Make(0, running: true, current: true);
        int* word = User<int>();
        TimeSpec* ts = User<TimeSpec>();
        ts->tv_sec = 0;
        ts->tv_nsec = 10_000_000;
        Assert.Equal(0UL, Futex.Call(word, Flag.FUTEX_WAIT, 0, (ulong)ts, null).ok);
        Assert.False(c.wake.is_some);  // cleared after the switch came back
        Assert.Equal(Error.EFAULT, Futex.Call(word, Flag.FUTEX_WAIT, 0, 0x1000, null).err.errno);
    }

    [Fact]
    public void Wake_takes_waiters_out_with_swap_remove_back_so_the_last_waiter_is_woken_second()
    {
        // quirk F1: not FIFO. Waiters 1, 2, 3: WAKE 1 takes 1 and moves 3 into its place.
        ref Ctx c1 = ref Contexts.Make(0, running: true, current: true);
        ref Ctx c2 = ref Contexts.Make(1, running: false);
        ref Ctx c3 = ref Contexts.Make(1, running: false);
        int* word = User<int>();
        WaitAs(1, word, 0);
        WaitAs(2, word, 0);
        WaitAs(3, word, 0);
        Assert.Equal(new ulong[] { 1, 2, 3 }, Queue());
        Assert.Equal(1UL, Futex.Call(word, Flag.FUTEX_WAKE, 1, 0, null).ok);
        Assert.Equal(new ulong[] { 3, 2 }, Queue());
        Assert.True(c1.status.Is(Status.Runnable));
        Assert.Equal(1UL, Futex.Call(word, Flag.FUTEX_WAKE, 1, 0, null).ok);
        Assert.True(c3.status.Is(Status.Runnable));
        Assert.True(c2.status.Is(Status.Blocked));
    }

    [Fact]
    public void Requeue_wakes_val_waiters_then_moves_up_to_val2_of_the_rest_to_the_second_word()
    {
        Contexts.Make(0, running: true, current: true);
        ref Ctx c2 = ref Contexts.Make(1, running: false);
        ref Ctx c3 = ref Contexts.Make(1, running: false);
        int* word = User<int>();
        int* word2 = User<int>();
        WaitAs(2, word, 0);
        WaitAs(3, word, 0);
        Assert.Equal(0UL, Futex.Call(word, Flag.FUTEX_REQUEUE, 0, 1, word2).ok);   // none woken, one moved
        Assert.Equal(1UL, Futex.Call(word, Flag.FUTEX_WAKE, 5, 0, null).ok);
        Assert.True(c3.status.Is(Status.Runnable));                                 // 3 was still on word
        Assert.True(c2.status.Is(Status.Blocked));
        Assert.Equal(1UL, Futex.Call(word2, Flag.FUTEX_WAKE, 5, 0, null).ok);
        Assert.True(c2.status.Is(Status.Runnable));
        Assert.Equal(Error.EFAULT, Futex.Call(word, Flag.FUTEX_REQUEUE, 1, 1, (int*)0x1000).err.errno);
        Assert.Equal(Error.EINVAL, (int)(-(long)SyscallOf(word, 9)));
    }

    private static ulong SyscallOf(int* word, ulong op)
    {
        Kernel.arch.x86_64.interrupt.SyscallStack stack = default;
        return SyscallMod.Syscall(global::syscall.number.Number.SYS_FUTEX, (ulong)word, op, 0, 0, 0, 0, &stack);
    }
}
