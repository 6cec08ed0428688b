using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Elf;
using Harness.Gdb;
using Harness.Observe.Map;
using Harness.Qemu;
using Harness.Trace;
using GdbEndpoint = Harness.Gdb.GdbEndpoint;
using QemuGdbEndpoint = Harness.Qemu.GdbEndpoint;

namespace Harness.Observe;

/// <summary>
/// Observes one boot of a kernel from outside, through QEMU's gdb stub, and streams what it sees into a trace
/// (traces/FORMAT.md): QEMU starts paused; a hardware breakpoint at the entry (<c>kstart</c>) catches the kernel
/// once the loader has copied it; there the header (KernelArgs from RDI) is written and the software breakpoints
/// are placed (checkpoints, panic, frame allocator and heap entry points). Every checkpoint records registers,
/// page tables, descriptor tables, frame allocator and heap state; every outermost frame allocation is caught at
/// its entry (count, caller) and at its return address (result). The serial log streams in as it comes.
/// </summary>
public static class KernelObserver
{
    /// <summary>Boots and observes <paramref name="request"/>'s kernel; never throws for a boot that fails (the result says how), only for bad input.</summary>
    /// <exception cref="ObservationMapException">The map does not fit the kernel (a required symbol is missing: the message names it and the ELF).</exception>
    /// <exception cref="ElfException">The kernel file is not a usable ELF.</exception>
    /// <exception cref="ArgumentException">The QEMU options name no gdb stub.</exception>
    public static async Task<ObservationResult> RunAsync(ObserveRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Qemu.Gdb is null)
            throw new ArgumentException("the observer needs QEMU's gdb stub: set QemuOptions.Gdb (a unix socket or a free loopback port)", nameof(request));
        var elf = ElfImage.Load(request.KernelPath, requireSymbols: true);
        var map = ResolvedObservationMap.Resolve(request.Map, elf);
        var session = new ObserverSession(request, elf, map);
        return await session.RunAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Converts the QEMU stage's endpoint to the gdb client's.</summary>
    public static GdbEndpoint ToClientEndpoint(QemuGdbEndpoint endpoint) => endpoint switch
    {
        QemuGdbEndpoint.Tcp t => GdbEndpoint.Tcp(t.Host, t.Port),
        QemuGdbEndpoint.UnixSocket u => GdbEndpoint.Unix(u.Path),
        _ => throw new ArgumentException($"unknown gdb endpoint {endpoint}", nameof(endpoint)),
    };
}

internal sealed class ObserverSession(ObserveRequest request, ElfImage elf, ResolvedObservationMap map)
{
    private const string HarnessVersion = "0.1.0";
    private readonly ConcurrentQueue<string> _serialLines = new();
    private readonly List<byte> _serialStreamed = [];
    private readonly Stopwatch _clock = new();
    private readonly List<string> _checkpoints = [];
    private readonly HashSet<ulong> _inserted = [];
    private readonly Dictionary<ulong, List<ResolvedCheckpoint>> _checkpointAt = [];
    private readonly HashSet<ulong> _panicAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<FrameAllocSpec>> _allocAt = [];

    // One stop per allocation (FrameAllocSpec.CountAtCallSites): the allocation entry point that is
    // not armed, each return site's count when the call site loads an immediate, the call
    // instructions whose count is read when they are reached, and those counts until their return.
    private ResolvedEntry<FrameAllocSpec>? _allocByReturn;
    private readonly Dictionary<ulong, ulong> _staticCount = [];
    private readonly Dictionary<ulong, ulong> _callSiteReturn = [];
    private readonly Dictionary<(ulong Return, ulong Rsp), ulong> _dynamicCount = [];
    private readonly Dictionary<ulong, ResolvedEntry<FrameFreeSpec>> _freeAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<HeapExtendSpec>> _extendAt = [];
    private readonly Dictionary<ulong, ResolvedEntry<HeapMapSpec>> _mapAt = [];
    private TraceWriter? _writer;
    private GdbClient? _gdb;
    private StateReader? _state;
    private string _phase = ObservationMap.FirstPhase;
    private long _events;
    private long _stops;
    private string? _lastEvent;
    private bool _reachedKmain;
    private bool _panicSeen;
    private PendingCall? _pending;
    private ulong? _pat;
    private readonly HashSet<ulong> _patAt = [];
    private bool _registersFromMonitor;

    private static readonly string[] SignatureRegisters =
        ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags"];

    private ulong[] _lastSignature = [];

    /// <summary>Stops that repeated the previous one exactly and were not handled again.</summary>
    private int _restops;

    private static ulong[] Signature(Registers regs) => SignatureRegisters.Select(r =>
    {
        try
        {
            return regs[r];
        }
        catch (Exception e) when (e is ObserverException or KeyNotFoundException or ArgumentException)
        {
            return 0UL; // a register this stub does not show (QEMU's monitor names EFLAGS "EFL")
        }
    }).ToArray();

    /// <summary>General-purpose registers at a stop, by lower-case name (rax … r15, rip).</summary>
    private sealed class Registers(Func<string, ulong> read)
    {
        public ulong this[string name] => read(name);
    }

    /// <summary>
    /// The registers at a stop: one <c>g</c> packet through the target description, or (when the client's
    /// description lists no registers) QEMU's monitor <c>info registers</c>.
    /// </summary>
    private async Task<Registers> ReadRegistersAsync(CancellationToken ct)
    {
        if (!_registersFromMonitor)
        {
            var set = await _gdb!.ReadRegistersAsync(ct).ConfigureAwait(false);
            return new Registers(name => set[name]);
        }
        var dump = await _gdb!.ReadMonitorRegistersAsync(ct).ConfigureAwait(false);
        return new Registers(name => dump.Values.TryGetValue(name.ToUpperInvariant(), out var v)
            ? v.Value
            : throw new ObserverException($"QEMU's info registers shows no {name.ToUpperInvariant()}"));
    }

    /// <summary>An outermost allocator call in progress: caught at its entry, ends at its return address with this RSP.</summary>
    private sealed record PendingCall(ulong ReturnAddress, ulong ReturnRsp, bool TemporaryBreakpoint, string Caller, ulong Count,
        ResolvedEntry<FrameAllocSpec>? Alloc);

    public async Task<ObservationResult> RunAsync(CancellationToken ct)
    {
        _clock.Start();
        // The trace's path is checked (and this run's own file opened) before QEMU starts: a path that cannot be
        // written fails at once, with nothing booted.
        _writer = new TraceWriter(request.TracePath);
        if (QemuRunner.FindExecutable(request.Qemu.Executable, request.Qemu.SearchPath) is null)
        {
            _writer.Dispose(); // nothing written: no file is left
            throw new ObserverException(QemuRunner.MissingMessage(request.Qemu.Executable));
        }
        using var qemuCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var qemuOptions = request.Qemu with { StartPaused = true };
        var qemuTask = QemuRunner.RunAsync(qemuOptions, line => _serialLines.Enqueue(line), qemuCts.Token);
        string how;
        bool complete;
        string? error = null;
        BootOutcome? outcome = null;
        try
        {
            (how, complete, error, outcome) = await ObserveAsync(qemuTask, qemuCts, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Cancelled by the caller: QEMU is stopped through the linked token; the trace stays .partial.
            _writer.Dispose();
            throw;
        }
        catch (GdbConnectionLostException e)
        {
            // QEMU went away while a command was in flight (killed, timed out, exited): how, from its outcome.
            (how, complete, error, outcome) = await EndAsync(EndHow.ConnectionLost, qemuTask, qemuCts).ConfigureAwait(false);
            error = (error is null ? "" : error + "; ") + $"the gdb connection was lost during '{e.InFlight}'";
            // The target was stopped when the command failed: if QEMU then ran on to a clean end, whatever it did
            // after the loss went unobserved. Such a trace is never complete.
            if (complete)
            {
                complete = false;
                how = EndHow.ConnectionLost;
            }
        }
        catch (TraceWriteException e)
        {
            how = EndHow.ObserverError;
            complete = false;
            error = e.Message;
        }
        catch (Exception e)
        {
            how = EndHow.ObserverError;
            complete = false;
            error = $"the observer failed: {e.Message}";
        }
        finally
        {
            if (_gdb is not null)
                await _gdb.DisposeAsync().ConfigureAwait(false);
        }
        outcome ??= await FinishQemuAsync(qemuTask, qemuCts, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (outcome is BootOutcome.QemuMissing missing)
        {
            _writer.Dispose();
            throw new ObserverException(missing.Message);
        }

        if (!complete)
            error = Describe(how, error, outcome);
        var counters = _gdb?.Counters ?? default;
        var writer = _writer;
        if (writer.LastSeq > 0 && !writer.Failed)
        try
        {
            FlushSerial(outcome?.Transcript.Serial);
            writer.WriteObservationPoints(new JsonObject
            {
                ["observer"] = new JsonObject
                {
                    ["events"] = _events,
                    ["stops"] = _stops,
                    ["repeated_stops"] = _restops,
                    ["checkpoints"] = _checkpoints.Count,
                    ["gdb"] = new JsonObject
                    {
                        ["packets_sent"] = counters.PacketsSent,
                        ["packets_received"] = counters.PacketsReceived,
                        ["bytes_read"] = counters.BytesRead,
                        ["bytes_written"] = counters.BytesWritten,
                    },
                    ["qemu_outcome"] = outcome?.Describe(),
                    ["error"] = error,
                },
            });
            writer.WriteEnd(new EndRecord
            {
                Seq = 0,
                Complete = complete,
                How = how,
                ReachedKmain = _reachedKmain,
                WallSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 3),
            });
        }
        catch (TraceWriteException e)
        {
            // A full disk at the very end: the trace is left incomplete (never renamed to its final name).
            how = EndHow.ObserverError;
            complete = false;
            error = e.Message;
        }
        writer.Dispose();
        Report();
        return new ObservationResult
        {
            TracePath = writer.CurrentPath ?? writer.PartialPath,
            Complete = complete,
            How = how,
            ReachedKmain = _reachedKmain,
            Checkpoints = [.. _checkpoints],
            Events = _events,
            Stops = _stops,
            Gdb = counters,
            Wall = _clock.Elapsed,
            Outcome = outcome,
            Error = error,
            NotPresent = map.NotPresent,
        };
    }

    private async Task<(string How, bool Complete, string? Error, BootOutcome? Outcome)> ObserveAsync(
        Task<BootOutcome> qemuTask, CancellationTokenSource qemuCts, CancellationToken ct)
    {
        var options = request.GdbOptions ?? new GdbClientOptions { ConnectTimeout = TimeSpan.FromSeconds(15), CommandTimeout = TimeSpan.FromSeconds(15) };
        var connect = GdbClient.ConnectAsync(KernelObserver.ToClientEndpoint(request.Qemu.Gdb!), options, ct);
        if (await Task.WhenAny(connect, qemuTask).ConfigureAwait(false) == qemuTask && !connect.IsCompleted)
        {
            var early = await qemuTask.ConfigureAwait(false);
            _ = connect.ContinueWith(t => t.Result.DisposeAsync(), TaskContinuationOptions.OnlyOnRanToCompletion);
            return (Classify(early).How, false, $"QEMU ended before its gdb stub answered: {early.Describe()}", early);
        }
        _gdb = await connect.ConfigureAwait(false);
        _registersFromMonitor = !_gdb.Description.TryGet("rip", out _);
        _state = new StateReader(_gdb, map);
        var deadline = request.Qemu.Timeout + TimeSpan.FromSeconds(5);

        // 1. The kernel is not loaded at reset: a hardware breakpoint at the entry catches it once the loader jumps there.
        await _gdb.InsertBreakpointAsync(BreakpointKind.Hardware, map.Entry, ct).ConfigureAwait(false);
        var first = await ResumeAsync(step: false, deadline, ct).ConfigureAwait(false);
        if (first is { } end0)
            return await EndAsync(end0, qemuTask, qemuCts).ConfigureAwait(false);
        var regs = await ReadRegistersAsync(ct).ConfigureAwait(false);
        if (regs["rip"] != map.Entry)
            throw new ObserverException($"expected to stop at the entry 0x{map.Entry:x}, stopped at 0x{regs["rip"]:x} ({_gdb.LastStop?.Raw})");
        await _gdb.RemoveBreakpointAsync(BreakpointKind.Hardware, map.Entry, ct).ConfigureAwait(false);

        // 2. Header: the KernelArgs RDI points to.
        var argsPtr = regs["rdi"];
        var argsBytes = await _gdb.ReadMemoryAsync(argsPtr, 48, ct).ConfigureAwait(false);
        ulong Arg(int i) => BinaryPrimitives.ReadUInt64LittleEndian(argsBytes.AsSpan(i * 8));
        WriteHeader(argsPtr, new KernelArgs(Arg(0), Arg(1), Arg(2), Arg(3), Arg(4), Arg(5)));
        WriteObservationPoints();
        FlushSerial(null);
        await CheckpointAsync("entry", ct).ConfigureAwait(false);

        // 3. Software breakpoints, now that the kernel is in memory.
        foreach (var cp in map.Checkpoints) Add(_checkpointAt, cp.Address, cp);
        foreach (var p in map.Panic) _panicAt.Add(p.Address);
        foreach (var a in map.FrameAlloc) _allocAt.TryAdd(a.Address, a);
        foreach (var f in map.FrameFree) _freeAt.TryAdd(f.Address, f);
        foreach (var x in map.HeapExtend) _extendAt.TryAdd(x.Address, x);
        foreach (var m in map.HeapMap) _mapAt.TryAdd(m.Address, m);
        _patAt.UnionWith(map.PatWrites);
        var calls = DirectCalls();
        if (map.FrameAlloc.Count == 1 && map.FrameAlloc[0].Spec.CountAtCallSites && calls.Count > 0 && _freeAt.Count <= 1)
        {
            // One stop per allocation: the entry point is not armed; its counts come from the call sites
            // (with one allocation entry point and at most one free one, every direct call found is to it).
            _allocByReturn = map.FrameAlloc[0];
            _allocAt.Clear();
            foreach (var call in calls)
            {
                if (StaticCount(call, _allocByReturn.Spec.CountRegister) is { } c) _staticCount[call.Call.NextIP] = c;
                else _callSiteReturn[call.Call.IP] = call.Call.NextIP;
            }
        }
        foreach (var address in _checkpointAt.Keys.Concat(_panicAt).Concat(_allocAt.Keys).Concat(_freeAt.Keys).Concat(_extendAt.Keys).Concat(_mapAt.Keys).Concat(_patAt).Concat(_callSiteReturn.Keys))
            await InsertAsync(address, ct).ConfigureAwait(false);
        // The return sites of direct calls to the allocator's entry points stay armed for the whole run, so that
        // catching a result does not insert and remove a breakpoint per call (each change flushes QEMU's code cache).
        foreach (var address in calls.Select(c => c.Call.NextIP))
            await InsertAsync(address, ct).ConfigureAwait(false);

        // 4. Run: every stop is a breakpoint of ours; handle it, step off it, go on.
        var step = false;
        while (true)
        {
            FlushSerial(null);
            if (await ResumeAsync(step, deadline, ct).ConfigureAwait(false) is { } end)
                return await EndAsync(end, qemuTask, qemuCts).ConfigureAwait(false);
            if (step)
            {
                // The step off a breakpoint ended; if it landed on another one, the next continue stops there at once.
                step = false;
                continue;
            }
            _stops++;
            regs = await ReadRegistersAsync(ct).ConfigureAwait(false);
            var rip = regs["rip"];
            if (!_inserted.Contains(rip))
                throw new ObserverException($"the target stopped at 0x{rip:x} ({elf.Symbolize(rip)}), where no breakpoint of the observer is ({_gdb.LastStop?.Raw})");
            // A stop reported again with every register as it was — the step off the breakpoint did
            // not execute an instruction (seen on a loaded machine) — is the same stop: handled once.
            var signature = Signature(regs);
            if (signature.SequenceEqual(_lastSignature))
            {
                _restops++;
                step = true;
                continue;
            }
            _lastSignature = signature;
            if (await HandleStopAsync(rip, regs, ct).ConfigureAwait(false))
            {
                // The panic handler: the rest is the kernel printing its panic; QEMU's runner stops it.
                foreach (var address in _inserted.ToList())
                    await RemoveAsync(address, ct).ConfigureAwait(false);
                if (await ResumeAsync(step: false, deadline, ct).ConfigureAwait(false) is { } afterPanic)
                    return await EndAsync(afterPanic, qemuTask, qemuCts).ConfigureAwait(false);
                throw new ObserverException($"the target stopped after the panic without a breakpoint ({_gdb.LastStop?.Raw})");
            }
            step = true;
        }
    }

    /// <summary>One direct call to an allocation (or free) entry point: the function's code and the call's index in it.</summary>
    private readonly record struct DirectCall(IReadOnlyList<Harness.Elf.Disassembly.DisassembledInstruction> Code, int Index)
    {
        public Iced.Intel.Instruction Call => Code[Index].Instruction;
    }

    /// <summary>
    /// Every direct call to an allocation entry point (and to a free entry point when there are several),
    /// outside the entry points themselves (calls between them are always nested), found by disassembling
    /// every function of the ELF once. Empty when there are more than 4096 (then return addresses get
    /// temporary breakpoints).
    /// </summary>
    private List<DirectCall> DirectCalls()
    {
        var targets = new HashSet<ulong>(_allocAt.Keys);
        if (_freeAt.Count > 1) targets.UnionWith(_freeAt.Keys);
        var calls = new List<DirectCall>();
        foreach (var function in elf.Symbols.Where(s => s.Type == SymbolType.Func && s.Size > 0 && !targets.Contains(s.Value))
                     .GroupBy(s => s.Value).Select(g => g.First()))
        {
            IReadOnlyList<Harness.Elf.Disassembly.DisassembledInstruction> code;
            try
            {
                code = elf.DisassembleSymbol(function.Name);
            }
            catch (ElfException)
            {
                continue;
            }
            for (var k = 0; k < code.Count; k++)
            {
                var i = code[k].Instruction;
                if (i.Mnemonic == Iced.Intel.Mnemonic.Call && i.IsCallNear && targets.Contains(i.NearBranchTarget))
                    calls.Add(new DirectCall(code, k));
            }
            if (calls.Count > 4096) return [];
        }
        return calls;
    }

    /// <summary>
    /// The count a call passes in <paramref name="countRegister"/> when the instruction just before the call
    /// loads an immediate into it and no branch lands on the call itself (which would skip that load); else null.
    /// </summary>
    private static ulong? StaticCount(DirectCall call, string countRegister)
    {
        if (call.Index == 0)
            return null;
        var callIp = call.Call.IP;
        if (call.Code.Any(c => c.Instruction.FlowControl is Iced.Intel.FlowControl.ConditionalBranch or Iced.Intel.FlowControl.UnconditionalBranch
                               && c.Instruction.NearBranchTarget == callIp))
            return null;
        var before = call.Code[call.Index - 1].Instruction;
        return before.Mnemonic == Iced.Intel.Mnemonic.Mov
               && before.Op0Kind == Iced.Intel.OpKind.Register
               && string.Equals(Iced.Intel.RegisterExtensions.GetFullRegister(before.Op0Register).ToString(), countRegister, StringComparison.OrdinalIgnoreCase)
               && before.Op1Kind is Iced.Intel.OpKind.Immediate32 or Iced.Intel.OpKind.Immediate32to64 or Iced.Intel.OpKind.Immediate64
            ? before.GetImmediate(1)
            : null;
    }

    /// <summary>Handles one breakpoint stop; true when it was the panic handler.</summary>
    private async Task<bool> HandleStopAsync(ulong rip, Registers regs, CancellationToken ct)
    {
        var rsp = regs["rsp"];
        // A return address of the outermost allocator call in progress (the same address deeper in a recursion has a lower RSP).
        if (_pending is { } p && rip == p.ReturnAddress && rsp == p.ReturnRsp)
        {
            _pending = null;
            if (p.TemporaryBreakpoint) await RemoveAsync(rip, ct).ConfigureAwait(false);
            if (p.Alloc is { } a)
            {
                var some = (regs[a.Spec.ResultTagRegister] & 0xFF) != 0;
                ulong? frame = some ? regs[a.Spec.ResultFrameRegister] * 4096 : null;
                WriteEvent(new FrameAllocEvent { Seq = 0, Phase = _phase, Count = p.Count, Frame = frame, Caller = p.Caller, Via = a.Spec.Via },
                    $"frame_alloc count {p.Count} -> {(frame is { } f ? $"0x{f:x}" : "None")} from {p.Caller}");
            }
        }
        if (_callSiteReturn.TryGetValue(rip, out var willReturnTo))
        {
            // A call whose count is not an immediate: read it now; the return site (RSP then = RSP now) writes the event.
            _dynamicCount[(willReturnTo, rsp)] = regs[_allocByReturn!.Spec.CountRegister];
        }
        if (_allocByReturn is { } byReturn && (_staticCount.TryGetValue(rip, out var staticCount) || _dynamicCount.Remove((rip, rsp), out staticCount)))
        {
            var some = (regs[byReturn.Spec.ResultTagRegister] & 0xFF) != 0;
            ulong? frame = some ? regs[byReturn.Spec.ResultFrameRegister] * 4096 : null;
            var caller = Caller(rip);
            WriteEvent(new FrameAllocEvent { Seq = 0, Phase = _phase, Count = staticCount, Frame = frame, Caller = caller, Via = byReturn.Spec.Via },
                $"frame_alloc count {staticCount} -> {(frame is { } f2 ? $"0x{f2:x}" : "None")} from {caller}");
        }
        if (_patAt.Contains(rip) && (regs["rcx"] & 0xFFFF_FFFF) == 0x277)
        {
            // wrmsr IA32_PAT: the value written is EDX:EAX.
            _pat = (regs["rdx"] & 0xFFFF_FFFF) << 32 | (regs["rax"] & 0xFFFF_FFFF);
        }
        if (_checkpointAt.TryGetValue(rip, out var cps))
        {
            foreach (var cp in cps.Where(c => !_checkpoints.Contains(c.Name)))
            {
                await CheckpointAsync(cp.Name, ct).ConfigureAwait(false);
                _phase = ObservationMap.PhaseAfter(cp.Name);
                if (cp.Name == "kmain") _reachedKmain = true;
                Report();
            }
        }
        if (_panicAt.Contains(rip) && !_panicSeen)
        {
            _panicSeen = true;
            await CheckpointAsync("panic", ct).ConfigureAwait(false);
            return true;
        }
        if (_allocAt.TryGetValue(rip, out var alloc) && _pending is null)
        {
            var ret = BinaryPrimitives.ReadUInt64LittleEndian(await _gdb!.ReadMemoryAsync(rsp, 8, ct).ConfigureAwait(false));
            var temporary = !_inserted.Contains(ret);
            _pending = new PendingCall(ret, rsp + 8, temporary, Caller(ret), regs[alloc.Spec.CountRegister], alloc);
            if (temporary) await InsertAsync(ret, ct).ConfigureAwait(false);
        }
        if (_freeAt.TryGetValue(rip, out var free) && _pending is null)
        {
            var ret = BinaryPrimitives.ReadUInt64LittleEndian(await _gdb!.ReadMemoryAsync(rsp, 8, ct).ConfigureAwait(false));
            var caller = Caller(ret);
            var frame = regs[free.Spec.FrameRegister] * 4096;
            var count = regs[free.Spec.CountRegister];
            var unseen = elf.Resolve(ret) is { } from && free.Spec.UnseenCallers.Contains(from.Symbol.Name);
            if (!unseen)
                WriteEvent(new FrameFreeEvent { Seq = 0, Phase = _phase, Frame = frame, Count = count, Caller = caller },
                    $"frame_free 0x{frame:x} count {count} from {caller}");
            if (_freeAt.Count > 1)
            {
                // Inner entry points of this free must not count again: wait for its return.
                var temporary = !_inserted.Contains(ret);
                _pending = new PendingCall(ret, rsp + 8, temporary, caller, count, null);
                if (temporary) await InsertAsync(ret, ct).ConfigureAwait(false);
            }
        }
        if (_extendAt.TryGetValue(rip, out var extend))
        {
            var ret = BinaryPrimitives.ReadUInt64LittleEndian(await _gdb!.ReadMemoryAsync(rsp, 8, ct).ConfigureAwait(false));
            var by = regs[extend.Spec.ByRegister];
            WriteEvent(new HeapExtendEvent { Seq = 0, Phase = _phase, By = by, Caller = Caller(ret) }, $"heap_extend by {by} from {Caller(ret)}");
        }
        if (_mapAt.TryGetValue(rip, out var mapHeap))
        {
            var ret = BinaryPrimitives.ReadUInt64LittleEndian(await _gdb!.ReadMemoryAsync(rsp, 8, ct).ConfigureAwait(false));
            var offset = regs[mapHeap.Spec.OffsetRegister];
            var size = regs[mapHeap.Spec.SizeRegister];
            WriteEvent(new HeapMapEvent { Seq = 0, Phase = _phase, Offset = offset, Size = size, Caller = Caller(ret) },
                $"heap_map 0x{offset:x} size 0x{size:x} from {Caller(ret)}");
        }
        return false;
    }

    /// <summary>Records a checkpoint and its state, in the order of the reference: checkpoint, page tables, descriptors, frame allocator, heap.</summary>
    private async Task CheckpointAsync(string name, CancellationToken ct)
    {
        FlushSerial(null);
        var w = _writer!;
        var state = _state!;
        var (regs, dump) = await state.RegistersAsync(ct).ConfigureAwait(false);
        w.WriteCheckpoint(new CheckpointRecord(0, name, regs));
        _checkpoints.Add(name);
        var cr3 = dump.Cr3.Value;
        var tables = await state.PageTablesAsync(cr3, ct).ConfigureAwait(false);
        w.WritePageTables(new PageTablesRecord(0, name, cr3 & 0x000F_FFFF_FFFF_F000, tables) { Pat = _pat });
        var (gdt, idt, tss, error) = await state.DescriptorsAsync(dump, ct).ConfigureAwait(false);
        w.WriteDescriptors(new DescriptorsRecord(0, name, gdt, idt, tss, error));
        if (await state.FrameAllocatorAsync(ct).ConfigureAwait(false) is { } fa)
            w.WriteFrameAllocator(new FrameAllocatorRecord(0, name, fa.Next, fa.Area, fa.Recycled));
        if (await state.HeapAsync(ct).ConfigureAwait(false) is { } h)
        {
            if (!h.Initialised)
            {
                w.WriteHeap(new HeapRecord(0, name, false, null, null, null, null, []));
            }
            else
            {
                var free = h.Holes.Aggregate(0UL, (s, x) => s + x.Size);
                w.WriteHeap(new HeapRecord(0, name, true, h.Bottom, h.Size, free, h.Size - free, h.Holes));
            }
        }
        Report();
    }

    private void WriteEvent(TraceEvent e, string description)
    {
        var seq = _writer!.WriteEvent(e);
        _events++;
        _lastEvent = $"#{seq} {description} (phase {_phase})";
        Report();
    }

    private string Caller(ulong returnAddress) =>
        elf.Resolve(returnAddress) is { } r
            ? $"{ResolvedObservationMap.Display(r.Symbol)} + {r.Offset.ToString(CultureInfo.InvariantCulture)}"
            : $"0x{returnAddress:x}";

    /// <summary>Continues (or steps) and waits; returns null for a stop, or why the run ended.</summary>
    private async Task<string?> ResumeAsync(bool step, TimeSpan deadline, CancellationToken ct)
    {
        var remaining = deadline - _clock.Elapsed;
        if (remaining <= TimeSpan.Zero) return EndHow.Timeout;
        try
        {
            var stop = step ? await _gdb!.StepAsync(ct).ConfigureAwait(false) : await _gdb!.ContinueAsync(remaining, ct).ConfigureAwait(false);
            return stop.HasExited ? "exited" : null;
        }
        catch (GdbConnectionLostException)
        {
            return EndHow.ConnectionLost;
        }
        catch (GdbTimeoutException)
        {
            return EndHow.Timeout;
        }
    }

    /// <summary>The run ended (QEMU exited, the connection closed, or the time was up): how, from QEMU's outcome.</summary>
    private async Task<(string How, bool Complete, string? Error, BootOutcome? Outcome)> EndAsync(
        string reason, Task<BootOutcome> qemuTask, CancellationTokenSource qemuCts)
    {
        var outcome = await FinishQemuAsync(qemuTask, qemuCts, reason == EndHow.Timeout ? TimeSpan.Zero : TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (outcome is null)
            return (reason, false, reason == EndHow.Timeout
                ? $"the target did not stop within {request.Qemu.Timeout.TotalSeconds:0.#} s (+5 s)"
                : $"the gdb connection ended ({reason}) but QEMU kept running; it was stopped", null);
        var (how, complete) = Classify(outcome);
        string? error = null;
        if (outcome is BootOutcome.ExitedClean clean && request.Map.CleanExitCodes is { } codes && !codes.Contains(clean.Code))
        {
            complete = false;
            error = $"QEMU exited with status {clean.QemuStatus} (isa-debug-exit 0x{clean.Code:x}?), not with a code the map declares clean " +
                $"({string.Join(", ", codes.Select(c => $"0x{c:x}"))}); a status of 128 + N is also what QEMU killed by signal N gives";
        }
        else if (outcome is BootOutcome.ExitedClean && request.Map.CleanExitCodes is null)
        {
            complete = false;
            error = "QEMU exited through isa-debug-exit, but the map declares no clean_exit code for this kernel";
        }
        if (how == EndHow.Panic && !_panicSeen && map.Panic.Count > 0)
        {
            complete = false;
            error = "the kernel printed a panic, but the panic handler's breakpoint was not hit (is the map's [panic] right?)";
        }
        return (how, complete, error, outcome);
    }

    /// <summary>How a QEMU outcome ends a trace, and whether that end is one a boot may have.</summary>
    private (string How, bool Complete) Classify(BootOutcome outcome) => outcome switch
    {
        BootOutcome.ExitedClean => (EndHow.QemuExit, _checkpoints.Count > 0),
        BootOutcome.Panic => (EndHow.Panic, _checkpoints.Count > 0),
        BootOutcome.Timeout => (EndHow.Timeout, false),
        BootOutcome.TripleFault => (EndHow.TripleFault, false),
        BootOutcome.Reset => (EndHow.Reset, false),
        BootOutcome.LoaderError => (EndHow.LoaderError, false),
        BootOutcome.QemuDied => (EndHow.QemuDied, false),
        _ => (EndHow.ConnectionLost, false),
    };

    /// <summary>Waits up to <paramref name="wait"/> for QEMU's run to end, then stops it; its outcome, or null when it had to be stopped.</summary>
    private static async Task<BootOutcome?> FinishQemuAsync(Task<BootOutcome> qemuTask, CancellationTokenSource qemuCts, TimeSpan wait)
    {
        if (!qemuTask.IsCompleted && wait > TimeSpan.Zero)
            await Task.WhenAny(qemuTask, Task.Delay(wait)).ConfigureAwait(false);
        // A run stopped here before (e.g. after a dropped gdb connection) has ended as cancelled: no outcome.
        if (qemuTask.IsCanceled)
            return null;
        if (qemuTask.IsCompleted)
            return await qemuTask.ConfigureAwait(false);
        await qemuCts.CancelAsync().ConfigureAwait(false);
        try
        {
            return await qemuTask.ConfigureAwait(false) is BootOutcome.Timeout t ? t : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private string Describe(string how, string? error, BootOutcome? outcome)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"incomplete trace ({how})");
        if (error is not null) text.Append(": ").Append(error);
        if (outcome is not null) text.Append("; QEMU: ").Append(outcome.Describe());
        text.Append("; last checkpoint: ").Append(_checkpoints.Count > 0 ? _checkpoints[^1] : "none");
        text.Append("; last event: ").Append(_lastEvent ?? "none");
        var lines = Encoding.Latin1.GetString(outcome?.Transcript.Serial.ToArray() ?? [.. _serialStreamed])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(5).ToList();
        text.Append("; serial tail: ").Append(lines.Count > 0 ? string.Join(" | ", lines) : "(no serial output)");
        return text.ToString();
    }

    private void WriteHeader(ulong argsPtr, KernelArgs args)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(request.KernelPath)));
        var sections = new Dictionary<string, ulong>();
        foreach (var name in new[] { "__text_start", "__text_end", "__rodata_start", "__rodata_end", "__data_start", "__data_end",
                     "__bss_start", "__bss_end", "__tdata_start", "__tdata_end", "__tbss_start", "__tbss_end", "__end" })
        {
            if (elf.Symbols.FirstOrDefault(s => s.Name == name) is { } s) sections[name] = s.Value;
        }
        string? qemuVersion = null;
        try { qemuVersion = QemuRunner.Version(request.Qemu.Executable).Text; }
        catch (Exception e) when (e is QemuMissingException or InvalidOperationException) { }
        var kernelPath = request.KernelDisplayPath ?? request.KernelPath;
        _writer!.WriteHeader(new TraceHeader
        {
            Format = TraceFormat.Current,
            Scenario = request.Scenario,
            Kernel = new KernelInfo
            {
                Which = request.Map.Kernel,
                Path = kernelPath,
                Sha256 = sha,
                Sections = new KernelSections(sections),
                Statics = map.Statics.ToDictionary(s => s.Name, s => new KernelStatic(s.Address, s.Size, s.Symbol)),
                Handlers = map.Handlers,
            },
            KernelSlot = request.KernelSlot,
            ArgsPtr = argsPtr,
            Args = args,
            QemuVersion = qemuVersion,
            QemuArgs = request.QemuArgs ?? ["-machine", request.Qemu.Machine, "-m", request.Qemu.MemoryMiB.ToString(CultureInfo.InvariantCulture),
                "-smp", request.Qemu.Cpus.ToString(CultureInfo.InvariantCulture), "-vga", request.Qemu.Vga],
            HarnessVersion = HarnessVersion,
            ObservationMap = new FileIdentity(request.MapDisplayPath ?? request.Map.Path, request.Map.Sha256),
        });
    }

    private void WriteObservationPoints()
    {
        var cps = new JsonArray(map.Checkpoints.Select(c => (JsonNode?)new JsonObject
        {
            ["name"] = c.Name, ["address"] = Hex.Format(c.Address), ["at"] = c.Description,
        }).ToArray());
        JsonArray Entries<T>(IEnumerable<ResolvedEntry<T>> list) =>
            new(list.Select(e => (JsonNode?)new JsonObject { ["symbol"] = e.Symbol, ["address"] = Hex.Format(e.Address) }).ToArray());
        _writer!.WriteObservationPoints(new JsonObject
        {
            ["checkpoints"] = cps,
            ["allocate_frames"] = Entries(map.FrameAlloc),
            ["deallocate_frames"] = Entries(map.FrameFree),
            ["heap_extend"] = Entries(map.HeapExtend),
            ["map_heap"] = Entries(map.HeapMap),
            ["panic"] = Entries(map.Panic),
            ["pat_wrmsr"] = new JsonArray(map.PatWrites.Select(a => (JsonNode?)Hex.Format(a)).ToArray()),
            ["frame_allocator"] = map.FrameAllocatorBase is { } fa ? Hex.Format(fa) : null,
            ["heap"] = map.HeapBase is { } hb ? Hex.Format(hb) : null,
            ["missing"] = new JsonArray(map.NotPresent.Select(m => (JsonNode?)m).ToArray()),
        });
    }

    /// <summary>
    /// Streams the serial lines read so far. At the end (<paramref name="exact"/> = QEMU's byte-exact transcript),
    /// writes whatever the lines did not carry (a last line without newline), or notes a mismatch.
    /// </summary>
    private void FlushSerial(ReadOnlyMemory<byte>? exact)
    {
        var w = _writer!;
        if (w.IsClosed || w.LastSeq == 0) return;
        var chunk = new List<byte>();
        if (exact is null)
        {
            while (_serialLines.TryDequeue(out var line))
                chunk.AddRange(Encoding.UTF8.GetBytes(line + "\n"));
            _serialStreamed.AddRange(chunk);
            w.WriteSerial(chunk.ToArray());
            return;
        }
        _serialLines.Clear();
        var all = exact.Value.Span;
        var streamed = _serialStreamed.ToArray();
        if (all.StartsWith(streamed))
        {
            w.WriteSerial(all[streamed.Length..]);
            _serialStreamed.AddRange(all[streamed.Length..].ToArray());
        }
        else
        {
            w.WriteObservationPoints(new JsonObject
            {
                ["serial_mismatch"] = $"the serial lines streamed during the run ({streamed.Length} bytes) are not a prefix of QEMU's transcript ({all.Length} bytes)",
            });
        }
    }

    private async Task InsertAsync(ulong address, CancellationToken ct)
    {
        if (_inserted.Add(address))
            await _gdb!.InsertBreakpointAsync(BreakpointKind.Software, address, ct).ConfigureAwait(false);
    }

    private async Task RemoveAsync(ulong address, CancellationToken ct)
    {
        if (_inserted.Remove(address))
            await _gdb!.RemoveBreakpointAsync(BreakpointKind.Software, address, ct).ConfigureAwait(false);
    }

    private void Report() =>
        request.Progress?.Invoke(new ObserveProgress(_events, _stops, _checkpoints.Count > 0 ? _checkpoints[^1] : null, _phase, _clock.Elapsed));

    private static void Add<TK, TV>(Dictionary<TK, List<TV>> d, TK key, TV value) where TK : notnull
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = [];
        list.Add(value);
    }
}
