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
        var (pa, pb) = (Places(ctx, ctx.A), Places(ctx, ctx.B));
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
                SerialPlace = a is not null ? pa?[la[i].Line - 1] : pb?[lb[i].Line - 1],
                Sentence = $"Serial line {line}: A wrote {Quote(a)}, B wrote {Quote(b)}.",
            });
        }
    }

    /// <summary>
    /// For each line of <paramref name="t"/>'s serial output (0-based), where in boot order its first byte was written:
    /// the checkpoint its serial record leads up to. Null when the output has no place among the records (a serial.log).
    /// </summary>
    private static BootPosition[]? Places(DiffContext ctx, Trace.Trace t)
    {
        var log = t.Serial;
        if (log.Source is not null || log.Chunks.Any(c => c.Seq <= 0)) return null;
        var places = new List<BootPosition>();
        var lineStart = true;
        foreach (var chunk in log.Chunks)
        {
            var at = ctx.Order.Event(BootOrder.GroupOf(t, chunk.Seq), chunk.Seq);
            foreach (var b in chunk.Bytes)
            {
                if (lineStart) places.Add(at);
                lineStart = b == (byte)'\n';
            }
        }
        return [.. places];
    }

    private static string Quote(string? s) => s is null ? "nothing" : $"\"{s}\"";
}
