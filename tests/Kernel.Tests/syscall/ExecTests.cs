#nullable enable
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using alloc.boxed;
using alloc.vec;
using goblin.elf64;
using Kernel.arch.x86_64.interrupt;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.common;
using Kernel.consts;
using Kernel.context;
using Kernel.context.context;
using Kernel.Hal;
using Kernel.syscall;
using Kernel.syscall.validate;
using Kernel.Tests.context;
using Kernel.Tests.Host;
using Kernel.Tests.memory;
using syscall.error;
using syscall.flag;
using syscall.number;
using spin;
using MemoryRegion = Kernel.context.memory.Memory;

namespace Kernel.Tests.syscall;

/// <summary>
/// syscall/process.rs exec (argument layout, `#!` lines, permissions, segment flags, TLS sizes), brk,
/// driver.rs iopl and context/memory.rs page ranges: the logic that needs no page table. The host has no
/// recursive mapping, so mapping itself is checked by the boots (make diff-boot SCENARIO=user-*).
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class ExecTests : UserMemoryHost
{
    public ExecTests() => Machine.Reset();

    private static ref Context Current(uint euid = 0)
    {
        using var contexts = ContextMod.ContextsMut();
        var r = contexts.Value.NewContext();
        ref var c = ref r.ok.Value.data;
        c.ens = SchemeNamespace.From(1);
        c.rns = SchemeNamespace.From(1);
        c.euid = euid;
        c.status = Status.Runnable;
        c.running = true;
        ContextMod.SetContextId(c.id);
        return ref c;
    }

    private static byte* User(string s)
    {
        byte* p = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(s.Length, 1), 4096);
        MarkUserPage((ulong)p);
        for (int i = 0; i < s.Length; i++) p[i] = (byte)s[i];
        return p;
    }

    private static BoxSlice Box(string s)
    {
        BoxSlice b = BoxSlice.Alloc((ulong)s.Length, 1);
        for (int i = 0; i < s.Length; i++) b.ptr[i] = (byte)s[i];
        return b;
    }

    private static string Str(BoxSlice b) => new string((sbyte*)b.ptr, 0, (int)b.len);

    [Fact]
    public void Arguments_lie_on_the_stack_as_count_then_length_and_address_pairs_strings_last_first()
    {
        BoxSlice* args = stackalloc BoxSlice[3];
        args[0] = Box("a"); args[1] = Box("bc"); args[2] = Box("def");
        ulong* stack = stackalloc ulong[16];
        ulong top = (ulong)(stack + 16);

        ulong sp = Process.PushArgs(top, args, 3, out ulong arg_size);

        Assert.Equal(6ul, arg_size);
        Assert.Equal(top - 7 * 8, sp);
        ulong* s = (ulong*)sp;
        Assert.Equal(3ul, s[0]);
        Assert.Equal(1ul, s[1]); Assert.Equal(Consts.USER_ARG_OFFSET + 5, s[2]); // "a": after "def" and "bc"
        Assert.Equal(2ul, s[3]); Assert.Equal(Consts.USER_ARG_OFFSET + 3, s[4]); // "bc": after "def"
        Assert.Equal(3ul, s[5]); Assert.Equal(Consts.USER_ARG_OFFSET + 0, s[6]); // "def": first

        byte* strings = stackalloc byte[6];
        Process.CopyArgs(strings, args, 3);
        Assert.Equal("defbca", new string((sbyte*)strings, 0, 6));
        Assert.Equal(0x40_0000_0000ul, Consts.USER_ARG_OFFSET);
    }

    [Fact]
    public void No_arguments_leave_only_the_count_and_no_string_memory()
    {
        ulong* stack = stackalloc ulong[2];
        ulong top = (ulong)(stack + 2);
        ulong sp = Process.PushArgs(top, null, 0, out ulong arg_size);
        Assert.Equal(0ul, arg_size);
        Assert.Equal(top - 8, sp);
        Assert.Equal(0ul, *(ulong*)sp);
    }

    /// <summary>Quirk U5: the interpreter line splits at every single space; two spaces make an empty argument.</summary>
    [Fact]
    public void Quirk_U5_a_script_line_splits_at_every_space()
    {
        byte* line = User("/bin/child  x y");
        Vec<BoxSlice> parts = Process.SplitScriptLine(line, 15);
        Assert.Equal(4ul, parts.Len());
        Assert.Equal("/bin/child", Str(parts[0]));
        Assert.Equal("", Str(parts[1]));
        Assert.Equal("x", Str(parts[2]));
        Assert.Equal("y", Str(parts[3]));
    }

    [Fact]
    public void Execute_permission_other_then_owner_then_group_root_always()
    {
        Assert.False(Process.MayExecute(0x1E4 /* 0o744 */, 0, 0, 1000, 1000));
        Assert.True(Process.MayExecute(0x1E4, 1000, 0, 1000, 1000));
        Assert.True(Process.MayExecute(0x008 /* 0o010 */, 0, 1000, 1000, 1000));
        Assert.False(Process.MayExecute(0x008, 0, 0, 1000, 1000));
        Assert.True(Process.MayExecute(0x001, 0, 0, 1000, 1000));
        Assert.True(Process.MayExecute(0, 5, 5, 0, 0));
    }

    [Fact]
    public void Segment_flags_are_user_no_execute_present_if_readable_and_never_writable_and_executable()
    {
        uint R = ProgramHeaderMod.PF_R, W = ProgramHeaderMod.PF_W, X = ProgramHeaderMod.PF_X;
        Assert.Equal(EntryFlags.PRESENT | EntryFlags.USER_ACCESSIBLE, Process.SegmentFlags(R | X));
        Assert.Equal(EntryFlags.PRESENT | EntryFlags.USER_ACCESSIBLE, Process.SegmentFlags(R | W | X));
        Assert.Equal(EntryFlags.PRESENT | EntryFlags.USER_ACCESSIBLE | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE, Process.SegmentFlags(R | W));
        Assert.Equal(EntryFlags.PRESENT | EntryFlags.USER_ACCESSIBLE | EntryFlags.NO_EXECUTE, Process.SegmentFlags(R));
        Assert.Equal(EntryFlags.USER_ACCESSIBLE | EntryFlags.NO_EXECUTE, Process.SegmentFlags(0));
    }

    [Fact]
    public void Tls_size_rounds_to_the_alignment_then_to_pages_the_image_at_the_end()
    {
        Process.TlsSizes(0x10, 8, out ulong size, out ulong offset);
        Assert.Equal(4096ul, size);
        Assert.Equal(4096ul - 16, offset);
        Process.TlsSizes(4097, 0, out size, out offset);
        Assert.Equal(8192ul, size);
        Assert.Equal(8192ul - 4097, offset);
        Process.TlsSizes(0x11, 0x20, out size, out offset);
        Assert.Equal(4096ul - 0x20, offset);
    }

    [Fact]
    public void Memory_pages_run_from_the_start_page_to_the_page_of_the_last_byte()
    {
        MemoryRegion m = default;
        m.start = 0x40_0000; m.size = 0;
        Assert.Null(m.Pages().Next()); // size 0 at a page start: no page
        m.start = 0x40_0123; m.size = 0x1000;
        PageIter it = m.Pages();
        Assert.Equal(0x40_0000ul, it.Next()!.Value.StartAddress().Get());
        Assert.Equal(0x40_1000ul, it.Next()!.Value.StartAddress().Get());
        Assert.Null(it.Next());
    }

    /// <summary>Quirk U3: shrinking to a size that is not page aligned unmaps the page holding the new end.</summary>
    [Fact]
    public void Quirk_U3_shrinking_unmaps_from_the_page_holding_the_new_end()
    {
        PageIter shrink = MemoryRegion.ShrinkPages(Consts.USER_HEAP_OFFSET, 0x3000, 0x1800);
        Assert.Equal(Consts.USER_HEAP_OFFSET + 0x1000, shrink.Next()!.Value.StartAddress().Get());
        Assert.Equal(Consts.USER_HEAP_OFFSET + 0x2000, shrink.Next()!.Value.StartAddress().Get());
        Assert.Null(shrink.Next());
        PageIter grow = MemoryRegion.GrowPages(Consts.USER_HEAP_OFFSET, 0x1800, 0x2001);
        Assert.Equal(Consts.USER_HEAP_OFFSET + 0x1000, grow.Next()!.Value.StartAddress().Get()); // already mapped: skipped by resize
        Assert.Equal(Consts.USER_HEAP_OFFSET + 0x2000, grow.Next()!.Value.StartAddress().Get());
        Assert.Null(grow.Next());
    }

    /// <summary>Quirk U6: brk(0) is the heap's end; below the heap ENOMEM.</summary>
    [Fact]
    public void Quirk_U6_brk_zero_is_the_heap_end_and_below_the_heap_is_ENOMEM()
    {
        ref Context c = ref Current();
        MemoryRegion m = default;
        m.start = Consts.USER_HEAP_OFFSET; m.size = 0x2000;
        m.flags = EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE;
        c.heap = Kernel.context.memory.OptionSharedMemory.Some(m.ToShared());

        Result r = Process.Brk(0);
        Assert.True(r.is_ok);
        Assert.Equal(Consts.USER_HEAP_OFFSET + 0x2000, r.ok);
        Assert.Equal(Error.ENOMEM, Process.Brk(Consts.USER_HEAP_OFFSET - 1).err.errno);
        Assert.Equal(Error.ENOMEM, Process.Brk(0x1000).err.errno);
        // a borrowed heap (a CLONE_VM child's) reads the same memory
        var borrowed = c.heap.value.Borrow();
        c.heap = Kernel.context.memory.OptionSharedMemory.Some(borrowed);
        Assert.Equal(Consts.USER_HEAP_OFFSET + 0x2000, Process.Brk(0).ok);
    }

    [Fact]
    public void Brk_without_a_heap_panics()
    {
        Current();
        var halted = Assert.Throws<KernelHalted>(() => Process.Brk(0));
        Assert.Contains("user heap not initialized", halted.Serial);
    }

    [Fact]
    public void Iopl_sets_the_iopl_bits_of_the_returning_rflags_for_root_only()
    {
        Current();
        SyscallStack stack = default;
        stack.rflags = 0x202;
        Assert.True(Driver.Iopl(3, &stack).is_ok);
        Assert.Equal(0x3202ul, stack.rflags);
        Assert.True(Driver.Iopl(1, &stack).is_ok);
        Assert.Equal(0x1202ul, stack.rflags);
        Assert.Equal(Error.EINVAL, Driver.Iopl(4, &stack).err.errno);
        Assert.Equal(0x1202ul, stack.rflags);

        KernelState.Reset();
        Current(euid: 1000);
        Assert.Equal(Error.EPERM, Driver.Iopl(3, &stack).err.errno);
        Assert.Equal(0x1202ul, stack.rflags);
    }

    private static long Call(ulong a, ulong b = 0, ulong c = 0, ulong d = 0, ulong e = 0)
    {
        SyscallStack stack = default;
        return (long)SyscallMod.Syscall(a, b, c, d, e, 0, 0, &stack);
    }

    [Fact]
    public void Execve_checks_every_argument_pointer_before_opening_anything()
    {
        Current();
        byte* path = User("initfs:/missing");
        ulong* pairs = (ulong*)User(new string('\0', 32));
        byte* arg = User("x");
        pairs[0] = (ulong)arg; pairs[1] = 1;
        pairs[2] = 0xFFFF_8000_0000_0000; pairs[3] = 4; // not a user page
        Assert.Equal(-Error.EFAULT, Call(Number.SYS_EXECVE, (ulong)path, 15, (ulong)pairs, 2));
        Assert.Equal(-Error.ENOENT, Call(Number.SYS_EXECVE, (ulong)path, 15, (ulong)pairs, 1));
        Assert.Equal(-Error.EFAULT, Call(Number.SYS_EXECVE, 0x1000, 15, (ulong)pairs, 1));
    }

    /// <summary>Quirk V1 in exec: 2^60 + 1 pairs validate as 16 bytes, and the argument loop's end pointer wraps the same way: one argument is read.</summary>
    [Fact]
    public void Quirk_V1_execve_of_two_to_the_60_plus_one_arguments_reads_one()
    {
        Current();
        byte* path = User("initfs:/missing");
        ulong* pairs = (ulong*)User(new string('\0', 32));
        byte* arg = User("x");
        pairs[0] = (ulong)arg; pairs[1] = 1;
        pairs[2] = 0xFFFF_8000_0000_0000; pairs[3] = 4; // would be EFAULT if it were read
        Assert.Equal(-Error.ENOENT, Call(Number.SYS_EXECVE, (ulong)path, 15, (ulong)pairs, (1UL << 60) + 1));
    }

    /// <summary>
    /// Quirk EXEC1: a script whose interpreter is itself ("#!env:LOOP" in env:LOOP) sends exec round its `#!` loop for
    /// good (the original hangs in the system call, heap growing); each pass drops argv[0] and puts the interpreter and
    /// the script's path first, so the list grows by one. The host stops the loop after 50 passes.
    /// </summary>
    [Fact]
    public void Quirk_EXEC1_a_script_that_is_its_own_interpreter_loops_with_one_more_argument_each_time()
    {
        Current();
        byte* name = User("env:LOOP");
        long fd = Call(Number.SYS_OPEN, (ulong)name, 8, Flag.O_CREAT | Flag.O_WRONLY);
        Assert.True(fd >= 0, $"open = {fd}");
        byte* script = User("#!env:LOOP\n");
        Assert.Equal(11, Call(Number.SYS_WRITE, (ulong)fd, (ulong)script, 11));
        Assert.Equal(0, Call(Number.SYS_CLOSE, (ulong)fd));
        ulong* pairs = (ulong*)User(new string('\0', 16));
        byte* arg = User("a0");
        pairs[0] = (ulong)arg; pairs[1] = 2;
        Process.ScriptHopsForTests = 0;
        Process.ScriptHopLimitForTests = 50;
        try
        {
            Assert.Equal(-Error.ELOOP, Call(Number.SYS_EXECVE, (ulong)name, 8, (ulong)pairs, 1));
            Assert.Equal(50ul, Process.ScriptHopsForTests);
            Assert.Equal(51ul, Process.ScriptArgsForTests); // the interpreter, then the script's path 50 times
        }
        finally
        {
            Process.ScriptHopLimitForTests = 0;
        }
    }

    [Fact]
    public void Execve_of_a_file_that_is_not_elf_says_why_and_is_ENOEXEC()
    {
        byte* path = User("/bin/init");
        ref Context c = ref Current();
        using (var cwd = c.cwd.Value.Lock())
        {
            foreach (char ch in "initfs:") cwd.Value.Push((byte)ch);
        }
        Assert.Equal(-Error.ENOEXEC, Call(Number.SYS_EXECVE, (ulong)path, 9, 0, 0));
        Assert.Equal("exec: failed to execute /bin/init: Elf: Not enough data: 5 < 64\n", Machine.Serial);
    }

    /// <summary>
    /// Quirk EXEC2, the part before the point of no return: exec's only check of a PT_LOAD segment is its address. A
    /// segment whose p_filesz (0x10_0000) is far above its p_memsz (0x10) and past the file's end passes; the refusal
    /// comes from the next segment, above 2 GiB, and names it. (What exec_noreturn then does with such a segment, maps
    /// p_memsz and copies p_filesz, needs the recursive mapping: the scenario user-filesz boots it.)
    /// </summary>
    [Fact]
    public void Quirk_EXEC2_exec_checks_only_a_segments_address_never_its_file_size_against_its_memory_size()
    {
        Current();
        byte[] elf = new byte[64 + 2 * 56];
        void U16(int at, ushort v) => BitConverter.TryWriteBytes(elf.AsSpan(at), v);
        void U32(int at, uint v) => BitConverter.TryWriteBytes(elf.AsSpan(at), v);
        void U64(int at, ulong v) => BitConverter.TryWriteBytes(elf.AsSpan(at), v);
        elf[0] = 0x7F; elf[1] = (byte)'E'; elf[2] = (byte)'L'; elf[3] = (byte)'F'; elf[4] = 2; elf[5] = 1; elf[6] = 1;
        U16(16, 2); U16(18, 0x3E); U32(20, 1); U64(24, 0x40_0078); U64(32, 64); U16(52, 64); U16(54, 56); U16(56, 2);
        void Load(int at, ulong vaddr, ulong filesz, ulong memsz)
        {
            U32(at, ProgramHeaderMod.PT_LOAD); U32(at + 4, 5); U64(at + 8, 0); U64(at + 16, vaddr); U64(at + 24, vaddr);
            U64(at + 32, filesz); U64(at + 40, memsz); U64(at + 48, 0x1000);
        }
        Load(64, 0x40_0000, 0x10_0000, 0x10);
        Load(64 + 56, 0x8000_1000, 0x10, 0x10);

        byte* name = User("env:FILESZ");
        long fd = Call(Number.SYS_OPEN, (ulong)name, 10, Flag.O_CREAT | Flag.O_WRONLY);
        Assert.True(fd >= 0, $"open = {fd}");
        byte* data = (byte*)NativeMemory.AlignedAlloc((nuint)elf.Length, 4096);
        MarkUserPage((ulong)data);
        elf.CopyTo(new Span<byte>(data, elf.Length));
        Assert.Equal(elf.Length, Call(Number.SYS_WRITE, (ulong)fd, (ulong)data, (ulong)elf.Length));
        Assert.Equal(0, Call(Number.SYS_CLOSE, (ulong)fd));

        Assert.Equal(-Error.ENOEXEC, Call(Number.SYS_EXECVE, (ulong)name, 10, 0, 0));
        Assert.Equal("exec: invalid section address 80001000\n", Machine.Serial);
    }
}
