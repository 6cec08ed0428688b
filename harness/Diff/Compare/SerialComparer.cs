using Harness.Diff.Normalise;

namespace Harness.Diff.Compare;

/// <summary>Compares the serial output line by line, over the whole log; a panic's stack trace compares as one line (<see cref="StackTraces"/>).</summary>
internal static class SerialComparer
{
    public static void Run(DiffContext ctx)
    {
        const string cp = BootOrder.WholeLog;
        var (sa, sb) = (ctx.A.Serial, ctx.B.Serial);
        if (!sa.Observed && !sb.Observed) return;
        if (!sa.Observed || !sb.Observed)
        {
            ctx.OneSided(Observable.Serial, cp, $"only {(sa.Observed ? "A" : "B")} recorded serial output");
            return;
        }
        ctx.Compared(Observable.Serial, cp);
        var (la, lb) = (StackTraces.Fold(sa.Lines), StackTraces.Fold(sb.Lines));
        for (var i = 0; i < Math.Max(la.Count, lb.Count); i++)
        {
            var a = i < la.Count ? la[i].Text : null;
            var b = i < lb.Count ? lb[i].Text : null;
            if (a == b) continue;
            // The line's number in the log that has it (A's when both do).
            var line = i < la.Count ? la[i].Line : lb[i].Line;
            if ((a is null && !ctx.A.IsComplete) || (b is null && !ctx.B.IsComplete))
            {
                ctx.Incomplete(Observable.Serial, cp, $"{(a is null ? "A" : "B")}'s serial output ends before line {(i < la.Count ? la[i].Line : lb[i].Line)} (trace incomplete)");
                return;
            }
            ctx.Report(new Difference
            {
                Observable = Observable.Serial,
                Checkpoint = cp,
                Path = $"serial.line[{line}]",
                A = a,
                B = b,
                Position = new BootPosition(ctx.Order.Ordinal(cp), 0, i),
                Sentence = $"Serial line {line}: A wrote {Quote(a)}, B wrote {Quote(b)}.",
            });
        }
    }

    private static string Quote(string? s) => s is null ? "nothing" : $"\"{s}\"";
}
