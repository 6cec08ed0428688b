using Harness.Trace;

namespace Harness.Tests.Trace;

/// <summary>What <see cref="TraceWriter"/> writes, <see cref="TraceReader"/> reads back unchanged.</summary>
public class RoundTripTests
{
    [Fact]
    public void Writer_output_reads_back_field_for_field()
    {
        using var dir = new TempDir();
        var path = dir.File("sample.jsonl");
        using (SampleTrace.Write(path)) { }

        Assert.True(File.Exists(path));
        Assert.False(File.Exists(path + TraceFormat.PartialSuffix));
        var t = TraceReader.Read(path);

        Assert.True(t.IsComplete);
        Assert.Equal(TraceFormat.Current, t.Header.Format);
        var h = SampleTrace.Header;
        Assert.Equal(h.Scenario, t.Header.Scenario);
        Assert.Equal(h.KernelSlot, t.Header.KernelSlot);
        Assert.Equal(h.Args, t.Header.Args);
        Assert.Equal(h.ArgsPtr, t.Header.ArgsPtr);
        Assert.Equal(h.E820WrittenByObserver, t.Header.E820WrittenByObserver);
        Assert.Equal(h.QemuVersion, t.Header.QemuVersion);
        Assert.Equal(h.QemuArgs, t.Header.QemuArgs);
        Assert.Equal(h.HarnessVersion, t.Header.HarnessVersion);
        Assert.Equal(h.ObservationMap, t.Header.ObservationMap);
        Assert.Equal(KernelKind.Port, t.Header.Kernel.Which);
        Assert.Equal(h.Kernel.Path, t.Header.Kernel.Path);
        Assert.Equal(h.Kernel.Sha256, t.Header.Kernel.Sha256);
        Assert.Equal(h.Kernel.Sections.Symbols.OrderBy(s => s.Key), t.Header.Kernel.Sections.Symbols.OrderBy(s => s.Key));
        Assert.Equal("text", t.Header.Kernel.Sections.Classify(0xffffff0000101000));
        Assert.Equal(h.Kernel.Statics["tss"], t.Header.Kernel.Statics["tss"]);

        Assert.Equal(["entry", "kmain"], t.Checkpoints.Select(c => c.Name));
        var entry = t.Checkpoints[0];
        Assert.Equal(SampleTrace.Regs.Gdtr, entry.Regs.Gdtr);
        Assert.Equal(SampleTrace.Regs.Tr, entry.Regs.Tr);
        Assert.Equal(SampleTrace.Regs.Segments["fs"], entry.Regs.Segments["fs"]);
        Assert.Equal(0x6b0UL, entry.Regs.Cr4);
        Assert.Equal(0x71023UL, entry.PageTables!.Tables[0].Entries[0]);
        Assert.Equal(0x0007040100070406UL, entry.PageTables.Pat);
        Assert.Equal("Cannot access memory at address 0x0", entry.Descriptors!.Error);
        Assert.Equal(new byte[8], entry.Descriptors.Gdt);
        Assert.False(entry.Heap!.Initialised);
        Assert.Equal([new FrameRange(0x615000, 2)], t.Checkpoints[1].FrameAllocator!.Recycled);
        Assert.Equal([new HeapHole(0xfffffe8000000010, 16)], t.Checkpoints[1].Heap!.Holes);

        Assert.Equal(["frame_alloc", "frame_alloc", "heap_map", "heap_extend", "frame_free"], t.Events.Select(e => e.Type));
        var a = Assert.IsType<FrameAllocEvent>(t.Events[0]);
        Assert.Equal((0x501000UL, "<Paging as Init>::init + 77", "memory::allocate_frames"), (a.Frame!.Value, a.Caller, a.Via));
        Assert.Null(Assert.IsType<FrameAllocEvent>(t.Events[1]).Frame);
        Assert.Equal(0xfffffe8000000000UL, Assert.IsType<HeapMapEvent>(t.Events[2]).Offset);
        Assert.Equal(2UL, Assert.IsType<FrameFreeEvent>(t.Events[4]).Count);

        byte[] serial = [.. "Kernel: 100000:500000\nPANIC: "u8, .. "\u00e9\x1b!\nHALT\n"u8, 0xff];
        Assert.Equal(serial, t.Serial.Bytes);
        Assert.Equal(2, t.Serial.Chunks.Count);

        var end = t.End!;
        Assert.Equal(EndHow.Kmain, end.How);
        Assert.True(end.ReachedKmain);
        Assert.Equal(t.Events[^1].Seq, end.LastEventSeq);
        Assert.Equal(2, end.Counters["checkpoint"]);
        Assert.Equal(2, end.Counters["frame_alloc"]);
        Assert.Equal(1, end.Counters["header"]);
        Assert.EndsWith("HALT\n\u00ff", end.SerialTail);
        Assert.Equal(1.5, end.WallSeconds);
    }

    [Fact]
    public void Seq_is_monotonic_from_one()
    {
        using var dir = new TempDir();
        var path = dir.File("s.jsonl");
        using (SampleTrace.Write(path)) { }
        var seqs = File.ReadAllLines(path).Select(l => (long)System.Text.Json.Nodes.JsonNode.Parse(l)!["seq"]!).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
    }

    [Theory]
    [InlineData("q35-2g-slot4m")]
    [InlineData("no-free-above-kernel")]
    public void Reference_converted_to_redox_trace_reads_the_same(string scenario)
    {
        using var dir = new TempDir();
        var original = TraceReader.Read(RepoPaths.Reference(scenario));
        var copy = TraceReader.Read(TraceCopier.Copy(original, dir.File("copy.jsonl")));

        Assert.Equal(TraceFormat.Current, copy.Header.Format);
        Assert.True(copy.IsComplete);
        Assert.Equal(original.Header.Args, copy.Header.Args);
        Assert.Equal(original.Events.Count, copy.Events.Count);
        // Same records in the same order: seqs carry over where the original had no gaps.
        Assert.Equal(original.Events.Select(e => e with { Seq = 0 }), copy.Events.Select(e => e with { Seq = 0 }));
        Assert.Equal(original.Checkpoints.Select(c => c.Name), copy.Checkpoints.Select(c => c.Name));
        for (var i = 0; i < original.Checkpoints.Count; i++)
        {
            var (o, c) = (original.Checkpoints[i], copy.Checkpoints[i]);
            Assert.Equal(o.Regs.Gdtr, c.Regs.Gdtr);
            Assert.Equal(o.Regs.Tr, c.Regs.Tr);
            Assert.Equal(o.Regs.Segments.OrderBy(s => s.Key), c.Regs.Segments.OrderBy(s => s.Key));
            Assert.Equal(o.PageTables!.Tables.Count, c.PageTables!.Tables.Count);
            for (var t = 0; t < o.PageTables.Tables.Count; t++)
                Assert.Equal(o.PageTables.Tables[t].Entries, c.PageTables.Tables[t].Entries);
            Assert.Equal(o.Descriptors!.Idt, c.Descriptors!.Idt);
            Assert.Equal(o.Descriptors.Error, c.Descriptors.Error);
            Assert.Equal(o.FrameAllocator!.Recycled, c.FrameAllocator!.Recycled);
            Assert.Equal(o.Heap!.Holes, c.Heap!.Holes);
        }
        Assert.Equal(original.Serial.Bytes, copy.Serial.Bytes);
        Assert.Equal(original.End!.How, copy.End!.How);
    }
}
