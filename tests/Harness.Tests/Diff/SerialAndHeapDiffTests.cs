using Harness.Diff;
using Harness.Trace;

namespace Harness.Tests.Diff;

/// <summary>Serial output line by line; heap growth events and heap state.</summary>
public class SerialAndHeapDiffTests
{
    [Fact]
    public void A_changed_serial_line_is_found_by_number()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var text = a.Serial.Text.Replace("Starting graphical debug", "Starting graphical debug!");
        var b = a.With(serial: new SerialLog([new SerialChunk(0, System.Text.Encoding.Latin1.GetBytes(text))], "edited"));

        var r = TraceDiffer.Compare(a, b);
        var cell = r.Cell(Observable.Serial, BootOrder.WholeLog);
        Assert.Equal(CellStatus.Diverged, cell.Status);
        var d = Assert.Single(cell.Differences);
        var line = a.Serial.Lines.ToList().IndexOf("Starting graphical debug") + 1;
        Assert.Equal($"serial.line[{line}]", d.Path);
        Assert.Equal("Starting graphical debug!", d.B);
    }

    [Fact]
    public void Serial_recorded_by_one_side_only_is_never_equal()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var r = TraceDiffer.Compare(a, a.With(serial: SerialLog.None));
        var cell = r.Cell(Observable.Serial, BootOrder.WholeLog);
        Assert.Equal(CellStatus.NotObserved, cell.Status);
        Assert.True(cell.OneSided);
        Assert.Equal(CellStatus.Incomplete, r.Status);
    }

    [Fact]
    public void A_heap_growth_of_another_size_diverges_at_that_growth()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var extend = a.Events.OfType<HeapExtendEvent>().ElementAt(1);
        var b = a.EditEvent(a.Events.ToList().IndexOf(extend), e => ((HeapExtendEvent)e) with { By = 0x200000 });

        var f = TraceDiffer.Compare(a, b).FirstDivergence!;
        Assert.Equal(Observable.Heap, f.Observable);
        Assert.Equal("heap.events[3]", f.Path);
        Assert.Equal("graphical_debug_done", f.Checkpoint);
        Assert.Equal(extend.Seq, f.SeqA);
    }

    [Fact]
    public void Heap_size_and_holes_are_compared_at_each_checkpoint()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("acpi_done", c => c with { Heap = c.Heap! with { Size = 0x300000 } })
            .EditCheckpoint("kmain", c => c with { Heap = c.Heap! with { Holes = [.. c.Heap.Holes.Take(3), new HeapHole(1, 2)] } });

        var r = TraceDiffer.Compare(a, b);
        Assert.Equal("heap.size", r.FirstDivergence!.Path);
        Assert.Equal("acpi_done", r.FirstDivergence.Checkpoint);
        var holes = r.Cell(Observable.Heap, "kmain").Differences.Single();
        Assert.Equal("heap.holes", holes.Path);
        Assert.Contains("#3", holes.A);
    }

    [Fact]
    public void Frame_allocator_state_is_compared_exactly()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("graphical_debug_fini_done", c => c with { FrameAllocator = c.FrameAllocator! with { Recycled = [] } });
        var f = TraceDiffer.Compare(a, b).FirstDivergence!;
        Assert.Equal("frame_allocator.recycled", f.Path);
        Assert.Equal("[0x615000×2]", f.A);
        Assert.Equal("[]", f.B);
    }
}
