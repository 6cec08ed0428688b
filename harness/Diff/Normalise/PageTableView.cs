using Harness.Trace;

namespace Harness.Diff.Normalise;

/// <summary>A table of the walk, as compared: its frame and Redox's entry counter.</summary>
internal sealed record TableNode(int Level, ulong Va, ulong Frame, ulong Counter);

/// <summary>An entry that points to a lower table (PML4, PDPT or PD entry without PS).</summary>
internal sealed record TableLink(int Level, ulong TableVa, int Index, ulong Target, ulong Flags);

/// <summary>A leaf mapping: a 4 KiB, 2 MiB or 1 GiB page (or a non-present entry at the last level).</summary>
internal sealed record Leaf(int Level, ulong Va, ulong Pa, ulong Flags);

/// <summary>A 4 KiB page of the kernel image: compared by section class and flags, never by address.</summary>
internal sealed record ImagePage(ulong Va, ulong Pa, string Class, ulong Flags);

/// <summary>
/// One side's page tables at one checkpoint, flattened for comparison: tables (with the counter bits taken
/// out of entry 0), links between tables, leaves outside the kernel image (compared exactly), and kernel
/// image pages (compared by class and flags, with the CPU-set accessed/dirty bits removed).
/// </summary>
internal sealed class PageTableView
{
    private readonly KernelLayout _layout;

    public PageTableView(PageTablesRecord record, KernelLayout layout, bool classified)
    {
        _layout = layout;
        foreach (var t in record.Tables)
        {
            var key = (t.Level, t.Va);
            var counter = t.Entries.TryGetValue(0, out var e0) ? (e0 & PageFlags.CounterMask) >> 52 : 0;
            Tables.TryAdd(key, new TableNode(t.Level, t.Va, t.Frame, counter));
            foreach (var (index, raw) in t.Entries)
            {
                var entry = index == 0 ? raw & ~PageFlags.CounterMask : raw;
                if (entry == 0) continue;
                var flags = PageFlags.Of(entry);
                var target = entry & PageFlags.AddressMask;
                var isLeaf = t.Level == 1 || (t.Level is 2 or 3 && (entry & PageFlags.Huge) != 0);
                if (!isLeaf)
                {
                    Links[(t.Level, t.Va, index)] = new TableLink(t.Level, t.Va, index, target, flags);
                    continue;
                }
                var va = Canonical(t.Va + ((ulong)index << (12 + 9 * (t.Level - 1))));
                if (t.Level == 1 && (layout.IsImageVirtual(va) || layout.IsImagePhysical(target)))
                    Image.Add(new ImagePage(va, target, layout.ClassOfPage(va, classified), flags & ~PageFlags.HardwareSet));
                else
                    Leaves[va] = new Leaf(t.Level, va, target, flags);
            }
        }
        Image.Sort((x, y) => x.Va.CompareTo(y.Va));
    }

    public Dictionary<(int Level, ulong Va), TableNode> Tables { get; } = [];

    public Dictionary<(int Level, ulong TableVa, int Index), TableLink> Links { get; } = [];

    public Dictionary<ulong, Leaf> Leaves { get; } = [];

    public List<ImagePage> Image { get; } = [];

    /// <summary>
    /// The kernel image as runs of equal (class, flags), in address order; run lengths are kept for
    /// display only. This is what is compared when a side has no section symbols.
    /// </summary>
    public IReadOnlyList<(string Class, ulong Flags, int Pages)> ImageRuns()
    {
        var runs = new List<(string Class, ulong Flags, int Pages)>();
        foreach (var p in Image)
        {
            if (runs.Count > 0 && runs[^1].Class == p.Class && runs[^1].Flags == p.Flags)
                runs[^1] = (p.Class, p.Flags, runs[^1].Pages + 1);
            else
                runs.Add((p.Class, p.Flags, 1));
        }
        return runs;
    }

    /// <summary>
    /// The image's pages per section class, in the order of <see cref="KernelSections.Classes"/> then <c>other</c>, as
    /// <c>class: runs</c> joined by <c>; </c>. A class's runs are its pages' runs of equal flags in address order. A
    /// section mapped as one run over every page its symbols give it (<see cref="KernelSections.ClassifyPage"/>) is <c>FLAGS ×all</c>;
    /// otherwise each run has its exact length and the span follows (<c>P G ×1 | P G NX ×40 (of 41)</c>), so that a
    /// boundary moved by a page or a page with another section's flags differs whatever the two builds' sizes. Pages
    /// outside every section (<c>other</c>: alignment, padding up to the slot's end) are runs of flags only.
    /// </summary>
    public string ImageSections()
    {
        var parts = new List<string>();
        foreach (var cls in KernelSections.Classes.Append("other"))
        {
            var runs = new List<(ulong Flags, int Pages)>();
            foreach (var p in Image.Where(p => p.Class == cls))
            {
                if (runs.Count > 0 && runs[^1].Flags == p.Flags) runs[^1] = (p.Flags, runs[^1].Pages + 1);
                else runs.Add((p.Flags, 1));
            }
            var range = cls == "other" ? null : _layout.Sections.Range(cls);
            var span = range is { } rg ? PagesOf(cls, rg) : (int?)null;
            if (runs.Count == 0)
            {
                if (span is > 0) parts.Add($"{cls}: unmapped");
                continue;
            }
            string text;
            if (span is null)
                text = string.Join(" | ", runs.Select(x => PageFlags.Render(x.Flags)));
            else if (runs.Count == 1 && runs[0].Pages == span)
                text = $"{PageFlags.Render(runs[0].Flags)} ×all";
            else
                text = string.Join(" | ", runs.Select(x => $"{PageFlags.Render(x.Flags)} ×{x.Pages}")) + $" (of {span})";
            parts.Add($"{cls}: {text}");
        }
        return string.Join("; ", parts);
    }

    /// <summary>
    /// Whether every 4 KiB page of the kernel slot (kernel_base .. kernel_base + kernel_size, rounded up) is mapped at
    /// KERNEL_OFFSET, in words that do not depend on the slot's size: <c>every page of the slot mapped</c>, <c>no page
    /// of the slot mapped (4 KiB)</c>, or which pages are missing (<c>all but the last 1</c>, <c>all but the first 2</c>,
    /// <c>all but 3, the first at slot page 17</c>); null when the header has no kernel args.
    /// </summary>
    public string? ImageCoverage()
    {
        if (_layout.ImagePhys is not { } phys || _layout.ImageVirt is not { } virt) return null;
        var first = virt.Start & ~0xFFFUL;
        var total = (int)((Up(phys.End) - (phys.Start & ~0xFFFUL)) / 0x1000);
        var mapped = Image.Where(p => p.Va >= first && p.Va < Up(virt.End)).Select(p => (int)((p.Va - first) / 0x1000)).ToHashSet();
        if (mapped.Count == total) return "every page of the slot mapped";
        if (mapped.Count == 0) return "no page of the slot mapped (4 KiB)";
        var missing = Enumerable.Range(0, total).Where(i => !mapped.Contains(i)).ToList();
        if (missing[0] == total - missing.Count) return $"all but the last {missing.Count} pages of the slot mapped";
        if (missing[^1] == missing.Count - 1) return $"all but the first {missing.Count} pages of the slot mapped";
        return $"all but {missing.Count} pages of the slot mapped, the first at slot page {missing[0]}";
    }

    private static ulong Up(ulong v) => (v + 0xFFF) & ~0xFFFUL;

    /// <summary>How many 4 KiB pages the section's symbols give class <paramref name="cls"/> (as the pages are classed).</summary>
    private int PagesOf(string cls, (ulong Start, ulong End) range)
    {
        var n = 0;
        for (var va = range.Start & ~0xFFFUL; va < Up(range.End); va += 0x1000)
            if (_layout.Sections.ClassifyPage(va) == cls) n++;
        return n;
    }

    private static ulong Canonical(ulong va) => (va & (1UL << 47)) != 0 ? va | 0xFFFF_0000_0000_0000 : va & 0x0000_FFFF_FFFF_FFFF;
}
