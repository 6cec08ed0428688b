namespace Harness.Diff;

/// <summary>The outcome of comparing one observable at one checkpoint (or of a whole diff).</summary>
public enum CellStatus
{
    /// <summary>Both sides recorded it and it is the same after normalisation.</summary>
    Equal,

    /// <summary>It differs, and every difference is listed in divergences.toml with a reason.</summary>
    Accepted,

    /// <summary>It differs in a way no registry entry accepts.</summary>
    Diverged,

    /// <summary>A trace ended before this point: it cannot be compared, and is not equal.</summary>
    Incomplete,

    /// <summary>Neither side (or only one side) recorded it.</summary>
    NotObserved,
}

/// <summary>Lower-case names of statuses as reports print them.</summary>
public static class CellStatusText
{
    /// <summary>equal / accepted / diverged / incomplete / not-observed.</summary>
    public static string Name(this CellStatus s) => s switch
    {
        CellStatus.Equal => "equal",
        CellStatus.Accepted => "accepted",
        CellStatus.Diverged => "diverged",
        CellStatus.Incomplete => "incomplete",
        _ => "not-observed",
    };
}
