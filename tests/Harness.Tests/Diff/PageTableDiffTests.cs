using Harness.Diff;

namespace Harness.Tests.Diff;

/// <summary>Kernel image pages are compared by section class and flags, never by address; everything else exactly.</summary>
public class PageTableDiffTests
{
    private const ulong TextPage = 0xffffff0000130000; // in the original's text (PT 0x507000, index 0x130)
    private const ulong Writable = 1UL << 1;
    private const ulong Accessed = 1UL << 5;
    private const ulong NoExecute = 1UL << 63;

    [Fact]
    public void A_flag_flipped_on_a_kernel_text_page_diverges_at_that_checkpoint()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("kmain", c => c.EditLeaf(TextPage, e => e | Writable));

        var r = TraceDiffer.Compare(a, b);

        Assert.Equal(CellStatus.Diverged, r.Cell(Observable.PageTables, "kmain").Status);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.PageTables, "graphical_debug_fini_done").Status);
        Assert.Equal(CellStatus.Equal, r.Cell(Observable.PageTables, "panic").Status);
        var f = r.FirstDivergence!;
        Assert.Equal("page_tables.image", f.Path);
        Assert.Equal("kmain", f.Checkpoint);
        Assert.Contains("P W G", f.Sentence);
    }

    [Fact]
    public void Clearing_no_execute_on_one_data_page_is_caught_too()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("paging_done", c => c.EditLeaf(0xffffff00001c0000, e => e & ~NoExecute));
        var r = TraceDiffer.Compare(a, b);
        Assert.Equal("paging_done", r.FirstDivergence!.Checkpoint);
        Assert.Equal("page_tables.image", r.FirstDivergence.Path);
    }

    [Fact]
    public void Accessed_bit_on_image_pages_is_normalised_away()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("kmain", c => c.EditLeaf(TextPage, e => e ^ Accessed));
        Assert.Equal(CellStatus.Equal, TraceDiffer.Compare(a, b).Status);
    }

    [Fact]
    public void Image_pages_at_other_physical_frames_with_the_same_flags_are_equal()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var image = (0xffffff0000100000UL, 0xffffff0000500000UL);
        var b = a.EditCheckpoints(c => c.EditLeaves((va, _) => va >= image.Item1 && va < image.Item2, e => e ^ 0x3000));

        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Equal, r.Status);
    }

    [Fact]
    public void A_leaf_outside_the_image_is_compared_exactly()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        const ulong heapPage = 0xfffffe8000005000;
        var b = a.EditCheckpoint("heap_done", c => c.EditLeaf(heapPage, e => e ^ 0x1000));

        var r = TraceDiffer.Compare(a, b);
        var f = r.FirstDivergence!;
        Assert.Equal("page_tables.leaf[0xfffffe8000005000]", f.Path);
        Assert.Equal("heap_done", f.Checkpoint);
    }

    [Fact]
    public void Table_entry_counter_is_compared()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("idt_done", c => c with
        {
            PageTables = c.PageTables! with
            {
                Tables = c.PageTables.Tables.Select(t => t.Level == 4
                    ? t with { Entries = new SortedDictionary<int, ulong>(t.Entries.ToDictionary(kv => kv.Key, kv => kv.Key == 0 ? kv.Value + (1UL << 52) : kv.Value)) }
                    : t).ToList(),
            },
        });
        var f = TraceDiffer.Compare(a, b).FirstDivergence!;
        Assert.Equal("page_tables.table[L4 0x0].count", f.Path);
    }

    [Fact]
    public void Classified_kernels_with_different_layouts_but_the_same_flags_per_section_are_equal()
    {
        const ulong o = SyntheticTrace.KernelOffset;
        const ulong text = 0x101; // P G
        const ulong rodata = 0x8000000000000101; // P G NX
        // A: 3 text pages then 3 rodata pages; B: 5 text pages then 1 rodata page, at other frames.
        var a = SyntheticTrace.Build("a", [
            (o + 0x101000, 0x101000, text), (o + 0x102000, 0x102000, text), (o + 0x103000, 0x103000, text | Accessed),
            (o + 0x104000, 0x104000, rodata), (o + 0x105000, 0x105000, rodata), (o + 0x106000, 0x106000, rodata)],
            SyntheticTrace.Sections(o + 0x101000, o + 0x104000, o + 0x107000));
        var b = SyntheticTrace.Build("b", [
            (o + 0x101000, 0x201000, text), (o + 0x102000, 0x202000, text), (o + 0x103000, 0x203000, text),
            (o + 0x104000, 0x204000, text), (o + 0x105000, 0x205000, text), (o + 0x106000, 0x206000, rodata)],
            SyntheticTrace.Sections(o + 0x101000, o + 0x106000, o + 0x107000));

        var r = TraceDiffer.Compare(a, b);
        Assert.Equal(CellStatus.Equal, r.Status);
        Assert.DoesNotContain(r.Notes, n => n.Contains("runs of equal flags"));
    }

    [Fact]
    public void Classified_kernels_differ_when_a_section_gets_other_flags()
    {
        const ulong o = SyntheticTrace.KernelOffset;
        var sections = SyntheticTrace.Sections(o + 0x101000, o + 0x103000, o + 0x104000);
        var a = SyntheticTrace.Build("a", [(o + 0x101000, 0x101000, 0x101), (o + 0x102000, 0x102000, 0x101), (o + 0x103000, 0x103000, 0x8000000000000101)], sections);
        var b = SyntheticTrace.Build("b", [(o + 0x101000, 0x101000, 0x101), (o + 0x102000, 0x102000, 0x101 | Writable), (o + 0x103000, 0x103000, 0x8000000000000101)], sections);

        var r = TraceDiffer.Compare(a, b);
        var f = r.FirstDivergence!;
        Assert.Equal("page_tables.image", f.Path);
        Assert.Contains("text: P G ×all", f.A);
        Assert.Contains("text: P G ×1 | P W G ×1 (of 2)", f.B);
    }

    /// <summary>
    /// A rebuild of the original links .got/.got.plt before .tdata, so __tdata_start (…1C9390) is not page aligned: its
    /// first page starts in .got (no class) and holds tdata. It is a tdata page, as in a build whose tdata starts on the
    /// page (the first divergence: the page classed "other" on one side and "tdata" on the other, same flags).
    /// </summary>
    [Fact]
    public void A_section_starting_inside_a_page_gives_that_page_its_class()
    {
        const ulong o = SyntheticTrace.KernelOffset;
        const ulong text = 0x101, ro = 0x8000000000000101; // P G; P G NX (tdata and "other" alike)
        Dictionary<string, ulong> Layout(ulong tdataStart) => new()
        {
            ["__text_start"] = o + 0x101000, ["__text_end"] = o + 0x103000,
            ["__tdata_start"] = tdataStart, ["__tdata_end"] = o + 0x104000,
            ["__end"] = o + 0x104000,
        };
        (ulong, ulong, ulong)[] pages = [(o + 0x101000, 0x101000, text), (o + 0x102000, 0x102000, text), (o + 0x103000, 0x103000, ro)];
        var rebuilt = SyntheticTrace.Build("a", pages, Layout(o + 0x103390));   // .got at 0x103000, tdata from 0x103390
        var aligned = SyntheticTrace.Build("b", pages, Layout(o + 0x103000));

        var r = TraceDiffer.Compare(rebuilt, aligned);
        Assert.Equal(CellStatus.Equal, r.Status);

        // And the class is still compared: the same page as rodata on one side diverges.
        var other = SyntheticTrace.Build("c", pages, new Dictionary<string, ulong>(Layout(o + 0x103000))
        {
            ["__tdata_start"] = o + 0x104000, ["__rodata_start"] = o + 0x103000, ["__rodata_end"] = o + 0x104000,
        });
        Assert.Equal("page_tables.image", TraceDiffer.Compare(rebuilt, other).FirstDivergence!.Path);
    }

    [Fact]
    public void Pat_is_compared_when_both_sides_record_it()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        Harness.Trace.Checkpoint Pat(Harness.Trace.Checkpoint c, ulong pat) => c with { PageTables = c.PageTables! with { Pat = pat } };
        var a2 = a.EditCheckpoint("paging_done", c => Pat(c, 0x0007040100070406));
        var b = a.EditCheckpoint("paging_done", c => Pat(c, 0x0007040600070406));

        var f = TraceDiffer.Compare(a2, b).FirstDivergence!;
        Assert.Equal(("page_tables.pat", "paging_done"), (f.Path, f.Checkpoint));

        // A side without the PAT (the first recordings had none): not compared, and said so.
        var withoutPat = a.EditCheckpoints(c => c.PageTables is null ? c : c with { PageTables = c.PageTables with { Pat = null } });
        var oneSided = TraceDiffer.Compare(withoutPat, b);
        Assert.Equal(CellStatus.Equal, oneSided.Status);
        Assert.Contains(oneSided.Notes, n => n.Contains("PAT"));
    }
}
