using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Tests.Diff;

/// <summary>Copies of a trace with one thing changed, built in memory: the inputs of the diff's own tests.</summary>
public static class TraceEdits
{
    public static TraceModel Load(string scenario) => TraceReader.Read(Harness.Tests.Trace.RepoPaths.Reference(scenario));

    public static TraceModel With(
        this TraceModel t,
        TraceHeader? header = null,
        IReadOnlyList<Checkpoint>? checkpoints = null,
        IReadOnlyList<TraceEvent>? events = null,
        SerialLog? serial = null,
        EndRecord? end = null,
        bool dropEnd = false,
        string? path = null) =>
        new(path ?? t.SourcePath + ".edited", header ?? t.Header, checkpoints ?? t.Checkpoints, events ?? t.Events,
            serial ?? t.Serial, dropEnd ? null : end ?? t.End, t.ObservationPoints, t.OtherRecords);

    /// <summary>Replaces event <paramref name="index"/> (counting all events) using <paramref name="edit"/>.</summary>
    public static TraceModel EditEvent(this TraceModel t, int index, Func<TraceEvent, TraceEvent> edit) =>
        t.With(events: t.Events.Select((e, i) => i == index ? edit(e) : e).ToList());

    /// <summary>Replaces the checkpoint named <paramref name="name"/> using <paramref name="edit"/>.</summary>
    public static TraceModel EditCheckpoint(this TraceModel t, string name, Func<Checkpoint, Checkpoint> edit) =>
        t.With(checkpoints: t.Checkpoints.Select(c => c.Name == name ? edit(c) : c).ToList());

    /// <summary>Applies <paramref name="edit"/> to every checkpoint.</summary>
    public static TraceModel EditCheckpoints(this TraceModel t, Func<Checkpoint, Checkpoint> edit) =>
        t.With(checkpoints: t.Checkpoints.Select(edit).ToList());

    /// <summary>Changes one raw entry of the page table that maps <paramref name="va"/> at level 1.</summary>
    public static Checkpoint EditLeaf(this Checkpoint c, ulong va, Func<ulong, ulong> edit)
    {
        var tables = c.PageTables!.Tables.Select(t =>
        {
            if (t.Level != 1 || va < t.Va || va >= t.Va + 0x200000) return t;
            var index = (int)((va - t.Va) >> 12);
            var entries = new SortedDictionary<int, ulong>(t.Entries.ToDictionary());
            entries[index] = edit(entries[index]);
            return t with { Entries = entries };
        }).ToList();
        return c with { PageTables = c.PageTables with { Tables = tables } };
    }

    /// <summary>Changes every level-1 entry for which <paramref name="where"/> (va, raw entry) holds.</summary>
    public static Checkpoint EditLeaves(this Checkpoint c, Func<ulong, ulong, bool> where, Func<ulong, ulong> edit)
    {
        if (c.PageTables is null) return c;
        var tables = c.PageTables.Tables.Select(t =>
        {
            if (t.Level != 1) return t;
            var entries = new SortedDictionary<int, ulong>();
            foreach (var (i, e) in t.Entries)
                entries[i] = i != 0 && where(t.Va + ((ulong)i << 12), e) ? edit(e) : e;
            return t with { Entries = entries };
        }).ToList();
        return c with { PageTables = c.PageTables with { Tables = tables } };
    }

    public static TraceHeader WithSections(this TraceHeader h, IReadOnlyDictionary<string, ulong> sections,
        IReadOnlyDictionary<string, KernelStatic>? statics = null) =>
        h with { Kernel = h.Kernel with { Sections = new KernelSections(sections), Statics = statics ?? h.Kernel.Statics } };
}
