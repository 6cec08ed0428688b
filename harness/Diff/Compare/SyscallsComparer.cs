using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Compares the processes' system calls (traces/FORMAT.md, "What may differ between two kernels' processes"):
/// grouped by context, each context's calls in order — number, arguments, result — while the interleaving of
/// different contexts is free; the kernel-side caller is not compared (a kernel address, each binary's own),
/// it is shown. Runs only when a trace has syscall records.
/// </summary>
internal static class SyscallsComparer
{
    public static void Run(DiffContext ctx)
    {
        const string cp = BootOrder.WholeLog;
        var (sa, sb) = (ctx.A.Syscalls, ctx.B.Syscalls);
        if (sa.Count == 0 && sb.Count == 0) return;
        if (sa.Count == 0 || sb.Count == 0)
        {
            ctx.OneSided(Observable.Processes, cp, $"only {(sa.Count > 0 ? "A" : "B")} recorded system calls");
            return;
        }
        ctx.Compared(Observable.Processes, cp);
        var ga = ByContext(sa);
        var gb = ByContext(sb);
        // The order of first appearance (A's, then B's own), so that the first divergence follows what ran first.
        var contexts = ga.Keys.Concat(gb.Keys).Distinct().ToList();
        foreach (var context in contexts)
        {
            var la = ga.GetValueOrDefault(context) ?? [];
            var lb = gb.GetValueOrDefault(context) ?? [];
            for (var i = 0; i < Math.Max(la.Count, lb.Count); i++)
            {
                var a = i < la.Count ? la[i] : null;
                var b = i < lb.Count ? lb[i] : null;
                if (a is not null && b is not null && Same(a, b)) continue;
                if ((a is null && !ctx.A.IsComplete) || (b is null && !ctx.B.IsComplete))
                {
                    ctx.Incomplete(Observable.Processes, cp, $"{(a is null ? "A" : "B")}'s calls of context {Id(context)} end before call {i} (trace incomplete)");
                    break;
                }
                var acceptedCall = ctx.Report(new Difference
                {
                    Observable = Observable.Processes,
                    Checkpoint = cp,
                    Path = $"processes.context[{Id(context)}].syscall[{i}]",
                    A = a is null ? null : Text(a),
                    B = b is null ? null : Text(b),
                    // Ordered by where the call is in its trace (the earlier side): the first divergence is the earliest such call.
                    Position = ctx.ProcessPosition(a?.Seq, b?.Seq),
                    CallerA = a is null ? null : StackText(a),
                    CallerB = b is null ? null : StackText(b),
                    Sentence = $"Context {Id(context)}, call {i}: A {Said(a)}; B {Said(b)}.",
                });
                if (acceptedCall) continue; // an accepted difference (e.g. a leftover in an argument the call ignores): go on
                break; // after a divergence, the rest of this context follows from it
            }
        }
    }

    private static Dictionary<ulong, List<SyscallRecord>> ByContext(IReadOnlyList<SyscallRecord> calls)
    {
        var d = new Dictionary<ulong, List<SyscallRecord>>();
        foreach (var c in calls)
        {
            var key = c.Context ?? ulong.MaxValue;
            if (!d.TryGetValue(key, out var list)) d[key] = list = [];
            list.Add(c);
        }
        return d;
    }

    private static bool Same(SyscallRecord a, SyscallRecord b) =>
        a.Number == b.Number && a.Result == b.Result && a.Args.SequenceEqual(b.Args);

    private static string Id(ulong context) => context == ulong.MaxValue ? "?" : context.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The call as text: <c>write(0x1, 0x1000, 0x6, 0x0, 0x0) = 0x6</c>, errors as <c>-ENNN</c>.</summary>
    public static string Text(SyscallRecord s) =>
        $"{s.Name}({string.Join(", ", s.Args.Select(x => $"0x{x:x}"))}) = " +
        (s.Result is null ? "(no return)" : s.Errno is { } e ? $"-{e} (errno)" : $"0x{s.Result:x}");

    private static string Said(SyscallRecord? s) => s is null ? "made no such call" : $"called {Text(s)} from {StackText(s)}";

    /// <summary>The kernel-side call stack at the call, innermost first (<c>a ← b ← c</c>), or its caller alone in older traces.</summary>
    public static string StackText(SyscallRecord s) =>
        s.Stack is { Count: > 0 } st ? string.Join(" ← ", st) : s.Caller ?? "?";
}
