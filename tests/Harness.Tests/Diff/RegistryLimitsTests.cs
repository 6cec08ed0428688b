using Harness.Diff;
using Harness.Trace;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Tests.Diff;

/// <summary>
/// divergences.toml entries accept exactly what their reason says: <c>only_bits</c> accepts a difference in the named
/// flags only (same frame, same other flags), <c>from</c>/<c>before</c> only at the checkpoints named, and a serial
/// entry limited to after <c>kmain</c> only lines written after that checkpoint. Input: the original's recording of
/// q35-64m (it has serial records, so lines have a place among the checkpoints), edited in memory.
/// </summary>
public class RegistryLimitsTests
{
    private const string File = "divergences.toml";
    private const ulong HeapPage = 0xfffffe8000000000; // the kernel heap's first page
    private const ulong Accessed = 1UL << 5, Dirty = 1UL << 6, Writable = 1UL << 1;

    private static TraceModel Port() => TraceEdits.Load("q35-64m");

    private const string AccessedDirty = """
        [[divergence]]
        id = "ad-heap"
        observable = "page_tables"
        path = "page_tables.leaf[0xfffffe80*]"
        only_bits = ["A", "D"]
        reason = "accessed/dirty bits of heap pages"
        """;

    [Fact]
    public void Only_bits_accepts_a_leaf_that_differs_in_accessed_and_dirty_only()
    {
        var a = Port();
        var b = a.EditCheckpoint("kmain", c => c.EditLeaf(HeapPage, e => e ^ Accessed ^ Dirty));
        var r = TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(AccessedDirty, File));
        Assert.Equal(CellStatus.Accepted, r.Status);
        Assert.Equal("ad-heap", Assert.Single(r.Accepted).Entry.Id);
    }

    [Fact]
    public void Only_bits_refuses_a_leaf_mapped_to_another_frame_even_with_the_same_flags()
    {
        var a = Port();
        var b = a.EditCheckpoint("kmain", c => c.EditLeaf(HeapPage, e => (e ^ Accessed) + 0x1000));
        var r = TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(AccessedDirty, File));
        Assert.Equal(CellStatus.Diverged, r.Status);
        Assert.Equal($"page_tables.leaf[0x{HeapPage:x}]", r.FirstDivergence!.Path);
    }

    [Fact]
    public void Only_bits_refuses_another_flag()
    {
        var a = Port();
        var b = a.EditCheckpoint("kmain", c => c.EditLeaf(HeapPage, e => e ^ Writable));
        Assert.Equal(CellStatus.Diverged, TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(AccessedDirty, File)).Status);
    }

    [Theory]
    [InlineData("0x1000 P W A G NX", "0x1000 P W D G NX", true)]
    [InlineData("0x1000 P W G NX", "0x1000 P W A D G NX", true)]
    [InlineData("0x1000 P W G NX", "0x2000 P W G NX", false)]
    [InlineData("0x1000 P W G NX", "0x1000 P G NX", false)]
    [InlineData("0x1000 P W G NX", null, false)]
    public void Differ_only_in(string a, string? b, bool expected) =>
        Assert.Equal(expected, AcceptedDivergence.DifferOnlyIn(a, b, ["A", "D"]));

    private const string HeapFromAcpi = """
        [[divergence]]
        id = "heap-from-acpi"
        observable = "heap"
        from = "acpi_done"
        path = "heap.holes"
        reason = "heap contents after ACPI"
        """;

    private static TraceModel HolesChangedAt(TraceModel t, string checkpoint) =>
        t.EditCheckpoint(checkpoint, c => c with { Heap = c.Heap! with { Holes = [.. c.Heap.Holes, new HeapHole(0xfffffe8000f00000, 64)] } });

    [Fact]
    public void From_accepts_at_and_after_its_checkpoint()
    {
        var a = Port();
        var b = HolesChangedAt(HolesChangedAt(a, "acpi_done"), "kmain");
        var r = TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(HeapFromAcpi, File));
        Assert.Equal(CellStatus.Accepted, r.Status);
        Assert.Equal(2, Assert.Single(r.Accepted).Count);
    }

    [Fact]
    public void From_refuses_before_its_checkpoint()
    {
        var a = Port();
        var b = HolesChangedAt(a, "device_done");
        var r = TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(HeapFromAcpi, File));
        Assert.Equal(CellStatus.Diverged, r.Status);
        Assert.Equal("device_done", r.FirstDivergence!.Checkpoint);
        Assert.Empty(r.Accepted);
    }

    [Fact]
    public void Before_is_exclusive()
    {
        var a = Port();
        var registry = DivergenceRegistry.Parse(HeapFromAcpi.Replace("from = \"acpi_done\"", "before = \"acpi_done\""), File);
        Assert.Equal(CellStatus.Accepted, TraceDiffer.Compare(a, HolesChangedAt(a, "device_done"), registry: registry).Status);
        Assert.Equal(CellStatus.Diverged, TraceDiffer.Compare(a, HolesChangedAt(a, "acpi_done"), registry: registry).Status);
    }

    private const string SerialAfterKmain = """
        [[divergence]]
        id = "ends-at-kmain"
        observable = "serial"
        path = "serial.line[*]"
        b = "(none)"
        from = "kmain"
        reason = "the port stops at kmain"
        """;

    /// <summary>A with one more serial line written after its kmain checkpoint (as the original's BSP: line).</summary>
    private static TraceModel WithLineAfterKmain(TraceModel t)
    {
        var kmain = t.CheckpointsByName["kmain"].Seq;
        var chunks = t.Serial.Chunks.Append(new SerialChunk(kmain + 1, "BSP: 0 0\n"u8.ToArray())).ToList();
        return t.With(serial: new SerialLog(chunks, null));
    }

    [Fact]
    public void A_serial_line_missing_after_kmain_is_accepted()
    {
        var b = Port();
        var a = WithLineAfterKmain(b);
        var r = TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(SerialAfterKmain, File));
        Assert.Equal(CellStatus.Accepted, r.Status);
        Assert.Equal("ends-at-kmain", Assert.Single(r.Accepted).Entry.Id);
    }

    [Fact]
    public void Serial_lines_missing_after_kmain_only_are_accepted()
    {
        var a = Port();
        var kmain = a.CheckpointsByName["kmain"].Seq;
        Assert.Contains(a.Serial.Chunks, c => c.Seq > kmain); // the original goes on after kmain (BSP:, the init panic)
        var b = a.With(serial: new SerialLog(a.Serial.Chunks.Where(c => c.Seq < kmain).ToList(), null));
        var r = TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(SerialAfterKmain, File));
        Assert.Null(r.FirstDivergence);
        Assert.Equal("ends-at-kmain", Assert.Single(r.Accepted).Entry.Id);
    }

    [Fact]
    public void A_serial_line_missing_before_kmain_is_a_divergence()
    {
        var a = Port();
        // B ends at kmain as the port does, and lost its last serial chunk before kmain too: a line A wrote before kmain.
        var kmain = a.CheckpointsByName["kmain"].Seq;
        var before = a.Serial.Chunks.Where(c => c.Seq < kmain).ToList();
        var b = a.With(serial: new SerialLog(before.Take(before.Count - 1).ToList(), null));
        var r = TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(SerialAfterKmain, File));
        Assert.Equal(CellStatus.Diverged, r.Status);
        Assert.StartsWith("serial.line[", r.FirstDivergence!.Path);
        Assert.Null(r.FirstDivergence.B);
        Assert.NotEmpty(r.Accepted); // the lines after kmain still are
    }

    [Fact]
    public void A_serial_line_without_a_place_is_not_accepted_by_a_limited_entry()
    {
        var b = Port();
        var a = WithLineAfterKmain(b);
        a = a.With(serial: new SerialLog([new SerialChunk(0, a.Serial.Bytes)], "serial.log"));
        var r = TraceDiffer.Compare(a, b, registry: DivergenceRegistry.Parse(SerialAfterKmain, File));
        Assert.Equal(CellStatus.Diverged, r.Status);
    }

    [Theory]
    [InlineData("only_bits = \"A\"", "'only_bits' must be a non-empty array")]
    [InlineData("only_bits = []", "'only_bits' must be a non-empty array")]
    [InlineData("from = 3", "'from' must be a string")]
    public void Malformed_limits_name_the_line(string line, string problem)
    {
        var text = $"[[divergence]]\nid = \"x\"\nobservable = \"heap\"\npath = \"heap.free\"\nreason = \"r\"\n{line}\n";
        var e = Assert.Throws<RegistryFormatException>(() => DivergenceRegistry.Parse(text, File));
        Assert.Equal(6, e.Line);
        Assert.Contains(problem, e.Message);
    }
}
