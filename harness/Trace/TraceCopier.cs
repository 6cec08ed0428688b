namespace Harness.Trace;

/// <summary>
/// Writes an in-memory <see cref="Trace"/> out again as <c>redox-trace/4</c>, every record in its original
/// order (by seq): a way to convert a reference recording, or to save a trace built or changed in memory.
/// </summary>
public static class TraceCopier
{
    /// <summary>
    /// Writes <paramref name="trace"/> to <paramref name="finalPath"/>. Serial output read from a separate
    /// serial.log becomes one <c>serial</c> record just before the end. A trace without an end record is left
    /// as <c>.partial</c>, as its run left it. Returns the path written.
    /// </summary>
    public static string Copy(Trace trace, string finalPath, TraceHeader? header = null)
    {
        using var w = new TraceWriter(finalPath);
        w.WriteHeader(header ?? trace.Header);

        var records = new List<(long Seq, int Order, Action Write)>();
        foreach (var o in trace.ObservationPoints)
            records.Add(((long?)o["seq"] ?? 0, 0, () => w.WriteObservationPoints(o)));
        foreach (var c in trace.Checkpoints)
        {
            records.Add((c.Seq, 0, () => w.WriteCheckpoint(new CheckpointRecord(c.Seq, c.Name, c.Regs))));
            if (c.PageTables is { } p) records.Add((p.Seq, 0, () => w.WritePageTables(p)));
            if (c.Descriptors is { } d) records.Add((d.Seq, 0, () => w.WriteDescriptors(d)));
            if (c.FrameAllocator is { } f) records.Add((f.Seq, 0, () => w.WriteFrameAllocator(f)));
            if (c.Heap is { } h) records.Add((h.Seq, 0, () => w.WriteHeap(h)));
        }
        foreach (var e in trace.Events) records.Add((e.Seq, 0, () => w.WriteEvent(e)));
        foreach (var s in trace.Syscalls) records.Add((s.Seq, 0, () => w.WriteSyscall(s)));
        foreach (var p in trace.Processes) records.Add((p.Seq, 0, () => w.WriteProcess(p)));
        foreach (var a in trace.AddressSpaces) records.Add((a.Seq, 0, () => w.WriteAddressSpace(a)));
        foreach (var c in trace.Contexts) records.Add((c.Seq, 0, () => w.WriteContexts(c)));
        foreach (var s in trace.Serial.Chunks)
            records.Add((s.Seq == 0 ? long.MaxValue : s.Seq, 1, () => w.WriteSerial(s.Bytes)));

        foreach (var r in records.OrderBy(r => r.Seq).ThenBy(r => r.Order)) r.Write();
        if (trace.End is { } end) w.WriteEnd(end);
        return trace.End is null ? w.PartialPath : w.FinalPath; // the partial one once w is disposed
    }
}
