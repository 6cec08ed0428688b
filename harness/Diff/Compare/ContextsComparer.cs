using System.Globalization;
using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Compares the <c>contexts</c> records (traces/FORMAT.md, "What may differ between two kernels' processes"): the
/// records of each context's events (exec, exit, panic, the map's calls) pair up in order, as the <c>address_space</c>
/// records do, and in each pair every live context is compared by id: its saved CR3, its user pages (address, frame,
/// flags without the CPU-set accessed/dirty bits, contents), its grants (start, size, flags) and its file table (fd by
/// fd: scheme id and name, number, flags, cloexec); then the scheme list entry by entry. Kernel addresses (the Arcs,
/// the nodes, the descriptions) are never in the records. Status is recorded, not compared: whether another context is
/// blocked or runnable at that moment follows the interleaving, which may differ; and where another context is blocked
/// in one trace and runnable in the other, the user pages of its address space (its saved CR3, shared by every context
/// on it) are not compared in that pair: the runnable one is wherever a timer tick left it.
/// </summary>
internal static class ContextsComparer
{
    public static void Run(DiffContext ctx)
    {
        const string cp = BootOrder.WholeLog;
        var sa = ctx.A.Contexts;
        var sb = ctx.B.Contexts;
        if (sa.Count == 0 && sb.Count == 0) return;
        if (sa.Count == 0 || sb.Count == 0)
        {
            ctx.Note($"processes: only {(sa.Count > 0 ? "A" : "B")} recorded contexts records (an older trace, or a map without [processes.tables]): not compared");
            return;
        }
        ctx.Compared(Observable.Processes, cp);
        var ga = sa.GroupBy(x => x.Context ?? ulong.MaxValue).ToDictionary(g => g.Key, g => g.ToList());
        var gb = sb.GroupBy(x => x.Context ?? ulong.MaxValue).ToDictionary(g => g.Key, g => g.ToList());
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ga.Keys.Concat(gb.Keys).Distinct().Order())
        {
            var la = ga.GetValueOrDefault(id) ?? [];
            var lb = gb.GetValueOrDefault(id) ?? [];
            for (var i = 0; i < Math.Max(la.Count, lb.Count); i++)
            {
                var a = i < la.Count ? la[i] : null;
                var b = i < lb.Count ? lb[i] : null;
                var moment = $"at the {(a ?? b)!.At} of context {Id(id)} (its contexts record {i})";
                if (a is null || b is null)
                {
                    if ((a is null && !ctx.A.IsComplete) || (b is null && !ctx.B.IsComplete))
                    {
                        ctx.Incomplete(Observable.Processes, cp, $"{(a is null ? "A" : "B")}'s contexts records of context {Id(id)} end before #{i} (trace incomplete)");
                        break;
                    }
                    var path0 = $"processes.contexts[{Id(id)}][{i}]";
                    if (reported.Add(path0) && !ctx.Report(Diff(ctx, a, b, path0, a is null ? "none" : a.At, b is null ? "none" : b.At,
                            $"Context {Id(id)}'s contexts record {i}: only {(a is null ? "B" : "A")} has one.")))
                        break;
                    continue;
                }
                // Every difference of the pair in order, so that an accepted one (registry) does not hide the next.
                var stop = false;
                foreach (var d in All(a, b))
                {
                    if (!reported.Add(d.Path)) continue;
                    if (ctx.Report(Diff(ctx, a, b, d.Path, d.A, d.B, $"{d.What} {moment}: A {d.A}; B {d.B}."))) continue;
                    stop = true;
                    break;
                }
                if (stop) break; // the rest of this context's records follow from the first difference
            }
        }
    }

    private static Difference Diff(DiffContext ctx, ContextsRecord? a, ContextsRecord? b, string path, string ta, string tb, string sentence) => new()
    {
        Observable = Observable.Processes,
        Checkpoint = BootOrder.WholeLog,
        Path = path,
        A = ta,
        B = tb,
        Position = ctx.ProcessPosition(a?.Seq, b?.Seq),
        Sentence = sentence,
    };

    /// <summary>The first difference between two <c>contexts</c> records (path, both sides, what it is), or null when they agree.</summary>
    public static (string Path, string A, string B, string What)? First(ContextsRecord a, ContextsRecord b) =>
        All(a, b).Select(d => ((string, string, string, string)?)d).FirstOrDefault();

    /// <summary>
    /// The differences between two <c>contexts</c> records in order: per context id its presence, CR3, every differing
    /// user page, grant and fd (the first differing field of each), then the scheme list's entries.
    /// </summary>
    public static IEnumerable<(string Path, string A, string B, string What)> All(ContextsRecord a, ContextsRecord b)
    {
        if (a.At != b.At)
        {
            yield return ("processes.contexts.at", a.At, b.At, "The moment");
            yield break;
        }
        var ca = a.Contexts.ToDictionary(c => c.Id);
        var cb = b.Contexts.ToDictionary(c => c.Id);
        // An address space on which another context is blocked in one trace and runnable in the other: where a timer
        // tick left that context (its stack above all) follows the interleaving, so these pages are not compared here.
        var unsettled = new HashSet<ulong>(ca.Values.Where(x => x.Id != a.Context && cb.TryGetValue(x.Id, out var y) && x.Status != y.Status)
            .SelectMany(x => new[] { x.Cr3, cb[x.Id].Cr3 }));
        foreach (var id in ca.Keys.Concat(cb.Keys).Distinct().Order())
        {
            var p = $"processes.context[{id.ToString(CultureInfo.InvariantCulture)}]";
            var x = ca.GetValueOrDefault(id);
            var y = cb.GetValueOrDefault(id);
            if (x is null || y is null)
            {
                yield return (p, x is null ? "not live" : "live", y is null ? "not live" : "live", $"Context {id}'s presence");
                continue;
            }
            if (x.Cr3 != y.Cr3) yield return ($"{p}.cr3", Hex.Format(x.Cr3), Hex.Format(y.Cr3), $"Context {id}'s saved CR3");
            if (id == a.Context || !(unsettled.Contains(x.Cr3) || unsettled.Contains(y.Cr3)))
                foreach (var page in ProcessesComparer.PageDifferences(x.Pages, y.Pages))
                    yield return ($"{p}{page.Path}", page.A, page.B, $"Context {id}'s user page {page.Path[6..^1]}");
            for (var i = 0; i < Math.Max(x.Grants.Count, y.Grants.Count); i++)
            {
                var g = i < x.Grants.Count ? Grant(x.Grants[i]) : "none";
                var h = i < y.Grants.Count ? Grant(y.Grants[i]) : "none";
                if (g != h) yield return ($"{p}.grants[{i}]", g, h, $"Context {id}'s grant {i}");
            }
            var fa = x.Files.ToDictionary(f => f.Fd);
            var fb = y.Files.ToDictionary(f => f.Fd);
            foreach (var fd in fa.Keys.Concat(fb.Keys).Distinct().Order())
            {
                var f = fa.GetValueOrDefault(fd);
                var e = fb.GetValueOrDefault(fd);
                var fp = $"{p}.files[{fd.ToString(CultureInfo.InvariantCulture)}]";
                if (f is null || e is null) yield return (fp, File(f), File(e), $"Context {id}'s fd {fd}");
                else if (f.Scheme != e.Scheme || f.SchemeName != e.SchemeName) yield return ($"{fp}.scheme", Scheme(f), Scheme(e), $"Context {id}'s fd {fd} scheme");
                else if (f.Number != e.Number) yield return ($"{fp}.number", Hex.Format(f.Number), Hex.Format(e.Number), $"Context {id}'s fd {fd} number");
                else if (f.Flags != e.Flags) yield return ($"{fp}.flags", Hex.Format(f.Flags), Hex.Format(e.Flags), $"Context {id}'s fd {fd} flags");
                else if (f.Cloexec != e.Cloexec) yield return ($"{fp}.cloexec", Bool(f.Cloexec), Bool(e.Cloexec), $"Context {id}'s fd {fd} cloexec");
            }
        }
        for (var i = 0; i < Math.Max(a.Schemes.Count, b.Schemes.Count); i++)
        {
            var s = i < a.Schemes.Count ? SchemeEntry(a.Schemes[i]) : "none";
            var t = i < b.Schemes.Count ? SchemeEntry(b.Schemes[i]) : "none";
            if (s != t) yield return ($"processes.schemes[{i}]", s, t, $"Scheme list entry {i}");
        }
    }

    private static string Grant(GrantEntry g) => $"start {Hex.Format(g.Start)} size {Hex.Format(g.Size)} flags {Hex.Format(g.Flags)}";

    private static string File(FileEntry? f) =>
        f is null ? "closed" : $"{Scheme(f)} number {Hex.Format(f.Number)} flags {Hex.Format(f.Flags)}{(f.Cloexec ? " cloexec" : "")}";

    private static string Scheme(FileEntry f) => $"scheme {f.Scheme.ToString(CultureInfo.InvariantCulture)} \"{f.SchemeName ?? "?"}\"";

    private static string SchemeEntry(SchemeEntry s) =>
        $"namespace {s.Namespace.ToString(CultureInfo.InvariantCulture)} \"{s.Name}\" → {s.Id.ToString(CultureInfo.InvariantCulture)}";

    private static string Bool(bool b) => b ? "true" : "false";

    private static string Id(ulong context) => context == ulong.MaxValue ? "?" : context.ToString(CultureInfo.InvariantCulture);
}
