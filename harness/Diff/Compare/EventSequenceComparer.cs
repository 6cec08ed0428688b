using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Compares two ordered event lists index by index (frame events, or heap events). Each difference sits in
/// the cell of the checkpoint the event leads up to; events past the end of an incomplete trace are
/// incomplete, not different. Callers are carried along as information, never compared.
/// </summary>
internal sealed class EventSequenceComparer(DiffContext ctx, string observable, string pathPrefix, string noun)
{
    public int Compared { get; private set; }

    public int Equal { get; private set; }

    public void Run(IReadOnlyList<TraceEvent> a, IReadOnlyList<TraceEvent> b)
    {
        MarkComparedIntervals();
        var lastSeqA = a.Count > 0 ? a[^1].Seq : 0;
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            var ea = i < a.Count ? a[i] : null;
            var eb = i < b.Count ? b[i] : null;
            var checkpoint = ea is not null ? BootOrder.GroupOf(ctx.A, ea.Seq) : BootOrder.GroupOf(ctx.B, eb!.Seq);
            if ((ea is null && !ctx.A.IsComplete) || (eb is null && !ctx.B.IsComplete))
            {
                var side = ea is null ? "A" : "B";
                ctx.Incomplete(observable, checkpoint, $"{side}'s trace ends before {noun} #{i}");
                continue;
            }
            Compared++;
            var ta = ea is null ? null : EventText.Compared(ea);
            var tb = eb is null ? null : EventText.Compared(eb);
            if (ta == tb)
            {
                Equal++;
                continue;
            }
            ctx.Report(new Difference
            {
                Observable = observable,
                Checkpoint = checkpoint,
                Path = $"{pathPrefix}[{i}]",
                A = ta,
                B = tb,
                Position = ctx.Order.Event(checkpoint, ea?.Seq ?? lastSeqA + 1 + i),
                SeqA = ea?.Seq,
                SeqB = eb?.Seq,
                EventIndex = i,
                CallerA = ea?.Caller,
                CallerB = eb?.Caller,
                Sentence = Sentence(i, checkpoint, ea, eb),
            });
        }
    }

    private void MarkComparedIntervals()
    {
        foreach (var name in ctx.Order.Checkpoints)
        {
            var inA = name == BootOrder.AfterLast || ctx.A.CheckpointsByName.ContainsKey(name);
            var inB = name == BootOrder.AfterLast || ctx.B.CheckpointsByName.ContainsKey(name);
            if ((!inA && !ctx.A.IsComplete) || (!inB && !ctx.B.IsComplete))
                ctx.Incomplete(observable, name, $"{(inA ? "B" : "A")}'s trace ends before checkpoint {name}");
            else
                ctx.Compared(observable, name);
        }
    }

    private string Sentence(int i, string checkpoint, TraceEvent? a, TraceEvent? b)
    {
        var where = $"{noun} #{i} (seq A {a?.Seq.ToString() ?? "-"}, B {b?.Seq.ToString() ?? "-"}), leading up to {checkpoint}";
        var what = (a, b) switch
        {
            (null, not null) => $"A has no such event; B {EventText.Phrase(b)}",
            (not null, null) => $"A {EventText.Phrase(a)}; B has no such event",
            _ => $"A {EventText.Phrase(a!)}, B {EventText.Phrase(b!)}",
        };
        var callers = $" Callers: A {a?.Caller ?? "-"}; B {b?.Caller ?? "-"}.";
        return $"At {where}: {what}.{callers}";
    }
}
