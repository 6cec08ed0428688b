using System.Globalization;
using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Compares the contexts' lifecycles and user address spaces (traces/FORMAT.md, "What may differ between two kernels'
/// processes"): per context, its <c>process</c> records in order (clone child and flags, exec path, arguments and
/// result, exit status, waitpid pid, result and status, signals delivered) and its <c>address_space</c> records in order
/// (when, CR3, and every user page: address, frame, flags without the CPU-set accessed/dirty bits, contents' hash).
/// The interleaving of contexts is free. Runs only when a trace has such records.
/// </summary>
internal static class ProcessesComparer
{
    public static void Run(DiffContext ctx)
    {
        const string cp = BootOrder.WholeLog;
        Compare(ctx, cp, "lifecycle", ctx.A.Processes, ctx.B.Processes, p => p.Context, p => p.Seq, Text, (_, _) => null);
        Compare(ctx, cp, "address_space", ctx.A.AddressSpaces, ctx.B.AddressSpaces, s => s.Context, s => s.Seq,
            s => $"{s.At}: CR3 {Hex.Format(s.Cr3)}, {s.Pages.Count} user pages", (x, y) => FirstPageDifference(x.Pages, y.Pages));
    }

    private static void Compare<T>(DiffContext ctx, string cp, string what, IReadOnlyList<T> sa, IReadOnlyList<T> sb, Func<T, ulong?> context,
        Func<T, long> seq, Func<T, string> text, Func<T, T, (string Path, string A, string B)?> detail) where T : class
    {
        if (sa.Count == 0 && sb.Count == 0) return;
        if (sa.Count == 0 || sb.Count == 0)
        {
            ctx.Note($"processes: only {(sa.Count > 0 ? "A" : "B")} recorded {what} records (an older trace, or a map without [processes]): not compared");
            return;
        }
        ctx.Compared(Observable.Processes, cp);
        var ga = sa.GroupBy(x => context(x) ?? ulong.MaxValue).ToDictionary(g => g.Key, g => g.ToList());
        var gb = sb.GroupBy(x => context(x) ?? ulong.MaxValue).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var id in ga.Keys.Concat(gb.Keys).Distinct())
        {
            var la = ga.GetValueOrDefault(id) ?? [];
            var lb = gb.GetValueOrDefault(id) ?? [];
            for (var i = 0; i < Math.Max(la.Count, lb.Count); i++)
            {
                var a = i < la.Count ? la[i] : null;
                var b = i < lb.Count ? lb[i] : null;
                var ta = a is null ? null : text(a);
                var tb = b is null ? null : text(b);
                var extra = a is not null && b is not null ? detail(a, b) : null;
                if (ta == tb && extra is null) continue;
                if ((a is null && !ctx.A.IsComplete) || (b is null && !ctx.B.IsComplete))
                {
                    ctx.Incomplete(Observable.Processes, cp, $"{(a is null ? "A" : "B")}'s {what} records of context {Id(id)} end before #{i} (trace incomplete)");
                    break;
                }
                // Records that agree in what they say of themselves but differ inside (a user page): the path names the page.
                var inside = ta == tb ? extra : null;
                var acceptedRecord = ctx.Report(new Difference
                {
                    Observable = Observable.Processes,
                    Checkpoint = cp,
                    Path = $"processes.context[{Id(id)}].{what}[{i}]{inside?.Path}",
                    A = inside?.A ?? ta,
                    B = inside?.B ?? tb,
                    Position = ctx.ProcessPosition(a is null ? null : seq(a), b is null ? null : seq(b)),
                    Sentence = $"Context {Id(id)}, {what} record {i}: A {ta ?? "has none"}; B {tb ?? "has none"}" +
                               (extra is { } x ? $"; first differing user page {x.Path[6..^1]}: A {x.A}, B {x.B}." : "."),
                });
                if (acceptedRecord) continue;
                break; // the rest of this context follows from the first difference
            }
        }
    }

    /// <summary>A lifecycle record as compared: its event and every field it has.</summary>
    public static string Text(ProcessRecord p) => p.Event switch
    {
        "clone" => $"clone(flags {Hex.Format(p.Flags ?? 0)}) → child {Num(p.Child)}",
        "exec" => $"exec \"{p.Path}\" [{string.Join(", ", (p.Args ?? []).Select(x => $"\"{x}\""))}] → {(p.Result is { } r ? Hex.Format(r) : "new image")}",
        "exit" => $"exit status {Hex.Format(p.Status ?? 0)}",
        "waitpid" => $"waitpid({Num(p.Pid)}) → {(p.Result is { } r ? Hex.Format(r) : "?")}, status {(p.Status is { } s ? Hex.Format(s) : "none")}",
        "signal" => $"signal {Num(p.Signal)} delivered",
        _ => p.Event,
    };

    /// <summary>The first user page that differs (address, frame, flags without A/D, contents), or null when all are the same.</summary>
    public static (string Path, string A, string B)? FirstPageDifference(IReadOnlyList<UserPage> a, IReadOnlyList<UserPage> b) =>
        PageDifferences(a, b).Select(d => ((string, string, string)?)d).FirstOrDefault();

    /// <summary>Every user page that differs (address, frame, flags without A/D, contents), in address order.</summary>
    public static IEnumerable<(string Path, string A, string B)> PageDifferences(IReadOnlyList<UserPage> a, IReadOnlyList<UserPage> b)
    {
        var pa = a.ToDictionary(p => p.Va);
        var pb = b.ToDictionary(p => p.Va);
        foreach (var va in pa.Keys.Concat(pb.Keys).Distinct().Order())
        {
            var x = pa.GetValueOrDefault(va);
            var y = pb.GetValueOrDefault(va);
            if (x is not null && y is not null && x.Frame == y.Frame && x.Flags == y.Flags && x.Sha256 == y.Sha256) continue;
            yield return ($".page[{Hex.Format(va)}]", Page(x), Page(y));
        }
    }

    private static string Page(UserPage? p) =>
        p is null ? "not mapped" : $"frame {Hex.Format(p.Frame)} flags {Hex.Format(p.Flags)} contents {p.Sha256}";

    private static string Num(ulong? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static string Id(ulong context) => context == ulong.MaxValue ? "?" : context.ToString(CultureInfo.InvariantCulture);
}
