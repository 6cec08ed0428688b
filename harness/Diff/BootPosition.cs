namespace Harness.Diff;

/// <summary>
/// Where a difference lies in boot order: the checkpoint interval (events leading up to a checkpoint come
/// before the state recorded at it), then the event's seq on side A, or the observable's rank for state.
/// </summary>
/// <param name="CheckpointOrdinal">The checkpoint's place in the merged boot order.</param>
/// <param name="Stage">0 for events leading up to the checkpoint, 1 for the state recorded at it.</param>
/// <param name="Within">Order inside the stage: A's seq for events, the observable's rank for state.</param>
public readonly record struct BootPosition(int CheckpointOrdinal, int Stage, double Within) : IComparable<BootPosition>
{
    /// <inheritdoc />
    public int CompareTo(BootPosition other)
    {
        var c = CheckpointOrdinal.CompareTo(other.CheckpointOrdinal);
        if (c != 0) return c;
        c = Stage.CompareTo(other.Stage);
        return c != 0 ? c : Within.CompareTo(other.Within);
    }
}
