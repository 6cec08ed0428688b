using Harness.Diff;
using Harness.Trace;

namespace Harness.Tests.Diff;

/// <summary>The diff on the original's own recordings: equal to itself, and each planted change found where it was planted.</summary>
public class ReferenceDiffTests
{
    public static TheoryData<string> Scenarios => new(Harness.Tests.Trace.RepoPaths.ReferenceScenarios);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Reference_against_itself_is_equal_everywhere(string scenario)
    {
        var t = TraceEdits.Load(scenario);
        var r = TraceDiffer.Compare(t, t);

        Assert.Equal(CellStatus.Equal, r.Status);
        Assert.True(r.Passed);
        Assert.Null(r.FirstDivergence);
        Assert.Empty(r.Differences);
        Assert.Equal(r.EventsCompared, r.EventsEqual);
        Assert.Equal(t.Events.Count, r.EventsCompared);
        Assert.All(r.Cells.Where(c => c.Checkpoint != BootOrder.AfterLast), c => Assert.Equal(CellStatus.Equal, c.Status));
    }

    [Fact]
    public void Different_scenarios_are_refused_naming_both_files_and_scenarios()
    {
        var a = TraceEdits.Load("q35-2g");
        var b = TraceEdits.Load("q35-2g-slot4m");

        var e = Assert.Throws<DiffRefusedException>(() => TraceDiffer.Compare(a, b));
        Assert.Contains(a.SourcePath, e.Message);
        Assert.Contains(b.SourcePath, e.Message);
        Assert.Contains("'q35-2g'", e.Message);
        Assert.Contains("'q35-2g-slot4m'", e.Message);
    }

    [Fact]
    public void Forced_comparison_of_different_slots_diverges_at_the_first_frame_allocation()
    {
        var a = TraceEdits.Load("q35-2g");
        var b = TraceEdits.Load("q35-2g-slot4m");

        var r = TraceDiffer.Compare(a, b, new DiffOptions { AllowScenarioMismatch = true });

        Assert.True(r.ScenarioMismatch);
        Assert.Equal(CellStatus.Diverged, r.Status);
        var f = r.FirstDivergence!;
        Assert.Equal(Observable.Frames, f.Observable);
        Assert.Equal("paging_done", f.Checkpoint);
        Assert.Equal(0, f.EventIndex);
        Assert.Equal("frames[0]", f.Path);
        Assert.Equal("alloc 1 → 0x1f4000 @paging", f.A);
        Assert.Equal("alloc 1 → 0x501000 @paging", f.B);
        Assert.StartsWith("kernel::arch::x86_64::paging::init", f.CallerA);
        Assert.StartsWith("kernel::arch::x86_64::paging::init", f.CallerB);
        Assert.Contains("0x1f4000", f.Sentence);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.FrameAllocator, "memory_done").Status);
    }

    [Theory]
    [InlineData(0, "paging_done")]
    [InlineData(500, "graphical_debug_done")]
    [InlineData(1052, "acpi_done")]
    public void One_frame_changed_at_event_N_diverges_first_at_N(int n, string checkpoint)
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var frameEvents = a.FrameEvents.ToList();
        var target = (FrameAllocEvent)frameEvents[n];
        var index = a.Events.ToList().IndexOf(target);
        var b = a.EditEvent(index, e => ((FrameAllocEvent)e) with { Frame = 0xdead000 });

        var r = TraceDiffer.Compare(a, b);

        Assert.Equal(CellStatus.Diverged, r.Status);
        var f = r.FirstDivergence!;
        Assert.Equal(n, f.EventIndex);
        Assert.Equal(checkpoint, f.Checkpoint);
        Assert.Equal(target.Seq, f.SeqA);
        Assert.Equal("0xdead000", f.B!.Split(' ')[3]);
        Assert.Single(r.Divergences);
        Assert.Equal(CellStatus.Diverged, r.Cell(Observable.Frames, checkpoint).Status);
        Assert.Equal(r.EventsCompared - 1, r.EventsEqual);
    }

    [Fact]
    public void A_missing_event_is_found_at_its_index()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var events = a.Events.ToList();
        var target = a.FrameEvents.ElementAt(300);
        events.Remove(target);
        var r = TraceDiffer.Compare(a, a.With(events: events));

        Assert.Equal(300, r.FirstDivergence!.EventIndex);
        Assert.Equal(Observable.Frames, r.FirstDivergence.Observable);
    }

    [Fact]
    public void Incomplete_trace_is_refused_unless_its_prefix_is_asked_for()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var cutSeq = a.FrameEvents.ElementAt(600).Seq;
        var b = a.With(
            checkpoints: a.Checkpoints.Where(c => c.Seq < cutSeq).ToList(),
            events: a.Events.Where(e => e.Seq < cutSeq).ToList(),
            dropEnd: true);
        Assert.False(b.IsComplete);

        var e = Assert.Throws<DiffRefusedException>(() => TraceDiffer.Compare(a, b));
        Assert.Contains(b.SourcePath, e.Message);
        Assert.Contains("incomplete", e.Message);

        var r = TraceDiffer.Compare(a, b, new DiffOptions { CompareIncompletePrefix = true });
        Assert.Equal(CellStatus.Incomplete, r.Status);
        Assert.False(r.Passed);
        Assert.False(r.Complete);
        Assert.Null(r.FirstDivergence);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.Frames, "heap_done").Status);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.PageTables, "heap_done").Status);
        Assert.Equal(CellStatus.Incomplete, r.Cell(Observable.Frames, "graphical_debug_done").Status);
        Assert.Equal(CellStatus.Incomplete, r.Cell(Observable.PageTables, "kmain").Status);
        Assert.Equal(CellStatus.Incomplete, r.Cell(Observable.Heap, "panic").Status);
    }

    [Fact]
    public void Incomplete_prefix_with_a_difference_inside_it_diverges()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.With(end: a.End! with { Complete = false, How = EndHow.Timeout })
            .EditEvent(0, e => ((FrameAllocEvent)e) with { Frame = 0x999000 });

        var r = TraceDiffer.Compare(a, b, new DiffOptions { CompareIncompletePrefix = true });
        Assert.Equal(CellStatus.Diverged, r.Status);
        Assert.False(r.Complete);
        Assert.Equal(0, r.FirstDivergence!.EventIndex);
    }

    [Fact]
    public void A_boot_that_ends_early_diverges_at_the_first_checkpoint_it_missed()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var kmainSeq = a.CheckpointsByName["kmain"].Seq;
        var b = a.With(checkpoints: a.Checkpoints.Where(c => c.Seq < kmainSeq || c.Name == "panic").ToList());

        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Diverged, r.Status);
        Assert.Equal("kmain", r.FirstDivergence!.Checkpoint);
        Assert.Null(r.FirstDivergence.B);
        Assert.Contains("never did", r.FirstDivergence.Sentence);
    }

    [Fact]
    public void Text_report_names_the_first_divergence()
    {
        var a = TraceEdits.Load("no-free-above-kernel");
        var b = a.EditEvent(0, e => ((FrameAllocEvent)e) with { Frame = 0x123000 });
        var text = DiffText.Format(TraceDiffer.Compare(a, b));

        Assert.Contains("status: DIVERGED", text);
        Assert.Contains("first divergence: frames @ panic, frames[0]", text);
        Assert.Contains("B: alloc 1 → 0x123000 @paging", text);
    }
}
