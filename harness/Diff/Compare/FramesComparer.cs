namespace Harness.Diff.Compare;

/// <summary>Compares frame allocations and frees in order: type, count, result, phase (callers as information).</summary>
internal static class FramesComparer
{
    public static (int Compared, int Equal) Run(DiffContext ctx)
    {
        var c = new EventSequenceComparer(ctx, Observable.Frames, "frames", "frame event");
        c.Run(ctx.A.FrameEvents.ToList(), ctx.B.FrameEvents.ToList());
        return (c.Compared, c.Equal);
    }
}
