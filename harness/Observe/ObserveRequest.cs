using Harness.Gdb;
using Harness.Observe.Map;
using Harness.Qemu;

namespace Harness.Observe;

/// <summary>One observed boot: the kernel and its map, the QEMU run (with a gdb stub), where the trace goes.</summary>
public sealed record ObserveRequest
{
    /// <summary>The kernel ELF (with symbols).</summary>
    public required string KernelPath { get; init; }

    /// <summary>The kernel's observation map.</summary>
    public required ObservationMap Map { get; init; }

    /// <summary>
    /// The QEMU run (e.g. a BootPlan's <c>Qemu</c>). It must name a gdb stub (<see cref="QemuOptions.Gdb"/>); the
    /// observer forces <see cref="QemuOptions.StartPaused"/>. Its <see cref="QemuOptions.Timeout"/> bounds the whole run.
    /// </summary>
    public required QemuOptions Qemu { get; init; }

    /// <summary>The trace's final path (<c>….jsonl</c>); it is written as <c>….jsonl.partial</c> until the end record.</summary>
    public required string TracePath { get; init; }

    /// <summary>The scenario's name (header).</summary>
    public required string Scenario { get; init; }

    /// <summary>The kernel slot the loader reported (header), or null.</summary>
    public ulong? KernelSlot { get; init; }

    /// <summary>The QEMU options that matter, for the header (e.g. <c>-machine q35 -m 2048</c>).</summary>
    public IReadOnlyList<string>? QemuArgs { get; init; }

    /// <summary>The map's path as the header shows it (default: <see cref="ObservationMap.Path"/>).</summary>
    public string? MapDisplayPath { get; init; }

    /// <summary>The kernel's path as the header shows it (default: <see cref="KernelPath"/>).</summary>
    public string? KernelDisplayPath { get; init; }

    /// <summary>Timeouts of the gdb client (connect, per command).</summary>
    public GdbClientOptions? GdbOptions { get; init; }

    /// <summary>Called on the observer's own thread after every recorded checkpoint and event (and at the end).</summary>
    public Action<ObserveProgress>? Progress { get; init; }

    /// <summary>
    /// The scenario expects the boot to hang (<c>[expect] end = "hang"</c>): once the kernel has started, a run of the
    /// guest this long without a breakpoint stop or serial output ends the boot: the observer interrupts it and records
    /// the <c>hang</c> checkpoint (ObserverSession.Hang.cs). Null: no such end; a hang runs into the timeout.
    /// </summary>
    public TimeSpan? ExpectHangAfter { get; init; }
}

/// <summary>Where an observed boot is.</summary>
/// <param name="Events">Events recorded so far.</param>
/// <param name="Stops">Times the target stopped so far.</param>
/// <param name="Checkpoint">The last checkpoint reached, or null before <c>entry</c>.</param>
/// <param name="Phase">The step of kstart in progress.</param>
/// <param name="Elapsed">Time since QEMU was started.</param>
public sealed record ObserveProgress(long Events, long Stops, string? Checkpoint, string Phase, TimeSpan Elapsed);

/// <summary>How an observed boot ended.</summary>
public sealed record ObservationResult
{
    /// <summary>The trace's path as written: <c>….jsonl</c> when it has an end record, else <c>….jsonl.partial</c>.</summary>
    public required string TracePath { get; init; }

    /// <summary>True only when the boot reached an expected end (kmain, a panic, the port's clean exit) and every checkpoint reached was recorded.</summary>
    public required bool Complete { get; init; }

    /// <summary>The end record's <c>how</c>.</summary>
    public required string How { get; init; }

    /// <summary>Whether kmain was reached.</summary>
    public bool ReachedKmain { get; init; }

    /// <summary>Checkpoints recorded, in order.</summary>
    public IReadOnlyList<string> Checkpoints { get; init; } = [];

    /// <summary>Events recorded (frame_alloc, frame_free, heap_extend, heap_map).</summary>
    public long Events { get; init; }

    /// <summary>Times the target stopped.</summary>
    public long Stops { get; init; }

    /// <summary>Traffic over the gdb stub.</summary>
    public GdbCounters Gdb { get; init; }

    /// <summary>From QEMU's start to the end of the observation.</summary>
    public TimeSpan Wall { get; init; }

    /// <summary>How QEMU's run ended, when it did.</summary>
    public BootOutcome? Outcome { get; init; }

    /// <summary>Why the run is incomplete (names the last event and the serial tail), or null.</summary>
    public string? Error { get; init; }

    /// <summary>What the stops cost (null when the run loop was never reached).</summary>
    public StopProfile? Profile { get; init; }

    /// <summary>Where QEMU and the observer's reader ran (<see cref="Harness.Qemu.CpuLease.Describe"/>): their CPUs, or why not pinned.</summary>
    public string? Cpus { get; init; }

    /// <summary>What the map names that this kernel does not have.</summary>
    public IReadOnlyList<string> NotPresent { get; init; } = [];
}
