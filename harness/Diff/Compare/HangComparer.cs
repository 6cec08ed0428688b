using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Compares where two kernels hang (traces/FORMAT.md, "hang"). The state at the <c>hang</c> checkpoint is compared by
/// the state comparers like every checkpoint's; this compares the location: the roles the observation maps' <c>[roles]</c>
/// give RIP's function and the kernel stack's return addresses (innermost first, repeats merged). Symbols and offsets
/// differ between the kernels (different compilers inline differently), roles may not: a kernel that hangs in another
/// function, or on another path, differs; one that does not hang where the other does differs (or, when its trace was
/// cut short, leaves the cell incomplete).
/// </summary>
internal static class HangComparer
{
    public static void Run(DiffContext ctx)
    {
        var (ha, hb) = (HangRecord.Of(ctx.A), HangRecord.Of(ctx.B));
        if (ha is null && hb is null) return;
        const string cp = HangRecord.CheckpointName;
        if (!ctx.Order.Has(cp))
        {
            ctx.Note($"a hang record without a {cp} checkpoint: the hang's location is not compared");
            return;
        }
        if (ha is null || hb is null)
        {
            var (lacking, having, trace, hang) = ha is null ? ("A", "B", ctx.A, hb!) : ("B", "A", ctx.B, ha);
            if (!trace.IsComplete)
            {
                ctx.Incomplete(Observable.Hang, cp, $"{lacking}'s trace ends without a hang ({trace.IncompleteReason})");
                return;
            }
            ctx.Report(new Difference
            {
                Observable = Observable.Hang,
                Checkpoint = cp,
                Path = "hang.roles",
                A = ha is null ? null : Text(ha),
                B = hb is null ? null : Text(hb),
                Position = ctx.Order.State(cp, Observable.Hang),
                SeqA = ha?.Seq,
                SeqB = hb?.Seq,
                Sentence = $"{having} hung at {hang.At} and {lacking} did not hang (its boot ended: {trace.End?.How ?? "?"}).",
            });
            return;
        }
        ctx.Compared(Observable.Hang, cp);
        if (ha.Roles.Count == 0 && hb.Roles.Count == 0)
            ctx.Note("hang: neither kernel's map gives a role to where it hangs ([roles]): only the state at the hang is compared");
        if (ha.Roles.SequenceEqual(hb.Roles)) return;
        ctx.Report(new Difference
        {
            Observable = Observable.Hang,
            Checkpoint = cp,
            Path = "hang.roles",
            A = Text(ha),
            B = Text(hb),
            Position = ctx.Order.State(cp, Observable.Hang),
            SeqA = ha.Seq,
            SeqB = hb.Seq,
            CallerA = ha.At,
            CallerB = hb.At,
            Sentence = $"the kernels hang in different places: A in {Roles(ha)} (at {ha.At}), B in {Roles(hb)} (at {hb.At}).",
        });
    }

    private static string Roles(HangRecord h) => h.Roles.Count == 0 ? "no function the map names" : string.Join(" < ", h.Roles);

    private static string Text(HangRecord h) => Roles(h);
}
