using System.Text.Json.Nodes;

namespace Harness.Trace;

/// <summary>
/// One recorded boot, read into memory: header, checkpoints with their state, the events in order,
/// the serial output and the end record. Built by <see cref="TraceReader"/>.
/// </summary>
public sealed class Trace
{
    /// <summary>Creates a trace; <see cref="TraceReader"/> is the usual way.</summary>
    public Trace(
        string sourcePath,
        TraceHeader header,
        IReadOnlyList<Checkpoint> checkpoints,
        IReadOnlyList<TraceEvent> events,
        SerialLog serial,
        EndRecord? end,
        IReadOnlyList<JsonObject> observationPoints,
        IReadOnlyList<JsonObject> otherRecords,
        string? incompleteReason = null)
    {
        SourcePath = sourcePath;
        Header = header;
        Checkpoints = checkpoints;
        CheckpointsByName = checkpoints.GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First());
        Events = events;
        Serial = serial;
        End = end;
        ObservationPoints = observationPoints;
        OtherRecords = otherRecords;
        IncompleteReason = incompleteReason
            ?? (end is null ? "no end record: the run did not finish"
                : !end.Complete ? $"the end record says complete:false (how: {end.How})"
                : null);
    }

    /// <summary>The file the trace was read from.</summary>
    public string SourcePath { get; }

    /// <summary>The header.</summary>
    public TraceHeader Header { get; }

    /// <summary>The checkpoints in the order recorded (boot order).</summary>
    public IReadOnlyList<Checkpoint> Checkpoints { get; }

    /// <summary>The checkpoints by name (the first of a name, should a name repeat).</summary>
    public IReadOnlyDictionary<string, Checkpoint> CheckpointsByName { get; }

    /// <summary>Frame allocations and frees, heap growths and heap mappings, in order of occurrence.</summary>
    public IReadOnlyList<TraceEvent> Events { get; }

    /// <summary>The system calls, in the order they returned (<c>redox-trace/2</c>; empty in older traces).</summary>
    public IReadOnlyList<SyscallRecord> Syscalls { get; init; } = [];

    /// <summary>The contexts' lifecycle events (clone, exec, exit, waitpid, signal), as written (<c>redox-trace/3</c>; empty in older traces).</summary>
    public IReadOnlyList<ProcessRecord> Processes { get; init; } = [];

    /// <summary>The user address spaces recorded (at exec, exit, …), as written (<c>redox-trace/3</c>; empty in older traces).</summary>
    public IReadOnlyList<AddressSpaceRecord> AddressSpaces { get; init; } = [];

    /// <summary>Every live context's state at the moments recorded (<c>redox-trace/4</c>; empty in older traces).</summary>
    public IReadOnlyList<ContextsRecord> Contexts { get; init; } = [];

    /// <summary>The serial output.</summary>
    public SerialLog Serial { get; }

    /// <summary>The end record, or null when the file has none.</summary>
    public EndRecord? End { get; }

    /// <summary>The <c>observation_points</c> records as written (what the observer could and could not watch).</summary>
    public IReadOnlyList<JsonObject> ObservationPoints { get; }

    /// <summary>Records of types this reader does not know, kept as written.</summary>
    public IReadOnlyList<JsonObject> OtherRecords { get; }

    /// <summary>
    /// True only when the trace has an end record that says <c>complete: true</c>. An incomplete trace
    /// is never to be compared as if it were whole.
    /// </summary>
    public bool IsComplete => IncompleteReason is null;

    /// <summary>Why the trace is incomplete, or null when it is complete.</summary>
    public string? IncompleteReason { get; }

    /// <summary>The frame allocations and frees, in order.</summary>
    public IEnumerable<TraceEvent> FrameEvents => Events.Where(e => e is FrameAllocEvent or FrameFreeEvent);

    /// <summary>The heap growths and mappings, in order.</summary>
    public IEnumerable<TraceEvent> HeapEvents => Events.Where(e => e is HeapExtendEvent or HeapMapEvent);

    /// <summary>A short name for messages: the file name with its folder.</summary>
    public string DisplayName =>
        Path.Combine(Path.GetFileName(Path.GetDirectoryName(SourcePath)) ?? "", Path.GetFileName(SourcePath));

    /// <summary>
    /// The checkpoint an event leads up to: the first checkpoint recorded after <paramref name="seq"/>,
    /// or null when none follows.
    /// </summary>
    public Checkpoint? CheckpointAfter(long seq)
    {
        foreach (var c in Checkpoints)
            if (c.Seq > seq) return c;
        return null;
    }
}
