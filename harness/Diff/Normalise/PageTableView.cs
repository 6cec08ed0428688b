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
    public PageTableView(PageTablesRecord record, KernelLayout layout, bool classified)
    {
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

    /// <summary>The set of (class, flags) the image's pages have, with page counts (display only).</summary>
    public IReadOnlyDictionary<(string Class, ulong Flags), int> ImageClasses() =>
        Image.GroupBy(p => (p.Class, p.Flags)).ToDictionary(g => g.Key, g => g.Count());

    private static ulong Canonical(ulong va) => (va & (1UL << 47)) != 0 ? va | 0xFFFF_0000_0000_0000 : va & 0x0000_FFFF_FFFF_FFFF;
}
