#nullable enable
using System;
using Kernel.common;
using Kernel.context;
using Kernel.context.context;
using Kernel.syscall;
using Kernel.Tests.context;
using Kernel.Tests.memory;
using Kernel.time;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using Ctx = Kernel.context.context.Context;
using Kernel.Hal;

namespace Kernel.Tests.syscall;

/// <summary>syscall/privilege.rs, the id calls of process.rs and syscall/time.rs, on contexts of a host kernel heap.</summary>
[Collection(KernelGlobals.Name)]
public unsafe class ProcessCallTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public ProcessCallTests()
    {
        KernelState.Reset();
        TimeMod.OFFSET = default;
        TimeMod.START = default;
    }

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    /// <summary>A context (current when <paramref name="current"/>), runnable.</summary>
    private static ref Ctx Make(bool current, ulong ppid = 0)
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref Ctx c = ref r.ok.Value.data;
        c.status = Status.Runnable;
        c.ppid = ContextId.From(ppid);
        c.ens = SchemeNamespace.From(1);
        c.rns = SchemeNamespace.From(1);
        if (current)
        {
            c.running = true;
            ContextMod.SetContextId(c.id);
        }
        return ref c;
    }

    [Fact]
    public void A_user_may_swap_its_real_and_effective_ids_but_not_take_others()
    {
        ref Ctx c = ref Make(true);
        c.ruid = 1000; c.euid = 1001;
        Assert.True(Privilege.Setreuid(1001, 1000).is_ok);
        Assert.Equal((1001u, 1000u), (c.ruid, c.euid));
        Assert.Equal(Error.EPERM, Privilege.Setreuid(0, 1000).err.errno);
        Assert.True(Privilege.Setreuid(unchecked((uint)-1), 1001).is_ok); // -1 leaves the real id
        Assert.Equal((1001u, 1001u), (c.ruid, c.euid));
        Assert.Equal(1001UL, Privilege.Getuid().ok);
        Assert.Equal(1001UL, Privilege.Geteuid().ok);
    }

    /// <summary>QUIRK PRIV1: for root the "-1 leaves it unchanged" rule comes too late: -1 is stored.</summary>
    [Fact]
    public void Root_passing_minus_one_to_setreuid_sets_the_ids_to_0xFFFFFFFF()
    {
        ref Ctx c = ref Make(true);
        Assert.True(Privilege.Setreuid(unchecked((uint)-1), unchecked((uint)-1)).is_ok);
        Assert.Equal((0xFFFFFFFFu, 0xFFFFFFFFu), (c.ruid, c.euid));
        // and no longer root: the group ids now follow the user rules
        c.rgid = 5; c.egid = 6;
        Assert.Equal(Error.EPERM, Privilege.Setregid(7, 6).err.errno);
    }

    [Fact]
    public void Setrens_may_enter_capability_mode_but_never_leave_it()
    {
        ref Ctx c = ref Make(true);
        c.euid = 1000;
        Assert.Equal(Error.EPERM, Privilege.Setrens(SchemeNamespace.From(2), SchemeNamespace.From(1)).err.errno);
        Assert.True(Privilege.Setrens(SchemeNamespace.From(0), SchemeNamespace.From(0)).is_ok);
        Assert.Equal(0UL, Privilege.Getns().ok);
        Assert.Equal(0UL, Privilege.Getens().ok);
        c.euid = 0; // not even root leaves it
        Assert.Equal(Error.EPERM, Privilege.Setrens(SchemeNamespace.From(1), SchemeNamespace.From(1)).err.errno);
    }

    [Fact]
    public void Getpgid_and_setpgid_reach_the_current_context_and_its_children_only()
    {
        ref Ctx parent = ref Make(true);
        ref Ctx child = ref Make(false, ppid: parent.id.Into());
        ref Ctx other = ref Make(false);
        Assert.Equal(parent.id.Into(), Process.Getpgid(ContextId.From(0)).ok.Into());
        Assert.True(Process.Setpgid(child.id, ContextId.From(9)).is_ok);
        Assert.Equal(9UL, Process.Getpgid(child.id).ok.Into());
        Assert.True(Process.Setpgid(child.id, ContextId.From(0)).is_ok); // 0: its own group
        Assert.Equal(child.id.Into(), child.pgid.Into());
        Assert.Equal(Error.ESRCH, Process.Setpgid(other.id, ContextId.From(1)).err.errno);
        Assert.Equal(Error.ESRCH, Process.Getpgid(ContextId.From(99)).errno);
        Assert.Equal(0UL, Process.Getppid().ok.Into());
    }

    [Fact]
    public void Clock_gettime_adds_the_up_time_to_the_start_time_carrying_nanoseconds()
    {
        Make(true);
        TimeMod.START = new Mutex<Time>(Time.Of(1_500_000_000, 900_000_000));
        for (int i = 0; i < 100; i++) TimeMod.Advance(2_250_286); // 100 PIT ticks
        TimeSpec t;
        Assert.True(TimeCalls.ClockGettime(Flag.CLOCK_MONOTONIC, &t).is_ok);
        Assert.Equal((0L, 225_028_600), (t.tv_sec, t.tv_nsec));
        Assert.True(TimeCalls.ClockGettime(Flag.CLOCK_REALTIME, &t).is_ok);
        Assert.Equal((1_500_000_001L, 125_028_600), (t.tv_sec, t.tv_nsec));
        Assert.Equal(Error.EINVAL, TimeCalls.ClockGettime(2, &t).err.errno);
    }

    [Fact]
    public void Nanosleep_blocks_until_the_switch_sees_the_wake_time_pass()
    {
        ref Ctx me = ref Make(true);
        TimeSpec req = default;
        req.tv_nsec = 5_000_000;
        TimeSpec rem;
        rem.tv_sec = 3; rem.tv_nsec = 4;
        Assert.True(TimeCalls.Nanosleep(&req, &rem).is_ok);
        Assert.Equal((0L, 0), (rem.tv_sec, rem.tv_nsec)); // always zeroed
        Assert.True(me.status.Is(Status.Blocked)); // no other context: the switch came straight back
        Assert.True(me.wake.is_some);
        Assert.Equal((0UL, 5_000_000UL), (me.wake.secs, me.wake.nanos));

        TimeMod.Advance(2_250_286);
        TimeCalls.SchedYield();
        Assert.True(me.status.Is(Status.Blocked)); // 2.25 ms: not yet
        TimeMod.Advance(2_250_286);
        TimeMod.Advance(2_250_286);
        TimeCalls.SchedYield();
        Assert.True(me.status.Is(Status.Runnable)); // 6.75 ms: woken by the switch's update
        Assert.False(me.wake.is_some);
    }
}

/// <summary>syscall/process.rs exit, waitpid and reap between a parent and its children (contexts without user memory).</summary>
[Collection(KernelGlobals.Name)]
public unsafe class ExitWaitpidTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public ExitWaitpidTests() => KernelState.Reset();

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    private static ref Ctx Make(ulong ppid, bool running)
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref Ctx c = ref r.ok.Value.data;
        c.status = Status.Runnable;
        c.ppid = ContextId.From(ppid);
        c.running = running;
        c.cpu_id.is_some = true;
        return ref c;
    }

    /// <summary>exit from the context <paramref name="id"/>: on the host the switch comes straight back, so it ends in the original's unreachable!().</summary>
    private static void ExitFrom(ulong id, ulong status)
    {
        // as on one CPU: only the exiting context is running
        using (var contexts = ContextMod.Contexts())
        {
            for (ulong i = 0; i < contexts.Value.Len(); i++)
            {
                var entry = contexts.Value.At(i);
                entry->value.Value.data.running = entry->key.Into() == id;
            }
        }
        ContextMod.SetContextId(ContextId.From(id));
        var e = Assert.Throws<KernelHalted>(() => Process.Exit(status));
        Assert.Contains("internal error: entered unreachable code", e.Serial);
    }

    [Fact]
    public void A_childs_exit_status_reaches_its_parents_waitpid_which_reaps_it()
    {
        ref Ctx parent = ref Make(0, running: false);
        ref Ctx child = ref Make(1, running: true);
        ContextMod.SetContextId(ContextId.From(1));
        Assert.Equal(0UL, Process.Waitpid(ContextId.From(2), null, Flag.WNOHANG).ok.Into()); // not yet

        ExitFrom(2, 3 << 8);
        Assert.Equal(Status.EXITED, child.status.tag);
        Assert.Equal(1UL, ContextMod.ContextId().Into()); // the switch went back to the parent

        ulong status = 0;
        var r = Process.Waitpid(ContextId.From(2), &status, 0);
        Assert.True(r.is_ok);
        Assert.Equal(2UL, r.ok.Into());
        Assert.Equal(3UL << 8, status);
        using var contexts = ContextMod.Contexts();
        Assert.Equal(1UL, contexts.Value.Len()); // reaped
        Assert.True(contexts.Value.Get(ContextId.From(2)) == null);
    }

    [Fact]
    public void Waitpid_for_any_child_takes_the_smallest_pid_sent()
    {
        Make(0, running: false);
        Make(1, running: true);
        Make(1, running: false);
        ExitFrom(3, 7 << 8);
        ExitFrom(2, 5 << 8);
        ContextMod.SetContextId(ContextId.From(1));
        ulong status = 0;
        Assert.Equal(2UL, Process.Waitpid(ContextId.From(0), &status, 0).ok.Into());
        Assert.Equal(5UL << 8, status);
        Assert.Equal(3UL, Process.Waitpid(ContextId.From(0), &status, Flag.WNOHANG).ok.Into());
        Assert.Equal(7UL << 8, status);
        Assert.Equal(0UL, Process.Waitpid(ContextId.From(0), &status, Flag.WNOHANG).ok.Into());
    }

    [Fact]
    public void An_exiting_parent_hands_its_children_to_its_own_parent()
    {
        Make(0, running: false);            // 1
        Make(1, running: true);             // 2, exits
        ref Ctx grandchild = ref Make(2, running: false); // 3
        ExitFrom(2, 0);
        Assert.Equal(1UL, grandchild.ppid.Into());
    }

    [Fact]
    public void Waitpid_for_no_such_context_is_ECHILD_and_a_non_child_is_adopted_with_the_originals_message()
    {
        Make(0, running: true);
        Make(0, running: false);
        ContextMod.SetContextId(ContextId.From(1));
        Assert.Equal(Error.ECHILD, Process.Waitpid(ContextId.From(9), null, Flag.WNOHANG).errno);
        Kernel.Hal.Machine.Reset();
        Assert.Equal(0UL, Process.Waitpid(ContextId.From(2), null, Flag.WNOHANG).ok.Into());
        Assert.Equal("Hack for rustc - changing ppid of 2 from 0 to 1\n", Kernel.Hal.Machine.Serial);
    }

    [Fact]
    public void Exit_closes_the_files_it_holds_last()
    {
        Make(0, running: false);
        ref Ctx child = ref Make(1, running: true);
        ContextMod.SetContextId(ContextId.From(2));
        child.ens = SchemeNamespace.From(1);
        using (var s = Kernel.scheme.SchemeList.Schemes()) { } // the schemes exist (pipe:'s id is set), as after userspace_init's chdir
        ulong* fds = stackalloc ulong[2];
        Assert.True(Fs.Pipe2(fds, 2, 0).is_ok);
        ExitFrom(2, 0);
        Assert.Equal(0UL, child.files.Value.data.Len()); // a new empty table
        // the pipe's both ends were closed in pipe:
        Assert.Equal(Error.EBADF, Kernel.scheme.pipe.PipeScheme.Write(1, null, 0).err.errno); // pipe: ids 0 and 1
    }
}
