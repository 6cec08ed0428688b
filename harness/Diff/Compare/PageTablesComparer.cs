using Harness.Diff.Normalise;
using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Compares page tables at each checkpoint: CR0/CR3/CR4/EFER, which tables exist and in which frames
/// (with Redox's entry counters), every link between tables, every leaf outside the kernel image exactly,
/// and the kernel image's pages by section class and flags (FIDELITY.md §3), never by address: per section, the runs
/// of equal flags in address order with their lengths relative to the section's own span, and whether every page of
/// the kernel slot is mapped.
/// </summary>
internal static class PageTablesComparer
{
    public static void Run(DiffContext ctx)
    {
        if (!ctx.Classified)
            ctx.Note("kernel image pages compared as runs of equal flags in address order (a side's header has no section symbols, so pages are not classed as text/rodata/data/…)");
        StatePairs.ForEach(ctx, Observable.PageTables, c => c.PageTables, (name, ca, cb, a, b) =>
        {
            var r = new Reporter(ctx, name, a.Seq, b.Seq);
            r.Field("cr3", Hex.Format(a.Cr3), Hex.Format(b.Cr3));
            r.Field("cr0", Opt(ca.Regs.Cr0), Opt(cb.Regs.Cr0));
            r.Field("cr4", Opt(ca.Regs.Cr4), Opt(cb.Regs.Cr4));
            r.Field("efer", Opt(ca.Regs.Efer), Opt(cb.Regs.Efer));
            if (a.Pat is not null && b.Pat is not null) r.Field("pat", Opt(a.Pat), Opt(b.Pat));
            else if (a.Pat is not null || b.Pat is not null) ctx.Note("the PAT MSR is recorded by one side only: not compared");
            var va = new PageTableView(a, ctx.LayoutA, ctx.Classified);
            var vb = new PageTableView(b, ctx.LayoutB, ctx.Classified);
            Tables(r, va, vb);
            Links(r, va, vb);
            Leaves(r, va, vb);
            Image(r, va, vb, ctx.Classified);
        });
    }

    private static void Tables(Reporter r, PageTableView a, PageTableView b)
    {
        foreach (var key in a.Tables.Keys.Union(b.Tables.Keys).OrderByDescending(k => k.Level).ThenBy(k => k.Va))
        {
            var (ta, tb) = (a.Tables.GetValueOrDefault(key), b.Tables.GetValueOrDefault(key));
            var path = $"table[L{key.Level} {Hex.Format(key.Va)}]";
            if (ta is null || tb is null || ta.Frame != tb.Frame)
                r.Field(path, ta is null ? null : $"frame {Hex.Format(ta.Frame)}", tb is null ? null : $"frame {Hex.Format(tb.Frame)}");
            else
                r.Field(path + ".count", ta.Counter.ToString(), tb.Counter.ToString());
        }
    }

    private static void Links(Reporter r, PageTableView a, PageTableView b)
    {
        foreach (var key in a.Links.Keys.Union(b.Links.Keys).OrderByDescending(k => k.Level).ThenBy(k => k.TableVa).ThenBy(k => k.Index))
            r.Field($"entry[L{key.Level} {Hex.Format(key.TableVa)} #{key.Index}]", Link(a.Links.GetValueOrDefault(key)), Link(b.Links.GetValueOrDefault(key)));
    }

    private static void Leaves(Reporter r, PageTableView a, PageTableView b)
    {
        foreach (var va in a.Leaves.Keys.Union(b.Leaves.Keys).Order())
            r.Field($"leaf[{Hex.Format(va)}]", Leaf(a.Leaves.GetValueOrDefault(va)), Leaf(b.Leaves.GetValueOrDefault(va)));
    }

    private static void Image(Reporter r, PageTableView a, PageTableView b, bool classified)
    {
        if (classified)
        {
            // Per section, in address order, runs of equal flags with their lengths: a section mapped in one run says
            // "×all" when the run covers every page the section's symbols span on that side (each side's own size),
            // else the runs' exact lengths and the span; pages outside every section ("other") as flags only.
            var (sa, sb) = (a.ImageSections(), b.ImageSections());
            if (sa != sb)
            {
                var section = FirstDifferentSection(sa, sb);
                r.Field("image", sa, sb,
                    $"At {r.Checkpoint} the kernel image's pages are mapped differently per section, first in {section}: A {Part(sa, section)}; B {Part(sb, section)}.");
            }
            var (va, vb) = (a.ImageCoverage(), b.ImageCoverage());
            if (va is not null && vb is not null) r.Field("image.coverage", va, vb);
            return;
        }
        var (ra, rb) = (a.ImageRuns(), b.ImageRuns());
        var first = Enumerable.Range(0, Math.Max(ra.Count, rb.Count))
            .FirstOrDefault(i => i >= ra.Count || i >= rb.Count || ra[i].Class != rb[i].Class || ra[i].Flags != rb[i].Flags, -1);
        if (first < 0) return;
        string Run(IReadOnlyList<(string Class, ulong Flags, int Pages)> runs, PageTableView v) =>
            first < runs.Count ? $"run #{first}: {PageFlags.Render(runs[first].Flags)} ×{runs[first].Pages} from {Hex.Format(RunStart(v, runs, first))}" : $"no run #{first}";
        r.Field("image", Runs(ra), Runs(rb),
            $"At {r.Checkpoint} the kernel image's pages differ in flags, in address order: A {Run(ra, a)}, B {Run(rb, b)}.");
    }

    private static string FirstDifferentSection(string a, string b)
    {
        var (pa, pb) = (a.Split("; "), b.Split("; "));
        for (var i = 0; i < Math.Max(pa.Length, pb.Length); i++)
            if (i >= pa.Length || i >= pb.Length || pa[i] != pb[i])
                return (i < pa.Length ? pa[i] : pb[i]).Split(':')[0];
        return "?";
    }

    private static string Part(string all, string section) =>
        all.Split("; ").FirstOrDefault(p => p.StartsWith(section + ":", StringComparison.Ordinal)) ?? $"{section}: no pages";

    private static ulong RunStart(PageTableView v, IReadOnlyList<(string Class, ulong Flags, int Pages)> runs, int index) =>
        v.Image[runs.Take(index).Sum(x => x.Pages)].Va;

    private static string Runs(IReadOnlyList<(string Class, ulong Flags, int Pages)> runs) =>
        string.Join(" | ", runs.Select(x => $"{PageFlags.Render(x.Flags)} ×{x.Pages}"));

    private static string? Link(TableLink? l) => l is null ? null : $"→ {Hex.Format(l.Target)} {PageFlags.Render(l.Flags)}";

    private static string? Leaf(Leaf? l) => l is null ? null
        : $"{Hex.Format(l.Pa)} {PageFlags.Render(l.Flags)}{(l.Level == 1 ? "" : l.Level == 2 ? " (2 MiB)" : " (1 GiB)")}";

    private static string Opt(ulong? v) => v is { } x ? Hex.Format(x) : "-";

    /// <summary>Reports the differences of one checkpoint's page tables.</summary>
    private sealed class Reporter(DiffContext ctx, string checkpoint, long seqA, long seqB)
    {
        public string Checkpoint => checkpoint;

        public void Field(string what, string? a, string? b, string? sentence = null)
        {
            if (a == b) return;
            ctx.Report(new Difference
            {
                Observable = Observable.PageTables,
                Checkpoint = checkpoint,
                Path = $"page_tables.{what}",
                A = a,
                B = b,
                Position = ctx.Order.State(checkpoint, Observable.PageTables),
                SeqA = seqA,
                SeqB = seqB,
                Sentence = sentence ?? $"At {checkpoint} page_tables.{what} is {a ?? "absent"} in A and {b ?? "absent"} in B.",
            });
        }
    }
}
