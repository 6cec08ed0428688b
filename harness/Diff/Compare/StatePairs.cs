using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Walks the checkpoints in boot order and hands each state comparer the pair of records it compares,
/// dealing once for all with checkpoints or records that only one side has.
/// </summary>
internal static class StatePairs
{
    /// <summary>
    /// Calls <paramref name="compare"/> for each checkpoint where both sides recorded the state that
    /// <paramref name="select"/> picks; marks the other cells incomplete, one-sided or divergent.
    /// </summary>
    public static void ForEach<T>(DiffContext ctx, string observable, Func<Checkpoint, T?> select, Action<string, Checkpoint, Checkpoint, T, T> compare)
        where T : class
    {
        foreach (var name in ctx.Order.Checkpoints)
        {
            if (name == BootOrder.AfterLast) continue;
            var ca = ctx.A.CheckpointsByName.GetValueOrDefault(name);
            var cb = ctx.B.CheckpointsByName.GetValueOrDefault(name);
            if (ca is null && cb is null) continue;
            if (ca is null || cb is null)
            {
                MissingCheckpoint(ctx, observable, name, ca, cb);
                continue;
            }
            var (ra, rb) = (select(ca), select(cb));
            if (ra is null && rb is null) continue;
            if (ra is null || rb is null)
            {
                ctx.OneSided(observable, name, $"only {(ra is null ? "B" : "A")} recorded {observable} at {name}");
                continue;
            }
            ctx.Compared(observable, name);
            compare(name, ca, cb, ra, rb);
        }
    }

    /// <summary>One side has a checkpoint the other lacks: incomplete if the lacking trace was cut short, else a difference.</summary>
    public static void MissingCheckpoint(DiffContext ctx, string observable, string name, Checkpoint? ca, Checkpoint? cb)
    {
        var (lacking, having, lackingTrace) = ca is null ? ("A", "B", ctx.A) : ("B", "A", ctx.B);
        if (!lackingTrace.IsComplete)
        {
            ctx.Incomplete(observable, name, $"{lacking}'s trace ends before checkpoint {name} ({lackingTrace.IncompleteReason})");
            return;
        }
        ctx.Report(new Difference
        {
            Observable = observable,
            Checkpoint = name,
            Path = $"{observable}.checkpoint",
            A = ca is null ? null : "reached",
            B = cb is null ? null : "reached",
            Position = ctx.Order.State(name, observable),
            SeqA = ca?.Seq,
            SeqB = cb?.Seq,
            Sentence = $"{having} reached checkpoint {name} and {lacking} never did ({lacking}'s boot ended: {(lackingTrace.End?.How ?? "?")}).",
        });
    }
}
