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

internal sealed partial class ObserverSession(ObserveRequest request, ElfImage elf, ResolvedObservationMap map)
{
    private const string HarnessVersion = "0.1.0";
    private readonly ConcurrentQueue<string> _serialLines = new();
    private readonly List<byte> _serialStreamed = [];
    private readonly Stopwatch _clock = new();
    private readonly List<string> _checkpoints = [];
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
    private bool _registersFromMonitor;

    private ulong[] _lastSignature = [];

    /// <summary>Stops that repeated the previous one exactly and were not handled again.</summary>
    private int _restops;

    /// <summary>What each stop of the run loop costs (ObservationResult.Profile).</summary>
    private readonly StopProfiler _profiler = new();

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
        // Alone, QEMU on one CPU and the reader thread that handles each stop on another (CpuAffinity: a stop is a chain
        // of wake-ups).
        using var cpus = CpuAffinity.Shared.Begin();
        _cpus = cpus;
        var qemuOptions = request.Qemu with { StartPaused = true, Cpu = request.Qemu.Cpu ?? cpus.Qemu };
        var qemuTask = QemuRunner.RunAsync(qemuOptions, line => _serialLines.Enqueue(line), qemuCts.Token);
        string how;
        bool complete;
        string? error = null;
        BootOutcome? outcome = null;
        try
        {
            (how, complete, error, outcome) = await ObserveAsync(qemuTask, qemuCts, ct).ConfigureAwait(false);
            if (HangExpectationError(how) is { } unexpected)
                (complete, error) = (false, error is null ? unexpected : $"{unexpected}; {error}");
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
            FlushPendingSyscalls();
            writer.WriteObservationPoints(new JsonObject
            {
                ["observer"] = new JsonObject
                {
                    ["events"] = _events,
                    ["syscalls"] = _syscallCount,
                    ["process_records"] = _processRecords,
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
            Profile = _profiler.Finish(counters.PacketsSent, _gdb?.PacketPairsSent ?? 0, _gdb?.PacketsSentByCommand ?? new Dictionary<char, long>()),
            Cpus = _cpus?.Describe(),
        };
    }

    private async Task<(string How, bool Complete, string? Error, BootOutcome? Outcome)> ObserveAsync(
        Task<BootOutcome> qemuTask, CancellationTokenSource qemuCts, CancellationToken ct)
    {
        // QEMU's system emulation never waits for an ack (GdbClientOptions.LazyAcks): acks ride with the next packet.
        var options = request.GdbOptions ?? new GdbClientOptions { ConnectTimeout = TimeSpan.FromSeconds(15), CommandTimeout = TimeSpan.FromSeconds(15), LazyAcks = true };
        if (_cpus is { Reader: { } reader } cpus)
        {
            options = options with
            {
                ReaderThreadStart = () => CpuAffinity.PinCurrentThread(reader),
                ReadPoll = () => cpus.ReaderAlone ? CpuAffinity.ReaderPoll : TimeSpan.Zero,
            };
        }
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
        await ArmBreakpointsAsync(ct).ConfigureAwait(false);

        // 4. Run: every stop is a breakpoint of ours; handle it, step off it, go on.
        var step = false;
        _hangWatch = true;
        _profiler.Start(_gdb.Counters.PacketsSent, _gdb.PacketPairsSent, _gdb.PacketsSentByCommand);
        while (true)
        {
            if (!step) _profiler.BeginCycle();
            FlushSerial(null);
            if (await ResumeAsync(step, deadline, ct).ConfigureAwait(false) is { } end)
                return await EndAsync(end, qemuTask, qemuCts).ConfigureAwait(false);
            if (step)
            {
                // The step off a breakpoint ended; if it landed on another one, the next continue stops there at once.
                _profiler.Stepped(StepOff.Stepped);
                step = false;
                continue;
            }
            _profiler.Stopped();
            _stops++;
            try
            {
                regs = await ReadStopRegistersAsync(ct).ConfigureAwait(false);
            }
            catch (GdbConnectionLostException) when (map.PowerOff is not null)
            {
                // QEMU acts on a power-off request asynchronously: it may end the machine while the guest is stopped at
                // the [power_off] location (right after the request), before this stop's registers are read. Nothing ran
                // unobserved; the end is the power-off's, as if the hold there had seen QEMU end. Any other outcome is a
                // lost connection (the outer handler: never complete).
                var ended = await EndAsync(EndHow.ConnectionLost, qemuTask, qemuCts).ConfigureAwait(false);
                if (ended.Outcome is BootOutcome.PowerOff) return ended;
                throw;
            }
            _profiler.RegistersRead();
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
            if (rip == map.PowerOff)
            {
                // The kernel has asked for the power-off: QEMU ends on its own, with the guest held here.
                await Task.WhenAny(qemuTask, Task.Delay(PowerOffWait, ct)).ConfigureAwait(false);
                if (qemuTask.IsCompleted)
                    return await EndAsync("exited", qemuTask, qemuCts).ConfigureAwait(false);
                _profiler.Handled();
                step = true; // no power-off followed (no ACPI): the kernel goes on
                continue;
            }
            if (await HandleStopAsync(rip, regs, ct).ConfigureAwait(false))
            {
                // The panic handler: the rest is the kernel printing its panic; QEMU's runner stops it.
                foreach (var address in _inserted.ToList())
                    await RemoveAsync(address, ct).ConfigureAwait(false);
                if (await ResumeAsync(step: false, deadline, ct).ConfigureAwait(false) is { } afterPanic)
                    return await EndAsync(afterPanic, qemuTask, qemuCts).ConfigureAwait(false);
                throw new ObserverException($"the target stopped after the panic without a breakpoint ({_gdb.LastStop?.Raw})");
            }
            _profiler.Handled();
            step = !await LeaveBreakpointAsync(rip, regs, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Instructions at breakpoint addresses, decoded from the ELF once each (default: none there).</summary>
    private readonly Dictionary<ulong, Iced.Intel.Instruction?> _instructionAt = [];

    /// <summary>
    /// Leaves the breakpoint the guest is stopped at without a step where none is needed: when handling removed it (a
    /// temporary return breakpoint), or when its instruction writes only general registers and RIP (StepOver): the
    /// observer writes what it leaves. True then (the next resume is a continue); false when QEMU must step.
    /// </summary>
    private async Task<bool> LeaveBreakpointAsync(ulong rip, Registers regs, CancellationToken ct)
    {
        if (!_inserted.Contains(rip))
        {
            _profiler.Stepped(StepOff.NotNeeded);
            return true;
        }
        if (!_instructionAt.TryGetValue(rip, out var instruction))
            _instructionAt[rip] = instruction = DecodeAt(rip);
        if (instruction is not { } i || StepOver.Emulate(i, name => regs[name]) is not { } writes)
            return false;
        await _gdb!.WriteRegistersAsync(writes, ct).ConfigureAwait(false);
        _profiler.Stepped(StepOff.Emulated);
        return true;
    }

    private Iced.Intel.Instruction? DecodeAt(ulong address)
    {
        byte[] bytes;
        try
        {
            bytes = elf.ReadVirtual(address, 15);
        }
        catch (ElfException)
        {
            return null; // near the end of a section, or not in the ELF: QEMU steps it
        }
        var decoder = Iced.Intel.Decoder.Create(64, new Iced.Intel.ByteArrayCodeReader(bytes), address);
        decoder.Decode(out var instruction);
        return instruction.IsInvalid ? null : instruction;
    }

    /// <summary>How long the observer holds the guest at the map's [power_off] for QEMU to end.</summary>
    private static readonly TimeSpan PowerOffWait = TimeSpan.FromSeconds(10);

    /// <summary>The CPUs this run's QEMU and reader thread are pinned to, or null.</summary>
    private CpuLease? _cpus;

    /// <summary>Continues (or steps) and waits; returns null for a stop, or why the run ended.</summary>
    private async Task<string?> ResumeAsync(bool step, TimeSpan deadline, CancellationToken ct)
    {
        var remaining = deadline - _clock.Elapsed;
        if (remaining <= TimeSpan.Zero) return EndHow.Timeout;
        if (!step && _hangWatch && !_panicSeen && request.ExpectHangAfter is { } quiet)
        {
            await FlushDeferredChangesAsync(ct).ConfigureAwait(false);
            return await ContinueWatchingForHangAsync(deadline, quiet, ct).ConfigureAwait(false);
        }
        try
        {
            // The breakpoint changes planned at this stop go out in the resume's own write.
            var changes = TakeDeferredChanges();
            var stop = step ? await _gdb!.StepAsync(changes, ct).ConfigureAwait(false) : await _gdb!.ContinueAsync(changes, remaining, ct).ConfigureAwait(false);
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
        if (reason == EndHow.Hang)
            return (EndHow.Hang, true, null, await FinishQemuAsync(qemuTask, qemuCts, TimeSpan.Zero).ConfigureAwait(false));
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
        else if (outcome is BootOutcome.Reset or BootOutcome.PowerOff && !complete && _checkpoints.Count > 0)
            error = $"the guest ended the machine ({how}), but the map's clean_stop does not declare that end clean for this kernel";
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
        BootOutcome.Reset => (EndHow.Reset, _checkpoints.Count > 0 && request.Map.CleanStops.Contains(EndHow.Reset)),
        BootOutcome.PowerOff => (EndHow.PowerOff, _checkpoints.Count > 0 && request.Map.CleanStops.Contains(EndHow.PowerOff)),
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
}
