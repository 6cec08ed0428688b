#nullable enable
using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using alloc.arc;
using alloc.btree_map;
using alloc.vec;
using Kernel.common;
using Kernel.context;
using Kernel.context.context;
using Kernel.context.file;
using Kernel.context.list;
using Kernel.Hal;
using Kernel.scheme;
using Kernel.sync.wait_map;
using Kernel.sync.wait_queue;
using Kernel.Tests.memory;
using spin;
using syscall.data;
using Ctx = Kernel.context.context.Context;
using Switch = Kernel.context.@switch.Switch;

namespace Kernel.Tests.context;

/// <summary>
/// context/: the context list, canonicalize, the file table, the choice of the next context, and
/// the shapes whose sizes decide where the kernel heap puts things (measured on the rebuilt
/// original's DWARF with gdb: `print sizeof(...)`).
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class ContextTests : IDisposable
{
    private readonly HostHeap heap = HostHeap.Install();

    public ContextTests() => KernelState.Reset();

    /// <summary>Bytes in use on the host heap (its MiB minus its holes).</summary>
    private ulong Used()
    {
        ulong free = 0;
        foreach (var h in heap.Holes()) free += h.Size;
        return 1024UL * 1024 - free;
    }

    public void Dispose()
    {
        KernelState.Reset();
        heap.Dispose();
    }

    [Fact]
    public void Shapes_have_the_rebuilt_originals_sizes()
    {
        Assert.Equal(672, sizeof(Ctx));
        Assert.Equal(696, sizeof(ArcInner<RwLock<Ctx>>));
        Assert.Equal(88, sizeof(Kernel.context.arch.Context));
        Assert.Equal(32, sizeof(FileDescriptor));
        Assert.Equal(24, sizeof(FileDescription));
        Assert.Equal(48, sizeof(ArcInner<RwLock<FileDescription>>));
        Assert.Equal(32, sizeof(ContextList));
        Assert.Equal(64, sizeof(SchemeList));
        Assert.Equal(32, sizeof(ArcInner<SchemeBox>));
        Assert.Equal(80, sizeof(ArcInner<WaitMap<WaitpidKey, WaitpidValue>>));
        Assert.Equal(88, sizeof(ArcInner<WaitQueue<Event>>));
        Assert.Equal(48, sizeof(ArcInner<Mutex<Vec<Kernel.context.memory.Grant>>>));
        Assert.Equal(40, sizeof(ArcInner<Mutex<alloc.boxed.BoxSlice>>));
        Assert.Equal(48, sizeof(ArcInner<Mutex<Vec<byte>>>));
        Assert.Equal(48, sizeof(ArcInner<Mutex<OrdMap<alloc.boxed.BoxSlice, EnvValue>>>));
        Assert.Equal(40, sizeof(SigActionEntry));
        Assert.Equal(32, sizeof(SigAction));
        Assert.Equal(24, sizeof(Kernel.context.memory.Memory));
        Assert.Equal(16, sizeof(Kernel.context.memory.SharedMemory));
        Assert.Equal(32, sizeof(Kernel.context.memory.Grant));
        Assert.Equal(48, sizeof(Kernel.context.memory.Tls));
        Assert.Equal(104, sizeof(Stat));
        Assert.Equal(40, sizeof(Kernel.scheme.debug.DebugScheme));
        Assert.Equal(64, sizeof(Kernel.scheme.initfs.InitFsScheme));
        Assert.Equal(56, sizeof(Kernel.scheme.root.RootScheme));
        Assert.Equal(40, sizeof(Kernel.scheme.@event.EventScheme));
        Assert.Equal(40, sizeof(Kernel.scheme.env.EnvScheme));
        Assert.Equal(64, sizeof(Kernel.scheme.sys.SysScheme));
        Assert.Equal(48, sizeof(Kernel.scheme.time.TimeScheme));
    }

    [Fact]
    public void The_context_maps_first_allocation_is_the_btree_leaf_of_192_bytes()
    {
        Assert.Equal(192UL, OrdMap<ContextId, Arc<RwLock<Ctx>>>.LeafSize());
    }

    [Fact]
    public void Context_new_allocates_in_the_originals_order_and_sizes()
    {
        ulong before = Used();
        Ctx c = Ctx.New(ContextId.From(7));
        // waitpid 80, grants 48, name 40, cwd 48, events 88, env 48, files 48, 128 actions 5120, their Arc 48
        Assert.Equal(80UL + 48 + 40 + 48 + 88 + 48 + 48 + 5120 + 48, Used() - before);
        Assert.Equal(7UL, c.id.Into());
        Assert.Equal(7UL, c.pgid.Into());
        Assert.True(c.status.Is(Status.Blocked));
        Assert.Equal(128UL, c.actions.Value.data.Len());
    }

    [Fact]
    public void New_context_takes_the_next_free_id_from_1()
    {
        using var contexts = ContextMod.ContextsMut();
        var a = contexts.Value.NewContext();
        var b = contexts.Value.NewContext();
        Assert.Equal(1UL, a.ok.Value.data.id.Into());
        Assert.Equal(2UL, b.ok.Value.data.id.Into());
        Assert.Equal(2UL, contexts.Value.Len());
    }

    [Fact]
    public void Spawn_puts_the_function_at_the_top_of_a_64_KiB_stack_and_the_entry_below_it()
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.Spawn(0x1234);
        Assert.True(r.is_ok);
        ref Ctx c = ref r.ok.Value.data;
        Assert.Equal(65536UL, c.kstack.len);
        Assert.Equal(512UL, c.kfx.len);
        Assert.Equal(0UL, (ulong)c.kfx.ptr % 16);
        ulong top = (ulong)c.kstack.ptr + c.kstack.len;
        Assert.Equal(0x1234UL, *(ulong*)(top - 8));
        Assert.Equal(ContextSwitch.ENTRY, *(ulong*)(top - 16));
        Assert.Equal(top - 16, c.arch.rsp);
        Assert.Equal((ulong)c.kfx.ptr, c.arch.fx);
    }

    private static string Canon(string cwd, string path)
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref Ctx c = ref r.ok.Value.data;
        using (var g = c.cwd.Value.Lock())
        {
            foreach (byte b in Encoding.ASCII.GetBytes(cwd)) g.Value.Push(b);
        }
        byte[] p = Encoding.ASCII.GetBytes(path);
        fixed (byte* pp = p)
        {
            Vec<byte> v = c.Canonicalize(pp, (ulong)p.Length);
            string s = Encoding.ASCII.GetString(v.AsPtr(), (int)v.Len());
            v.Dispose();
            return s;
        }
    }

    [Theory]
    [InlineData("initfs:", "/bin/init", "initfs:/bin/init")]
    [InlineData("", "initfs:", "initfs:")]
    [InlineData("file:/home", "docs", "file:/home/docs")]
    [InlineData("file:/home/", "docs", "file:/home/docs")]
    [InlineData("file:/home", "/etc/./passwd", "file:/etc/passwd")]
    [InlineData("file:/home/user", "../x", "file:/home/x")]
    [InlineData("file:/a", "disk:/b/../c", "disk:/c")]
    [InlineData("file:/a", "../../..", "file:")]
    public void Canonicalize_makes_paths_absolute_and_resolves_dots(string cwd, string path, string expected)
    {
        Assert.Equal(expected, Canon(cwd, path));
    }

    /// <summary>QUIRK CTX1: the ".." count is taken before empty parts are dropped, so an empty part ("//") absorbs a "..".</summary>
    [Fact]
    public void Canonicalize_an_empty_part_absorbs_a_dot_dot()
    {
        Assert.Equal("file:/a", Canon("file:/", "a//.."));
        Assert.Equal("file:/a/b", Canon("file:/", "/a/b//.."));
    }

    /// <summary>QUIRK CTX2: the scheme part is a path part like any other: ".." past the root removes it, leaving the cwd's... nothing.</summary>
    [Fact]
    public void Canonicalize_dot_dot_past_the_root_eats_the_scheme_then_falls_back_to_it()
    {
        // "file:/../.." → parts file:, "", .., ..: both ".." skip "" and "file:"; the empty result becomes "file:"
        Assert.Equal("file:", Canon("", "file:/../.."));
        // one ".." too many for "a" eats the scheme: "file:/a/../.." → "file:"
        Assert.Equal("file:", Canon("", "file:/a/../.."));
    }

    [Fact]
    public void File_table_takes_the_lowest_free_slot_and_insert_file_pads_with_empty_slots()
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref Ctx c = ref r.ok.Value.data;
        FileDescriptor Fd(ulong n)
        {
            FileDescription d = default;
            d.number = n;
            FileDescriptor f = default;
            f.description = Arc<RwLock<FileDescription>>.New(new RwLock<FileDescription>(d));
            return f;
        }
        Assert.Equal(0UL, c.AddFile(Fd(10))!.Value.Into());
        Assert.Equal(1UL, c.AddFile(Fd(11))!.Value.Into());
        Assert.Equal(5UL, c.AddFileMin(Fd(12), 5)!.Value.Into());
        Assert.Equal(6UL, c.files.Value.data.Len());
        Assert.True(c.RemoveFile(FileHandle.From(0)).HasValue);
        Assert.False(c.RemoveFile(FileHandle.From(0)).HasValue);
        Assert.Equal(0UL, c.AddFile(Fd(13))!.Value.Into());
        Assert.Equal(2UL, c.AddFile(Fd(14))!.Value.Into());
        Assert.False(c.InsertFile(FileHandle.From(5), Fd(15)).HasValue);
        Assert.False(c.GetFile(FileHandle.From(3)).HasValue);
        Assert.Equal(12UL, c.GetFile(FileHandle.From(5))!.Value.description.Value.data.number);
    }

    private static Arc<RwLock<Ctx>> Add(ref ContextList list, bool runnable, bool running = false)
    {
        var r = list.NewContext();
        ref Ctx c = ref r.ok.Value.data;
        c.status = runnable ? Status.Runnable : Status.Blocked;
        c.running = running;
        return r.ok;
    }

    [Fact]
    public void Switch_picks_the_first_runnable_context_with_a_greater_id_then_wraps_to_the_smallest()
    {
        Arc<RwLock<Ctx>> c1, c2, c3, c4;
        using (var contexts = ContextMod.ContextsMut())
        {
            c1 = Add(ref contexts.Value, true);
            c2 = Add(ref contexts.Value, true, running: true);
            c3 = Add(ref contexts.Value, false);
            c4 = Add(ref contexts.Value, true);
        }
        ContextMod.SetContextId(ContextId.From(2));
        ContextSwitch.Switches = 0;

        Assert.True(Switch.Run());
        Assert.Equal(1, ContextSwitch.Switches);
        Assert.True(ContextSwitch.LastTo == &c4.Inner->data.data.arch);
        Assert.Equal(4UL, ContextMod.ContextId().Into());
        Assert.False(c2.Value.data.running);
        Assert.True(c4.Value.data.running);
        // every context is now owned by this CPU (update takes the unowned ones)
        Assert.True(c3.Value.data.cpu_id.is_some);

        Assert.True(Switch.Run()); // from 4: nothing greater, wraps to 1
        Assert.Equal(1UL, ContextMod.ContextId().Into());
        Assert.True(Switch.Run()); // from 1: 2 is runnable again
        Assert.Equal(2UL, ContextMod.ContextId().Into());
    }

    [Fact]
    public void Switch_with_no_other_runnable_context_returns_false_and_stays()
    {
        using (var contexts = ContextMod.ContextsMut())
        {
            Add(ref contexts.Value, true, running: true);
            Add(ref contexts.Value, false);
        }
        ContextMod.SetContextId(ContextId.From(1));
        ContextSwitch.Switches = 0;
        Assert.False(Switch.Run());
        Assert.Equal(0, ContextSwitch.Switches);
        Assert.Equal(1UL, ContextMod.ContextId().Into());
    }

    [Fact]
    public void A_blocked_context_with_a_pending_signal_is_unblocked_by_the_switch()
    {
        Arc<RwLock<Ctx>> c2;
        using (var contexts = ContextMod.ContextsMut())
        {
            Add(ref contexts.Value, true, running: true);
            c2 = Add(ref contexts.Value, false);
        }
        c2.Value.data.pending.PushBack(9);
        Kernel.Tests.syscall.Contexts.GiveKernelStack(ref c2.Value.data);
        ContextMod.SetContextId(ContextId.From(1));
        // the switch unblocks it, picks it and takes its signal (delivered through the signal stack)
        Assert.True(Switch.Run());
        Assert.True(c2.Value.data.status.Is(Status.Runnable));
        Assert.True(c2.Value.data.pending.IsEmpty());
        Assert.True(c2.Value.data.ksig.is_some);
    }

    [Fact]
    public void Waitpid_keys_order_by_pid_then_pgid_and_a_set_one_is_greater()
    {
        WaitpidKey K(ulong? pid, ulong? pgid)
        {
            WaitpidKey k = default;
            if (pid.HasValue) { k.pid.is_some = true; k.pid.value = ContextId.From(pid.Value); }
            if (pgid.HasValue) { k.pgid.is_some = true; k.pgid.value = ContextId.From(pgid.Value); }
            return k;
        }
        int Cmp(WaitpidKey a, WaitpidKey b) => WaitpidKey.Cmp(&a, &b);
        Assert.True(Cmp(K(1, null), K(2, null)) < 0);
        Assert.True(Cmp(K(3, 9), K(3, 1)) == 0); // pids both set: pgid not looked at
        Assert.True(Cmp(K(null, 1), K(null, 2)) < 0);
        Assert.True(Cmp(K(5, null), K(null, 9)) > 0);
        Assert.True(Cmp(K(null, null), K(null, 1)) < 0);
        Assert.True(Cmp(K(null, null), K(null, null)) == 0);
    }

    [Fact]
    public void Wait_queue_is_first_in_first_out_and_receive_into_takes_what_is_queued()
    {
        WaitQueue<byte> q = WaitQueue<byte>.New();
        Assert.True(q.IsEmpty());
        Assert.Equal(1UL, q.Send(1));
        Assert.Equal(2UL, q.Send(2));
        q.Send(3);
        byte* buf = stackalloc byte[8];
        Assert.Equal(2UL, q.ReceiveInto(buf, 2, false));
        Assert.Equal(new byte[] { 1, 2 }, new[] { buf[0], buf[1] });
        for (byte i = 4; i < 12; i++) q.Send(i); // wraps and grows
        Assert.Equal(8UL, q.ReceiveInto(buf, 8, false));
        Assert.Equal(new byte[] { 3, 4, 5, 6, 7, 8, 9, 10 }, new ReadOnlySpan<byte>(buf, 8).ToArray());
        Assert.Equal(1UL, q.ReceiveInto(buf, 8, false));
        Assert.Equal(11, buf[0]);
        Assert.True(q.IsEmpty());
    }

    [Fact]
    public void Wait_map_hands_a_value_to_its_key_once()
    {
        WaitMap<ContextId, ulong> m = WaitMap<ContextId, ulong>.New();
        m.Send(ContextId.From(3), 30);
        m.Send(ContextId.From(1), 10);
        Assert.True(m.ReceiveNonblock(ContextId.From(3), out ulong v));
        Assert.Equal(30UL, v);
        Assert.False(m.ReceiveNonblock(ContextId.From(3), out _));
        Assert.True(m.ReceiveNonblock(ContextId.From(1), out v));
        Assert.Equal(10UL, v);
    }
}

/// <summary>
/// The port's globals the context and process code keeps (CONTEXTS, SCHEMES, the debug input queue, pipes,
/// futexes, the switch lock, PIT ticks, the clock, this thread's CPU and context ids), reset between tests.
/// </summary>
public static unsafe class KernelState
{
    public static void Reset()
    {
        Clear(typeof(ContextMod), "CONTEXTS", "CONTEXTS_INIT");
        Clear(typeof(SchemeList), "SCHEMES", "SCHEMES_INIT");
        Clear(typeof(Kernel.scheme.debug.DebugScheme), "INPUT", "INPUT_INIT");
        Clear(typeof(Kernel.scheme.pipe.PipeScheme), "PIPES", "PIPES_INIT", "PIPE_NEXT_ID");
        Clear(typeof(Kernel.context.@event.EventMod), "REGISTRY", "REGISTRY_INIT");
        Clear(typeof(Kernel.context.timeout.TimeoutMod), "REGISTRY", "REGISTRY_INIT");
        Clear(typeof(Kernel.scheme.irq.IrqScheme), "ACKS", "COUNTS");
        Kernel.scheme.pipe.PipeScheme.PIPE_SCHEME_ID = default;
        Kernel.scheme.debug.DebugScheme.DEBUG_SCHEME_ID = default;
        Kernel.scheme.irq.IrqScheme.IRQ_SCHEME_ID = default;
        Clear(typeof(Kernel.syscall.futex.Futex), "FUTEXES", "FUTEXES_INIT");
        // a test that panicked inside context::switch leaves its lock taken: the next switch would spin
        Kernel.context.arch.Context.CONTEXT_SWITCH_LOCK = 0;
        Kernel.arch.x86_64.interrupt.Irq.PIT_TICKS = default;
        Kernel.time.TimeMod.START = default;
        Kernel.time.TimeMod.OFFSET = default;
        Kernel.Hal.ContextSwitch.Switches = 0;
        Kernel.Hal.ContextSwitch.LastFrom = null;
        Kernel.Hal.ContextSwitch.LastTo = null;
        ContextMod.SetContextId(ContextId.From(0));
        // kmain_ap's tests run this thread as another CPU: contexts owned by CPU 0 would never run
        *(ulong*)Kernel.Hal.Registers.ThreadLocal(Kernel.Hal.Registers.TLS_CPU_ID) = 0;
    }

    private static void Clear(Type t, params string[] fields)
    {
        foreach (var name in fields)
        {
            var f = t.GetField(name, BindingFlags.NonPublic | BindingFlags.Static)
                ?? throw new InvalidOperationException(t.Name + "." + name + " not found");
            f.SetValue(null, f.FieldType == typeof(bool) ? false : f.FieldType == typeof(ulong) ? 0UL : Activator.CreateInstance(f.FieldType));
        }
    }
}
