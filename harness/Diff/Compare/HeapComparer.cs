using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>
/// Compares the heap: growth and mapping events in order (count, phase, sizes, offsets), and at each
/// checkpoint whether it is initialised, its bottom, size, free and used bytes, and its hole list.
/// Holes and free/used follow each build's allocation pattern; the registry accepts them when they differ on purpose.
/// </summary>
internal static class HeapComparer
{
    public static (int Compared, int Equal) Run(DiffContext ctx)
    {
        var events = new EventSequenceComparer(ctx, Observable.Heap, "heap.events", "heap event");
        events.Run(ctx.A.HeapEvents.ToList(), ctx.B.HeapEvents.ToList());

        StatePairs.ForEach(ctx, Observable.Heap, c => c.Heap, (name, _, _, a, b) =>
        {
            Field(ctx, name, a, b, "initialised", a.Initialised ? "true" : "false", b.Initialised ? "true" : "false");
            Field(ctx, name, a, b, "bottom", Opt(a.Bottom), Opt(b.Bottom));
            Field(ctx, name, a, b, "size", Opt(a.Size), Opt(b.Size));
            Field(ctx, name, a, b, "free", Opt(a.Free), Opt(b.Free));
            Field(ctx, name, a, b, "used", Opt(a.Used), Opt(b.Used));
            Holes(ctx, name, a, b);
        });
        return (events.Compared, events.Equal);
    }

    private static void Holes(DiffContext ctx, string checkpoint, HeapRecord a, HeapRecord b)
    {
        var n = Math.Max(a.Holes.Count, b.Holes.Count);
        for (var i = 0; i < n; i++)
        {
            var ha = i < a.Holes.Count ? a.Holes[i] : null;
            var hb = i < b.Holes.Count ? b.Holes[i] : null;
            if (ha == hb) continue;
            Field(ctx, checkpoint, a, b, "holes", Summary(a.Holes, i), Summary(b.Holes, i),
                $"At {checkpoint} the heap's hole lists differ first at hole #{i}: A {Hole(ha)}, B {Hole(hb)} (A has {a.Holes.Count} holes, B {b.Holes.Count}).");
            return; // one difference per hole list: the first place they part
        }
    }

    private static string Summary(IReadOnlyList<HeapHole> holes, int i) =>
        $"{holes.Count} holes, {(ulong)holes.Sum(h => (decimal)h.Size)} bytes; #{i} {Hole(i < holes.Count ? holes[i] : null)}";

    private static string Hole(HeapHole? h) => h is null ? "none" : $"{Hex.Format(h.Address)}+{h.Size}";

    private static string Opt(ulong? v) => v is { } x ? x.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";

    private static void Field(DiffContext ctx, string checkpoint, HeapRecord a, HeapRecord b, string field, string va, string vb, string? sentence = null)
    {
        if (va == vb) return;
        ctx.Report(new Difference
        {
            Observable = Observable.Heap,
            Checkpoint = checkpoint,
            Path = $"heap.{field}",
            A = va,
            B = vb,
            Position = ctx.Order.State(checkpoint, Observable.Heap),
            SeqA = a.Seq,
            SeqB = b.Seq,
            Sentence = sentence ?? $"At {checkpoint} the heap's {field} is {va} in A and {vb} in B.",
        });
    }
}
