using Harness.Trace;

namespace Harness.Diff.Compare;

/// <summary>Compares the frame allocator's state at each checkpoint exactly: next free frame, current area, recycled ranges.</summary>
internal static class FrameAllocatorComparer
{
    public static void Run(DiffContext ctx) =>
        StatePairs.ForEach(ctx, Observable.FrameAllocator, c => c.FrameAllocator, (name, _, _, a, b) =>
        {
            Field(ctx, name, a, b, "next_free_frame", Hex.Format(a.NextFreeFrame), Hex.Format(b.NextFreeFrame));
            Field(ctx, name, a, b, "current_area", Area(a.CurrentArea), Area(b.CurrentArea));
            Field(ctx, name, a, b, "recycled", Ranges(a.Recycled), Ranges(b.Recycled));
        });

    private static void Field(DiffContext ctx, string checkpoint, FrameAllocatorRecord a, FrameAllocatorRecord b, string field, string va, string vb)
    {
        if (va == vb) return;
        ctx.Report(new Difference
        {
            Observable = Observable.FrameAllocator,
            Checkpoint = checkpoint,
            Path = $"frame_allocator.{field}",
            A = va,
            B = vb,
            Position = ctx.Order.State(checkpoint, Observable.FrameAllocator),
            SeqA = a.Seq,
            SeqB = b.Seq,
            Sentence = $"At {checkpoint} the frame allocator's {field} is {va} in A and {vb} in B.",
        });
    }

    private static string Area(MemoryArea? a) => a is null ? "none" : $"{Hex.Format(a.Base)}+{Hex.Format(a.Length)}";

    private static string Ranges(IReadOnlyList<FrameRange> r) =>
        r.Count == 0 ? "[]" : "[" + string.Join(", ", r.Select(x => $"{Hex.Format(x.Address)}×{x.Count}")) + "]";
}
