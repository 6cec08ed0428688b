using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Observe.Map;
using Harness.Scenarios;
using Harness.Trace;
using Harness.Unicorn.Native;

namespace Harness.Unicorn;

/// <summary>How one in-process boot ended.</summary>
public static class UnicornHow
{
    /// <summary>The stop point (a checkpoint, <c>heap_done</c> by default) was reached and recorded.</summary>
    public const string Stop = "stop";

    /// <summary>The panic handler was reached (then the kernel was left to print its panic until it halted).</summary>
    public const string Panic = "panic";

    /// <summary>The kernel wrote isa-debug-exit (port 0xF4).</summary>
    public const string Exit = "qemu-exit";

    /// <summary>A <c>hlt</c> with nothing to wake it (interrupts are never delivered here).</summary>
    public const string Halt = "halt";

    /// <summary>A CPU exception (Unicorn does not deliver them to the guest's IDT): vector and RIP in the detail.</summary>
    public const string Exception = "exception";

    /// <summary>The run went past its time limit (an endless loop).</summary>
    public const string Timeout = "timeout";

    /// <summary>Unicorn stopped with an error (an access the guest tables do not map, an invalid instruction, …).</summary>
    public const string Error = "error";

    /// <summary>A boot the runner cannot emulate faithfully. The soft MMU of old (aliases in one address space) had such cases; with real paging (LibraryPatches) none is known: kept for the fuzzer's figures.</summary>
    public const string Unsupported = "unsupported";
}

/// <summary>One in-process boot: its trace (in memory) and how it ended.</summary>
public sealed record UnicornRun
{
    public required Trace.Trace Trace { get; init; }

    public required string How { get; init; }

    public string? Detail { get; init; }

    /// <summary>Ended where a boot may end: the stop point, a panic, a clean exit.</summary>
    public bool Complete => How is UnicornHow.Stop or UnicornHow.Panic or UnicornHow.Exit;

    public required byte[] Serial { get; init; }

    public required TimeSpan Wall { get; init; }

    public int EmuStarts { get; init; }
}

/// <summary>What a run needs beyond the machine: the scenario's name, the E820 map, where to stop.</summary>
public sealed record UnicornRunOptions
{
    public required string Scenario { get; init; }

    /// <summary>The map the loader stores at 0x500 (the BIOS's from the firmware capture, or the scenario's explicit one).</summary>
    public required IReadOnlyList<E820Area> E820 { get; init; }

    /// <summary>The checkpoint to stop at (recorded, then the run ends). Null: run to a halt, exit or the time limit.</summary>
    public string? StopAt { get; init; } = "heap_done";

    /// <summary>Past this the run is stopped (<see cref="UnicornHow.Timeout"/>). A boot to heap_done takes milliseconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Record page tables, descriptors and allocator state at checkpoints (false: events, serial and outcome only, faster).</summary>
    public bool CheckpointState { get; init; } = true;

    /// <summary>With <see cref="CheckpointState"/>: also the page tables and descriptor tables (false: only the frame allocator and heap, faster).</summary>
    public bool TablesAndDescriptors { get; init; } = true;
}

/// <summary>
/// One Unicorn engine set up for one kernel and one machine (firmware capture, kernel slot, environment):
/// the loader's state in guest memory, hooks at the observation map's addresses, and the soft MMU
/// (<see cref="GuestMemory"/>). <see cref="Run"/> boots from the entry with a given E820 map; the engine is
/// reused from run to run (memory back to the baseline, CPU context restored). Not thread-safe: one per thread.
/// </summary>
public sealed unsafe class UnicornMachine : IDisposable
{
    private const int RoleEntry = 1, RoleCheckpoint = 2, RolePanic = 4, RoleAllocEntry = 8, RoleAllocReturn = 16, RoleFreeEntry = 32,
        RoleFreeReturn = 64, RoleHeapExtend = 128, RoleHeapMap = 256, RolePat = 512;

    private readonly UnicornKernel _kernel;
    private readonly nint _uc;
    private readonly GCHandle _self;
    private readonly GuestMemory _memory;
    private readonly Timer _watchdog;
    private readonly nint _context;
    private readonly Dictionary<ulong, int> _roles = [];
    private readonly Dictionary<ulong, List<string>> _checkpointsAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<FrameAllocSpec>> _allocAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<FrameFreeSpec>> _freeAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<HeapExtendSpec>> _extendAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<HeapMapSpec>> _mapAt = [];
    private readonly HashSet<string> _unseenFreeCallers;
    private readonly int[] _allocCountReg = [];
    private readonly ulong _startRip = BootImage.StubAddress;
    private readonly ulong _initialRsp = BootImage.BootStack;

    private readonly (ulong Pa, ulong FileOffset, int Size)[] _text;

    // per run
    private RunState? _run;
    private bool _disposed;

    public UnicornMachine(UnicornKernel kernel, Firmware firmware, ulong? kernelSlot, byte[] environment)
    {
        _kernel = kernel;
        _unseenFreeCallers = kernel.Map.FrameFree.SelectMany(f => f.Spec.UnseenCallers).ToHashSet();
        LibraryPatches.Require();
        _text = kernel.Elf.Sections
            .Where(s => s.IsAllocated && !s.IsNoBits && s.Flags.HasFlag(Harness.Elf.ElfSectionFlags.Execute) && s.Address >= BootImage.KernelOffset)
            .Select(s => (BootImage.KernelBase + s.Offset, s.Offset, (int)s.Size)).ToArray();
        UnicornException.Check(Uc.Open(Uc.ArchX86, Uc.Mode64, out _uc), "uc_open(x86, 64-bit)");
        _self = GCHandle.Alloc(this);
        _memory = new GuestMemory(_uc, () => (ReadReg(X86Reg.Cr0), ReadReg(X86Reg.Cr3)));
        _watchdog = new Timer(_ =>
        {
            if (_run is { } run)
            {
                run.TimedOut = true;
                Uc.EmuStop(_uc);
            }
        });
        BootImage.Write(_memory, kernel.File, kernelSlot, environment, firmware);
        BootImage.WriteE820(_memory, []);
        _memory.SaveBaseline();
        Firmware = firmware;
        KernelSlot = kernelSlot;
        Environment = environment;

        // CPU: long mode with the loader's tables, GDT and IDT (the real-mode table), EFER with NXE.
        WriteReg(X86Reg.Cr3, BootImage.Pml4);
        WriteReg(X86Reg.Cr4, BootImage.Cr4);
        WriteReg(X86Reg.Cr0, BootImage.Cr0);
        WriteMmr(X86Reg.Gdtr, new X86Mmr { Base = BootImage.GdtAddress, Limit = 0x19 });
        WriteMmr(X86Reg.Idtr, new X86Mmr { Base = 0, Limit = 0x3FF });
        // TR as the CPU's reset leaves it (and the loader does not change): a busy 64-bit TSS type, limit 0xFFFF.
        WriteMmr(X86Reg.Tr, new X86Mmr { Selector = 0, Base = 0, Limit = 0xFFFF, Flags = 0x8B00 });
        WriteReg(X86Reg.Rsp, _initialRsp);
        WriteReg(X86Reg.Rip, _startRip);
        UnicornException.Check(Uc.ContextAlloc(_uc, out _context), "uc_context_alloc");
        SetEferThroughContext(BootImage.Efer);
        UnicornException.Check(Uc.ContextSave(_uc, _context), "uc_context_save");

        AddHooks();
    }

    public UnicornKernel Kernel => _kernel;

    public Firmware Firmware { get; }

    public ulong? KernelSlot { get; }

    public byte[] Environment { get; }

    /// <summary>Runs done on this engine.</summary>
    public int Runs { get; private set; }

    /// <summary>The soft MMU's work so far: physical chunks mapped, aliases mapped and dropped (each one a change of Unicorn's memory map).</summary>
    public (long Chunks, long Translations) MemoryCounters => (_memory.ChunksMapped, _memory.Translations);

    /// <summary>Times the translation cache was dropped after a run (see <see cref="Run"/>).</summary>
    public int TranslationFlushes { get; private set; }

    /// <summary>The kernel's executable sections in guest memory still hold the file's bytes.</summary>
    private bool TextIntact()
    {
        foreach (var (pa, offset, size) in _text)
        {
            var host = _memory.HostIfPresent(pa);
            if (host == null || pa + (ulong)size > GuestMemory.LowLimit) return false; // the low reservation is contiguous
            if (!new ReadOnlySpan<byte>(host, size).SequenceEqual(_kernel.File.AsSpan((int)offset, size))) return false;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // Setup

    /// <summary>
    /// Unicorn 2.0.1's emulated CPUID lacks NX, so <c>wrmsr</c> (and uc_reg_write of the MSR) drops EFER.NXE, and
    /// without it every page-table entry with bit 63 faults. The CPU context is a copy of the CPU state: the EFER
    /// word is found in it (the one whose change shows in a read of the MSR), set there, and the context restored.
    /// </summary>
    private void SetEferThroughContext(ulong efer)
    {
        var current = ReadMsr(0xC000_0080);
        UnicornException.Check(Uc.ContextSave(_uc, _context), "uc_context_save");
        var size = (int)Uc.ContextSize(_uc);
        var bytes = (byte*)_context;
        for (var off = 0; off + 8 <= size; off += 4)
        {
            if (*(ulong*)(bytes + off) != current) continue;
            *(ulong*)(bytes + off) = efer;
            UnicornException.Check(Uc.ContextRestore(_uc, _context), "uc_context_restore");
            if (ReadMsr(0xC000_0080) == efer)
                return;
            *(ulong*)(bytes + off) = current;
            UnicornException.Check(Uc.ContextRestore(_uc, _context), "uc_context_restore");
        }
        throw new UnicornException($"unicorn: could not find EFER (0x{current:x}) in the CPU context to set NXE; is this libunicorn 2.0.1?");
    }

    private void AddHooks()
    {
        var map = _kernel.Map;
        void Role(ulong address, int role) => _roles[address] = _roles.GetValueOrDefault(address) | role;
        Role(map.Entry, RoleEntry);
        foreach (var cp in map.Checkpoints)
        {
            Role(cp.Address, RoleCheckpoint);
            if (!_checkpointsAt.TryGetValue(cp.Address, out var list)) _checkpointsAt[cp.Address] = list = [];
            list.Add(cp.Name);
        }
        foreach (var p in map.Panic) Role(p.Address, RolePanic);
        foreach (var a in map.FrameAlloc) { Role(a.Address, RoleAllocEntry); _allocAt.TryAdd(a.Address, a); }
        foreach (var r in _kernel.AllocReturnSites) Role(r, RoleAllocReturn);
        foreach (var f in map.FrameFree) { Role(f.Address, RoleFreeEntry); _freeAt.TryAdd(f.Address, f); }
        if (map.FrameFree.Count > 1)
            foreach (var r in _kernel.FreeReturnSites) Role(r, RoleFreeReturn);
        foreach (var x in map.HeapExtend) { Role(x.Address, RoleHeapExtend); _extendAt.TryAdd(x.Address, x); }
        foreach (var m in map.HeapMap) { Role(m.Address, RoleHeapMap); _mapAt.TryAdd(m.Address, m); }
        foreach (var w in map.PatWrites) Role(w, RolePat);

        var user = GCHandle.ToIntPtr(_self);
        foreach (var address in _roles.Keys)
            UnicornException.Check(Uc.HookAdd(_uc, out _, Uc.HookCode,
                (delegate* unmanaged<nint, ulong, uint, nint, void>)&OnCode, user, address, address), $"uc_hook_add(code 0x{address:x})");
        UnicornException.Check(Uc.HookAdd(_uc, out _, Uc.HookMemUnmapped,
            (delegate* unmanaged<nint, int, ulong, int, long, nint, byte>)&OnUnmapped, user, 1, 0), "uc_hook_add(unmapped)");
        UnicornException.Check(Uc.HookAdd(_uc, out _, Uc.HookIntr,
            (delegate* unmanaged<nint, uint, nint, void>)&OnInterrupt, user, 1, 0), "uc_hook_add(intr)");
        UnicornException.Check(Uc.HookAddInsn(_uc, out _, Uc.HookInsn,
            (delegate* unmanaged<nint, uint, int, nint, uint>)&OnIn, user, 1, 0, Uc.InsnIn), "uc_hook_add(in)");
        UnicornException.Check(Uc.HookAddInsn(_uc, out _, Uc.HookInsn,
            (delegate* unmanaged<nint, uint, int, uint, nint, void>)&OnOut, user, 1, 0, Uc.InsnOut), "uc_hook_add(out)");
    }

    // ------------------------------------------------------------------------------------------------
    // A run

    /// <summary>Boots the kernel from the loader's hand-over to the stop point (or the end) with <paramref name="options"/>' E820 map.</summary>
    public UnicornRun Run(UnicornRunOptions options)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        if (Runs > 0)
        {
            _memory.Reset();
            UnicornException.Check(Uc.ContextRestore(_uc, _context), "uc_context_restore");
        }
        // A restored context keeps Unicorn's TLB: writing CR3 flushes it.
        WriteReg(X86Reg.Cr3, BootImage.Pml4);
        BootImage.WriteE820(_memory, options.E820);
        Runs++;
        var run = _run = new RunState(options, _kernel);
        _memory.LookupFailure = null;
        var starts = 0;
        _watchdog.Change(options.Timeout, Timeout.InfiniteTimeSpan);
        try
        {
            starts++;
            GuestMemory.Emulating = _memory;
            int err;
            try
            {
                err = Uc.EmuStart(_uc, _startRip, 0, 0, 0);
            }
            finally
            {
                GuestMemory.Emulating = null;
            }
            if ((run.HookFailure ?? _memory.LookupFailure) is { } failure)
            {
                run.End(UnicornHow.Error, failure is UnicornException ? failure.Message : $"the runner failed in a hook: {failure}");
            }
            else if (run.Ended)
            {
            }
            else if (run.TimedOut)
            {
                run.End(UnicornHow.Timeout, $"no end within {options.Timeout.TotalSeconds:0.#} s (RIP 0x{ReadReg(X86Reg.Rip):x} {_kernel.Elf.Symbolize(ReadReg(X86Reg.Rip))})");
            }
            else
            {
                var rip = ReadReg(X86Reg.Rip);
                if (err != Uc.ErrOk)
                    run.End(UnicornHow.Error, $"{Uc.Describe(err)} at RIP 0x{rip:x} ({_kernel.Elf.Symbolize(rip)})");
                else
                    run.End(UnicornHow.Halt, $"hlt at 0x{rip - 1:x} ({_kernel.Elf.Symbolize(rip - 1)})");
            }
        }
        finally
        {
            _watchdog.Change(Timeout.Infinite, Timeout.Infinite);
            _run = null;
        }
        // Translated code stays from run to run. A run that ended elsewhere than a stop point, a panic or an exit may
        // have executed data that the next run changes, and a run that wrote the kernel's text (a frame handed out
        // inside the image) leaves code translated from what it wrote: the cache goes (FastStores).
        if (run.How is not (UnicornHow.Stop or UnicornHow.Panic or UnicornHow.Exit) || !TextIntact())
        {
            UnicornException.Check(Uc.Ctl(_uc, Uc.CtlTbFlush, 0), "uc_ctl(TB_FLUSH)");
            TranslationFlushes++;
        }
        return new UnicornRun
        {
            Trace = run.Build(clock.Elapsed),
            How = run.How!,
            Detail = run.Detail,
            Serial = [.. run.Serial],
            Wall = clock.Elapsed,
            EmuStarts = starts,
        };
    }


    // ------------------------------------------------------------------------------------------------
    // Hooks

    private static UnicornMachine Self(nint user) => (UnicornMachine)GCHandle.FromIntPtr(user).Target!;

    [UnmanagedCallersOnly]
    private static void OnCode(nint uc, ulong address, uint size, nint user)
    {
        var m = Self(user);
        try
        {
            m.Code(address);
        }
        catch (Exception e)
        {
            if (m._run is { } run) run.HookFailure ??= e;
            Uc.EmuStop(uc);
        }
    }

    private void Code(ulong address)
    {
        var run = _run;
        if (run is null || run.Ended) return;
        var roles = _roles[address];
        var rsp = ReadReg(X86Reg.Rsp);

        if ((roles & RoleEntry) != 0 && !run.Started)
        {
            run.Started = true;
            var argsPtr = ReadReg(X86Reg.Rdi);
            Span<ulong> args = stackalloc ulong[6];
            for (var i = 0; i < 6; i++) args[i] = _memory.ReadPhysical64(argsPtr + (ulong)i * 8);
            run.Header(argsPtr, new KernelArgs(args[0], args[1], args[2], args[3], args[4], args[5]), KernelSlot);
            Checkpoint(run, "entry");
        }
        if (!run.Started) return;
        if ((roles & (RoleAllocReturn | RoleFreeReturn)) != 0 && run.Pending is { } p && address == p.ReturnAddress && rsp == p.ReturnRsp)
        {
            run.Pending = null;
            if (p.Alloc is { } a)
            {
                var some = (ReadReg(a.TagReg) & 0xFF) != 0;
                ulong? frame = some ? ReadReg(a.FrameReg) * 4096 : null;
                run.Event(new FrameAllocEvent { Seq = 0, Phase = run.Phase, Count = p.Count, Frame = frame, Caller = p.Caller, Via = a.Via });
            }
        }
        if ((roles & RolePat) != 0 && (ReadReg(X86Reg.Rcx) & 0xFFFF_FFFF) == 0x277)
            run.Pat = (ReadReg(X86Reg.Rdx) & 0xFFFF_FFFF) << 32 | (ReadReg(X86Reg.Rax) & 0xFFFF_FFFF);
        if ((roles & RoleCheckpoint) != 0)
        {
            foreach (var name in _checkpointsAt[address])
            {
                if (run.Seen.Contains(name)) continue;
                Checkpoint(run, name);
                run.Phase = ObservationMap.PhaseAfter(name);
                if (name == run.Options.StopAt)
                {
                    run.End(UnicornHow.Stop, $"stopped at {name}");
                    Uc.EmuStop(_uc);
                    return;
                }
            }
        }
        if ((roles & RolePanic) != 0 && !run.PanicSeen)
        {
            run.PanicSeen = true;
            Checkpoint(run, "panic");
            // The rest is the kernel printing its panic: no more observation, until it halts (or the time limit).
            run.Observing = false;
        }
        if (!run.Observing) return;
        if ((roles & RoleAllocEntry) != 0 && run.Pending is null)
        {
            var spec = _allocAt[address].Spec;
            var ret = ReadVirtual64(rsp);
            run.Pending = new PendingCall(ret, rsp + 8, _kernel.Caller(ret), ReadReg(X86Reg.ByName(spec.CountRegister)),
                new AllocResult(X86Reg.ByName(spec.ResultTagRegister), X86Reg.ByName(spec.ResultFrameRegister), spec.Via));
            if (!_kernel.AllocReturnSites.Contains(ret))
                throw new UnicornException($"an allocation returns to 0x{ret:x} ({_kernel.Elf.Symbolize(ret)}), not the return site of a direct call the runner hooks");
        }
        if ((roles & RoleFreeEntry) != 0 && run.Pending is null)
        {
            var spec = _freeAt[address].Spec;
            var ret = ReadVirtual64(rsp);
            var frame = ReadReg(X86Reg.ByName(spec.FrameRegister)) * 4096;
            var count = ReadReg(X86Reg.ByName(spec.CountRegister));
            var unseen = _kernel.FunctionAt(ret) is { } from && _unseenFreeCallers.Contains(from);
            if (!unseen)
                run.Event(new FrameFreeEvent { Seq = 0, Phase = run.Phase, Frame = frame, Count = count, Caller = _kernel.Caller(ret) });
            if (_freeAt.Count > 1)
                run.Pending = new PendingCall(ret, rsp + 8, _kernel.Caller(ret), count, null);
        }
        if ((roles & RoleHeapExtend) != 0)
        {
            var ret = ReadVirtual64(rsp);
            run.Event(new HeapExtendEvent { Seq = 0, Phase = run.Phase, By = ReadReg(X86Reg.ByName(_extendAt[address].Spec.ByRegister)), Caller = _kernel.Caller(ret) });
        }
        if ((roles & RoleHeapMap) != 0)
        {
            var ret = ReadVirtual64(rsp);
            var spec = _mapAt[address].Spec;
            run.Event(new HeapMapEvent
            {
                Seq = 0, Phase = run.Phase, Offset = ReadReg(X86Reg.ByName(spec.OffsetRegister)), Size = ReadReg(X86Reg.ByName(spec.SizeRegister)),
                Caller = _kernel.Caller(ret),
            });
        }
    }

    [UnmanagedCallersOnly]
    private static byte OnUnmapped(nint uc, int type, ulong address, int size, long value, nint user)
    {
        var m = Self(user);
        try
        {
            var cr0 = m.ReadReg(X86Reg.Cr0);
            var ok = m._memory.MapOnFault(m.ReadReg(X86Reg.Cr3), address, (cr0 & 0x8000_0000) != 0);
            // An access that straddles into the next page is retried as a whole: map that page too.
            if (ok && size > 1 && ((address & 0xFFF) + (ulong)size) > 0x1000)
                ok = m._memory.MapOnFault(m.ReadReg(X86Reg.Cr3), (address | 0xFFF) + 1, (cr0 & 0x8000_0000) != 0);
            return ok ? (byte)1 : (byte)0;
        }
        catch (Exception e)
        {
            if (m._run is { } run) run.HookFailure ??= e;
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void OnInterrupt(nint uc, uint vector, nint user)
    {
        var m = Self(user);
        if (m._run is { } run && !run.Ended)
        {
            var rip = m.ReadReg(X86Reg.Rip);
            var detail = vector == 14
                ? $"page fault (#PF) at RIP 0x{rip:x} ({m._kernel.Elf.Symbolize(rip)}), CR2 0x{m.ReadReg(X86Reg.Cr2):x}"
                : $"exception {vector} at RIP 0x{rip:x} ({m._kernel.Elf.Symbolize(rip)})";
            run.End(UnicornHow.Exception, detail);
        }
        Uc.EmuStop(uc);
    }

    [UnmanagedCallersOnly]
    private static uint OnIn(nint uc, uint port, int size, nint user)
    {
        var m = Self(user);
        return port switch
        {
            0x3FD => 0x60,          // COM1 line status: transmitter empty
            >= 0x3F8 and <= 0x3FF => m._run?.Uart[(int)(port - 0x3F8)] ?? 0,
            _ => size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFF_FFFFu,
        };
    }

    [UnmanagedCallersOnly]
    private static void OnOut(nint uc, uint port, int size, uint value, nint user)
    {
        var m = Self(user);
        if (m._run is not { } run) return;
        if (port == 0x3F8 && (run.Uart[3] & 0x80) == 0)
        {
            run.Serial.Add((byte)value);
        }
        else if (port is > 0x3F8 and <= 0x3FF)
        {
            run.Uart[(int)(port - 0x3F8)] = (byte)value;
        }
        else if (port == 0xF4 && !run.Ended)
        {
            run.End(UnicornHow.Exit, $"isa-debug-exit 0x{value:x}");
            run.ExitCode = (int)value;
            Uc.EmuStop(uc);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // State at a checkpoint: read from the engine and from guest memory directly

    private void Checkpoint(RunState run, string name)
    {
        run.Seen.Add(name);
        var regs = Registers(out var cr3);
        run.CheckpointRecord(name, regs);
        if (!run.Options.CheckpointState) return;
        if (run.Options.TablesAndDescriptors)
        {
            run.State(name, PageTables(cr3) with { Pat = run.Pat });
            run.State(name, Descriptors(regs, cr3));
        }
        if (FrameAllocatorState(cr3) is { } fa) run.State(name, fa);
        if (HeapState(cr3) is { } h) run.State(name, h);
    }

    private CpuRegisters Registers(out ulong cr3)
    {
        cr3 = ReadReg(X86Reg.Cr3);
        var gdtr = ReadMmr(X86Reg.Gdtr);
        var idtr = ReadMmr(X86Reg.Idtr);
        var tr = ReadMmr(X86Reg.Tr);
        var segments = new Dictionary<string, SegmentRegister>();
        foreach (var (name, id) in new[] { ("es", X86Reg.Es), ("cs", X86Reg.Cs), ("ss", X86Reg.Ss), ("ds", X86Reg.Ds), ("fs", X86Reg.Fs), ("gs", X86Reg.Gs) })
        {
            var sel = ReadReg(id) & 0xFFFF;
            var b = name switch
            {
                "fs" => ReadReg(X86Reg.FsBase),
                "gs" => ReadReg(X86Reg.GsBase),
                _ => DescriptorBase(cr3, gdtr, sel),
            };
            segments[name] = new SegmentRegister(sel, b);
        }
        return new CpuRegisters
        {
            Cr0 = ReadReg(X86Reg.Cr0), Cr3 = cr3, Cr4 = ReadReg(X86Reg.Cr4), Efer = ReadMsr(0xC000_0080),
            Gdtr = new TableRegister(gdtr.Base, gdtr.Limit),
            Idtr = new TableRegister(idtr.Base, idtr.Limit),
            Tr = new TaskRegister(tr.Selector, tr.Base, tr.Limit, tr.Flags & 0x00FF_FF00),
            Segments = segments,
        };
    }

    /// <summary>The base a data or code segment register got when its selector was loaded (its GDT descriptor's; 0 for the null selector).</summary>
    private ulong DescriptorBase(ulong cr3, X86Mmr gdtr, ulong selector)
    {
        if ((selector & ~7UL) == 0 || (selector & ~7UL) + 7 > gdtr.Limit) return 0;
        Span<byte> d = stackalloc byte[8];
        if (!_memory.ReadVirtual(cr3, gdtr.Base + (selector & ~7UL), d, out _)) return 0;
        return (ulong)d[2] | (ulong)d[3] << 8 | (ulong)d[4] << 16 | (ulong)d[7] << 24;
    }

    private PageTablesRecord PageTables(ulong cr3)
    {
        var tables = new List<PageTable>();
        Walk(cr3 & 0x000F_FFFF_FFFF_F000, 4, 0, tables);
        return new PageTablesRecord(0, "", cr3 & 0x000F_FFFF_FFFF_F000, tables);
    }

    private void Walk(ulong frame, int level, ulong va, List<PageTable> tables)
    {
        var entries = new SortedDictionary<int, ulong>();
        var host = _memory.HostIfPresent(frame);
        if (host != null)
            for (var i = 0; i < 512; i++)
            {
                var e = ((ulong*)host)[i];
                if (e != 0) entries[i] = e;
            }
        tables.Add(new PageTable(frame, level, va, entries));
        if (level == 1) return;
        var shift = 12 + 9 * (level - 1);
        foreach (var (i, e) in entries)
        {
            if ((e & 1) == 0) continue;
            if (level == 4 && i == 511) continue;
            if (level is 3 or 2 && (e & 0x80) != 0) continue;
            var childVa = va | ((ulong)i << shift);
            if (level == 4 && i >= 256) childVa |= 0xFFFF_0000_0000_0000;
            Walk(e & 0x000F_FFFF_FFFF_F000, level - 1, childVa, tables);
        }
    }

    private DescriptorsRecord Descriptors(CpuRegisters regs, ulong cr3)
    {
        byte[]? Read(ulong address, ulong length, out string? error)
        {
            var b = new byte[length];
            if (_memory.ReadVirtual(cr3, address, b, out var bad))
            {
                error = null;
                return b;
            }
            error = $"Cannot access memory at address 0x{bad:x}";
            return null;
        }
        var gdt = Read(regs.Gdtr!.Base, regs.Gdtr.Limit + 1, out var e1);
        if (gdt is null) return new DescriptorsRecord(0, "", null, null, null, e1);
        var idt = Read(regs.Idtr!.Base, regs.Idtr.Limit + 1, out var e2);
        if (idt is null) return new DescriptorsRecord(0, "", gdt, null, null, e2);
        byte[]? tss = null;
        if (regs.Tr!.Sel != 0)
        {
            tss = Read(regs.Tr.Base, Math.Min(regs.Tr.Limit + 1, 0x10000), out var e3);
            if (tss is null) return new DescriptorsRecord(0, "", gdt, idt, null, e3);
        }
        return new DescriptorsRecord(0, "", gdt, idt, tss, null);
    }

    private FrameAllocatorRecord? FrameAllocatorState(ulong cr3)
    {
        if (_kernel.Map.FrameAllocatorBase is not { } b || _kernel.Map.Map.FrameAllocator is not { } spec) return null;
        if (spec.SomeFlag is { } some && (ReadVirtual64(cr3, b + some) & 0xFF) == 0)
            return new FrameAllocatorRecord(0, "", 0, null, []);
        var next = ReadVirtual64(cr3, b + spec.NextFreeFrame) * 4096;
        var areaPtr = ReadVirtual64(cr3, b + spec.CurrentArea);
        MemoryArea? area = areaPtr == 0 ? null : new MemoryArea(ReadVirtual64(cr3, areaPtr), ReadVirtual64(cr3, areaPtr + 8));
        var len = ReadVirtual64(cr3, b + spec.RecycledLen);
        var ptr = ReadVirtual64(cr3, b + spec.RecycledPtr);
        if (len > 65536)
            throw new UnicornException($"the recycle list at 0x{b + spec.RecycledLen:x} claims {len} entries: the map's offsets are wrong for this kernel");
        var recycled = new List<FrameRange>();
        for (ulong i = 0; i < len; i++)
            recycled.Add(new FrameRange(ReadVirtual64(cr3, ptr + i * 16), ReadVirtual64(cr3, ptr + i * 16 + 8)));
        return new FrameAllocatorRecord(0, "", next, area, recycled);
    }

    private HeapRecord? HeapState(ulong cr3)
    {
        if (_kernel.Map.HeapBase is not { } b || _kernel.Map.Map.Heap is not { } spec) return null;
        var initialised = spec.SomeFlag is not { } some || (ReadVirtual64(cr3, b + some) & 0xFF) != 0;
        var bottom = ReadVirtual64(cr3, b + spec.Bottom);
        var size = ReadVirtual64(cr3, b + spec.Size);
        if (!initialised || (spec.SomeFlag is null && bottom == 0 && size == 0))
            return new HeapRecord(0, "", false, null, null, null, null, []);
        var holes = new List<HeapHole>();
        var next = ReadVirtual64(cr3, b + spec.FirstHole + spec.HoleNext);
        while (next != 0)
        {
            if (holes.Count >= 100_000)
                throw new UnicornException("the heap's hole list has more than 100000 holes (a cycle?): the map's offsets are wrong for this kernel");
            holes.Add(new HeapHole(next, ReadVirtual64(cr3, next + spec.HoleSize)));
            next = ReadVirtual64(cr3, next + spec.HoleNext);
        }
        var free = holes.Aggregate(0UL, (s, x) => s + x.Size);
        return new HeapRecord(0, "", true, bottom, size, free, size - free, holes);
    }

    // ------------------------------------------------------------------------------------------------
    // Registers and memory

    private ulong ReadVirtual64(ulong va) => _memory.ReadVirtual64(ReadReg(X86Reg.Cr3), va);

    private ulong ReadVirtual64(ulong cr3, ulong va) => _memory.ReadVirtual64(cr3, va);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadReg(int id)
    {
        ulong v = 0;
        Uc.RegRead(_uc, id, &v);
        return v;
    }

    private void WriteReg(int id, ulong value) => UnicornException.Check(Uc.RegWrite(_uc, id, &value), $"uc_reg_write({id})");

    private X86Mmr ReadMmr(int id)
    {
        X86Mmr v = default;
        UnicornException.Check(Uc.RegRead(_uc, id, &v), $"uc_reg_read({id})");
        return v;
    }

    private void WriteMmr(int id, X86Mmr value) => UnicornException.Check(Uc.RegWrite(_uc, id, &value), $"uc_reg_write({id})");

    private ulong ReadMsr(uint id)
    {
        var msr = new X86Msr { Id = id };
        UnicornException.Check(Uc.RegRead(_uc, X86Reg.Msr, &msr), $"uc_reg_read(MSR 0x{id:x})");
        return msr.Value;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Uc.ContextFree(_context);
        Uc.Close(_uc);
        _memory.Dispose();
        _self.Free();
    }

    // ------------------------------------------------------------------------------------------------

    internal sealed record AllocResult(int TagReg, int FrameReg, string? Via);

    internal sealed record PendingCall(ulong ReturnAddress, ulong ReturnRsp, string Caller, ulong Count, AllocResult? Alloc);

    /// <summary>One run's records, numbered as the trace writer numbers them, built into a <see cref="Trace.Trace"/> at the end.</summary>
    internal sealed class RunState(UnicornRunOptions options, UnicornKernel kernel)
    {
        private long _seq;
        private TraceHeader? _header;
        private readonly List<(CheckpointRecord Record, Dictionary<string, object> State)> _checkpoints = [];
        private readonly List<TraceEvent> _events = [];
        private readonly List<SerialChunk> _serial = [];
        private int _serialFlushed;

        public UnicornRunOptions Options { get; } = options;
        public List<byte> Serial { get; } = [];
        public byte[] Uart { get; } = new byte[8];
        public HashSet<string> Seen { get; } = [];
        public string Phase { get; set; } = ObservationMap.FirstPhase;
        public bool Started { get; set; }
        public bool Observing { get; set; } = true;
        public bool PanicSeen { get; set; }
        public PendingCall? Pending { get; set; }
        public ulong? Pat { get; set; }
        public bool TimedOut { get; set; }
        public Exception? HookFailure { get; set; }
        public int? ExitCode { get; set; }
        public string? How { get; private set; }
        public string? Detail { get; private set; }
        public bool Ended => How is not null;

        public void End(string how, string? detail)
        {
            if (How is not null) return;
            // A panic stays the outcome while the kernel goes on to print it and halt.
            How = PanicSeen && how is UnicornHow.Halt or UnicornHow.Timeout or UnicornHow.Exception or UnicornHow.Error ? UnicornHow.Panic : how;
            Detail = PanicSeen && How == UnicornHow.Panic ? $"panicked, then {how}: {detail}" : detail;
        }

        public void Header(ulong argsPtr, KernelArgs args, ulong? slot)
        {
            _seq++;
            _header = new TraceHeader
            {
                Format = TraceFormat.Current,
                Scenario = Options.Scenario,
                Kernel = kernel.Info,
                KernelSlot = slot,
                ArgsPtr = argsPtr,
                Args = args,
                QemuVersion = $"unicorn {UnicornInfo.Version} (in-process, harness/Unicorn)",
                QemuArgs = ["unicorn"],
                HarnessVersion = "0.1.0",
                ObservationMap = new FileIdentity(kernel.Map.Map.Path, kernel.Map.Map.Sha256),
            };
        }

        private void FlushSerial()
        {
            if (Serial.Count == _serialFlushed) return;
            _serial.Add(new SerialChunk(++_seq, Serial.GetRange(_serialFlushed, Serial.Count - _serialFlushed).ToArray()));
            _serialFlushed = Serial.Count;
        }

        public void CheckpointRecord(string name, CpuRegisters regs)
        {
            FlushSerial();
            _checkpoints.Add((new CheckpointRecord(++_seq, name, regs), []));
        }

        public void State(string name, object record)
        {
            var seq = ++_seq;
            var (key, value) = record switch
            {
                PageTablesRecord p => ("page_tables", (object)(p with { Seq = seq, Checkpoint = name })),
                DescriptorsRecord d => ("descriptors", d with { Seq = seq, Checkpoint = name }),
                FrameAllocatorRecord f => ("frame_allocator", f with { Seq = seq, Checkpoint = name }),
                HeapRecord h => ("heap", h with { Seq = seq, Checkpoint = name }),
                _ => throw new ArgumentException("not a state record", nameof(record)),
            };
            _checkpoints[^1].State[key] = value;
        }

        public void Event(TraceEvent e)
        {
            FlushSerial();
            _events.Add(e with { Seq = ++_seq });
        }

        public Trace.Trace Build(TimeSpan wall)
        {
            FlushSerial();
            var header = _header ?? new TraceHeader
            {
                Format = TraceFormat.Current, Scenario = Options.Scenario, Kernel = kernel.Info,
                QemuVersion = $"unicorn {UnicornInfo.Version} (in-process, harness/Unicorn)", HarnessVersion = "0.1.0",
            };
            var checkpoints = _checkpoints.Select((c, i) => new Checkpoint
            {
                Name = c.Record.Name,
                Seq = c.Record.Seq,
                Ordinal = i,
                Regs = c.Record.Regs,
                PageTables = c.State.GetValueOrDefault("page_tables") as PageTablesRecord,
                Descriptors = c.State.GetValueOrDefault("descriptors") as DescriptorsRecord,
                FrameAllocator = c.State.GetValueOrDefault("frame_allocator") as FrameAllocatorRecord,
                Heap = c.State.GetValueOrDefault("heap") as HeapRecord,
            }).ToList();
            var complete = How is UnicornHow.Stop or UnicornHow.Panic or UnicornHow.Exit;
            var counters = new Dictionary<string, long> { ["header"] = 1, ["checkpoint"] = checkpoints.Count, ["serial"] = _serial.Count };
            foreach (var g in _events.GroupBy(e => e.Type)) counters[g.Key] = g.Count();
            var end = new EndRecord
            {
                Seq = ++_seq,
                Complete = complete,
                How = How == UnicornHow.Stop ? $"stop:{Options.StopAt}" : How ?? "?",
                ReachedKmain = Seen.Contains("kmain"),
                LastEventSeq = _events.Count > 0 ? _events[^1].Seq : null,
                SerialTail = Encoding.Latin1.GetString(Serial.Count > 512 ? Serial.GetRange(Serial.Count - 512, 512).ToArray() : Serial.ToArray()),
                Counters = counters,
                WallSeconds = Math.Round(wall.TotalSeconds, 4),
            };
            var points = new JsonObject { ["runner"] = "unicorn", ["how"] = How, ["detail"] = Detail };
            return new Trace.Trace($"unicorn:{Options.Scenario}:{kernel.Which}", header, checkpoints, _events,
                _serial.Count == 0 ? SerialLog.None : new SerialLog(_serial, null), end, [points], [],
                complete ? null : $"the in-process run ended: {How} ({Detail})");
        }
    }
}

/// <summary>The Unicorn library in use.</summary>
public static unsafe class UnicornInfo
{
    /// <summary>"2.0.1" for Debian's libunicorn2; throws <see cref="DllNotFoundException"/> when it is not installed.</summary>
    public static string Version
    {
        get
        {
            uint major, minor;
            var v = Uc.Version(&major, &minor);
            return $"{major}.{minor}.{(v >> 8) & 0xFF}";
        }
    }

    /// <summary>Null when libunicorn.so.2 loads and is the build the runner patches, else why not (for tests that skip, and for a clear error).</summary>
    public static string? Unavailable() => LibraryPatches.Unavailable();
}
