using System.Text.Json.Nodes;
using Harness.Trace;

namespace Harness.Unicorn;

/// <summary>
/// A trace cut at a checkpoint, so that an in-process run that stops there and a whole QEMU boot compare
/// equal up to it: the checkpoints up to and including the stop, the events before it, and the serial log up
/// to what the stopped run printed (see <see cref="CutSerial"/>).
/// </summary>
public static class TracePrefix
{
    /// <summary>
    /// <paramref name="trace"/> up to and including checkpoint <paramref name="stop"/>; a trace that never reached it
    /// (it panicked or ended before) is returned whole. <paramref name="serialUpTo"/>: the other side's serial log
    /// (the stopped run's), to cut this one's at the same point; null keeps the serial log whole.
    /// </summary>
    public static Trace.Trace UpTo(Trace.Trace trace, string stop, byte[]? serialUpTo)
    {
        if (!trace.CheckpointsByName.TryGetValue(stop, out var at))
            return serialUpTo is null ? trace : WithSerial(trace, trace.Checkpoints, trace.Events, CutSerial(trace.Serial.Bytes, serialUpTo), trace.End);
        var checkpoints = trace.Checkpoints.Where(c => c.Seq <= at.Seq).ToList();
        var events = trace.Events.Where(e => e.Seq < at.Seq).ToList();
        var serial = serialUpTo is null ? trace.Serial.Bytes : CutSerial(trace.Serial.Bytes, serialUpTo);
        var end = (trace.End ?? new EndRecord { Seq = 0, Complete = true, How = "?", ReachedKmain = false }) with
        {
            Complete = true,
            How = $"cut at {stop} (the whole boot: {trace.End?.How ?? "no end record"})",
            ReachedKmain = false,
            LastEventSeq = events.Count > 0 ? events[^1].Seq : null,
        };
        return WithSerial(trace, checkpoints, events, serial, end);
    }

    /// <summary>
    /// This log cut where <paramref name="prefix"/> ends, when it starts with it: at a line's end when the prefix ends
    /// one, else at the end of the line the prefix stops inside (so a half line shows as a difference). A log that
    /// does not start with the prefix is cut after as many lines as the prefix has, so the first differing line shows.
    /// </summary>
    public static byte[] CutSerial(byte[] log, byte[] prefix)
    {
        if (log.AsSpan().StartsWith(prefix))
        {
            if (prefix.Length == 0 || prefix[^1] == (byte)'\n' || prefix.Length == log.Length) return log[..prefix.Length];
            var nl = Array.IndexOf(log, (byte)'\n', prefix.Length);
            return nl < 0 ? log : log[..nl];
        }
        var lines = prefix.Count(b => b == (byte)'\n') + (prefix.Length > 0 && prefix[^1] != (byte)'\n' ? 1 : 0);
        var pos = 0;
        for (var i = 0; i < lines && pos < log.Length; i++)
        {
            var nl = Array.IndexOf(log, (byte)'\n', pos);
            pos = nl < 0 ? log.Length : nl + 1;
        }
        return log[..pos];
    }

    /// <summary>
    /// The trace without its kernel's section symbols, so that the diff compares kernel image pages as the gate
    /// does with the reference (which has none): as runs of equal flags, not as sets of (section, flags) — the two
    /// binaries' sections differ (the port has a .tdata page, the original none).
    /// </summary>
    public static Trace.Trace WithoutSections(Trace.Trace t) =>
        new(t.SourcePath, t.Header with { Kernel = t.Header.Kernel with { Sections = KernelSections.Empty } }, t.Checkpoints, t.Events, t.Serial, t.End,
            t.ObservationPoints, t.OtherRecords, t.IncompleteReason);

    /// <summary>
    /// The frame allocator's and heap's state records of <paramref name="t"/> dropped when <paramref name="other"/> has
    /// none of that kind (its map does not say where they are): what one side cannot observe is not compared.
    /// </summary>
    public static Trace.Trace StatesAsIn(Trace.Trace t, Trace.Trace other)
    {
        var fa = other.Checkpoints.Any(c => c.FrameAllocator is not null);
        var heap = other.Checkpoints.Any(c => c.Heap is not null);
        if (fa && heap) return t;
        var checkpoints = t.Checkpoints.Select(c => c with { FrameAllocator = fa ? c.FrameAllocator : null, Heap = heap ? c.Heap : null }).ToList();
        return new(t.SourcePath, t.Header, checkpoints, t.Events, t.Serial, t.End, t.ObservationPoints, t.OtherRecords, t.IncompleteReason);
    }

    /// <summary><paramref name="t"/> with its serial log replaced by <paramref name="serial"/> (a cut of it).</summary>
    public static Trace.Trace WithSerialLog(Trace.Trace t, byte[] serial) =>
        new(t.SourcePath, t.Header, t.Checkpoints, t.Events,
            serial.Length == 0 && !t.Serial.Observed ? SerialLog.None : new SerialLog([new SerialChunk(0, serial)], t.Serial.Source ?? "cut"),
            t.End, t.ObservationPoints, t.OtherRecords, t.IncompleteReason);

    private static Trace.Trace WithSerial(Trace.Trace t, IReadOnlyList<Checkpoint> checkpoints, IReadOnlyList<TraceEvent> events, byte[] serial, EndRecord? end) =>
        new(t.SourcePath + $" (up to {checkpoints.LastOrDefault()?.Name ?? "the start"})", t.Header, checkpoints, events,
            serial.Length == 0 && !t.Serial.Observed ? SerialLog.None : new SerialLog([new SerialChunk(0, serial)], t.Serial.Source ?? "cut"),
            end, t.ObservationPoints, [], end is { Complete: true } ? null : t.IncompleteReason);
}
