using Harness.Diff;
using Harness.Report;
using Harness.Tests.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Tests.Report;

/// <summary>The comparisons the report tests render: the reference against itself, and against copies with one thing changed.</summary>
public static class ReportInputs
{
    public const string Scenario = "q35-2g-slot4m";

    /// <summary>The frame event whose frame the modified copy changes.</summary>
    public const int ChangedEvent = 500;

    public const ulong PlantedFrame = 0xdead000;

    public static TraceModel Reference() => TraceEdits.Load(Scenario);

    /// <summary>The reference compared with itself: equal everywhere.</summary>
    public static DiffSession Equal()
    {
        var a = Reference();
        return new DiffSession(a, a, TraceDiffer.Compare(a, a), null);
    }

    /// <summary>The reference against a copy whose frame event <see cref="ChangedEvent"/> returned another frame.</summary>
    public static DiffSession FrameChanged(DivergenceRegistry? registry = null)
    {
        var a = Reference();
        var b = ChangeFrame(a, ChangedEvent);
        return new DiffSession(a, b, TraceDiffer.Compare(a, b, registry: registry), null);
    }

    public static TraceModel ChangeFrame(TraceModel a, int frameEvent)
    {
        var target = a.FrameEvents.ElementAt(frameEvent);
        return a.EditEvent(a.Events.ToList().IndexOf(target), e => ((FrameAllocEvent)e) with { Frame = PlantedFrame }, "modified/observations.jsonl");
    }

    /// <summary>The reference against a copy where, at <paramref name="checkpoint"/>, the heap's first page lost its W flag and the TSS's rsp0 changed.</summary>
    public static DiffSession StateChanged(string checkpoint, ulong va)
    {
        var a = Reference();
        var b = a.EditCheckpoint(checkpoint, c =>
        {
            var edited = c.EditLeaf(va, e => e & ~0x2UL);
            var tss = (byte[])c.Descriptors!.Tss!.Clone();
            tss[4] ^= 0x10; // rsp0
            return edited with { Descriptors = c.Descriptors with { Tss = tss } };
        });
        return new DiffSession(a, b, TraceDiffer.Compare(a, b), null);
    }

    /// <summary>The reference against itself, both headers given section symbols over the kernel image (as a port's trace has).</summary>
    public static DiffSession Classified()
    {
        const ulong k = 0xffffff0000000000;
        var sections = new Dictionary<string, ulong>
        {
            ["__text_start"] = k + 0x100000, ["__text_end"] = k + 0x180000,
            ["__rodata_start"] = k + 0x180000, ["__rodata_end"] = k + 0x1b0000,
            ["__data_start"] = k + 0x1b0000, ["__data_end"] = k + 0x1c0000,
            ["__bss_start"] = k + 0x1c0000, ["__bss_end"] = k + 0x1f2000,
            ["__end"] = k + 0x1f2000,
        };
        var r = Reference();
        var a = r.With(header: r.Header.WithSections(sections));
        return new DiffSession(a, a, TraceDiffer.Compare(a, a), null);
    }

    private static TraceModel EditEvent(this TraceModel t, int index, Func<TraceEvent, TraceEvent> edit, string path) =>
        t.With(events: t.Events.Select((e, i) => i == index ? edit(e) : e).ToList(), path: path);
}
