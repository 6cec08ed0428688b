namespace Harness.Diff;

/// <summary>
/// One entry of traces/divergences.toml: a difference accepted on purpose, with its reason.
/// It accepts a <see cref="Difference"/> when every pattern it gives matches, the difference lies inside its
/// checkpoint limits (<see cref="From"/>, <see cref="Before"/>), and, with <see cref="OnlyBits"/>, the two values
/// differ in the named bits only.
/// </summary>
public sealed record AcceptedDivergence
{
    /// <summary>The text a side's value is matched as when that side has none.</summary>
    public const string NoneText = "(none)";

    /// <summary>A short unique name.</summary>
    public required string Id { get; init; }

    /// <summary>The scenarios it applies to (globs); empty: every scenario.</summary>
    public required IReadOnlyList<Pattern> Scenarios { get; init; }

    /// <summary>The observable (<see cref="Diff.Observable"/>), exactly.</summary>
    public required string Observable { get; init; }

    /// <summary>The checkpoint(s) (glob), or null for any.</summary>
    public Pattern? Checkpoint { get; init; }

    /// <summary>The difference's <see cref="Difference.Path"/> (glob).</summary>
    public required Pattern Path { get; init; }

    /// <summary>Side A's value (glob), or null for any.</summary>
    public Pattern? A { get; init; }

    /// <summary>Side B's value (glob), or null for any.</summary>
    public Pattern? B { get; init; }

    /// <summary>
    /// "These bits only": when set, both sides must have a value and the two values, read as words separated by
    /// spaces (e.g. a leaf <c>0x1234000 P W A D G NX</c>), must be the same once these words are removed from both
    /// (e.g. <c>["A", "D"]</c>: same frame, same other flags). Null: the values are matched by <see cref="A"/> and
    /// <see cref="B"/> alone.
    /// </summary>
    public IReadOnlyList<string>? OnlyBits { get; init; }

    /// <summary>
    /// The first checkpoint (in boot order) at which a difference may lie, inclusive: state recorded at it, events
    /// and serial lines after it. Null: no lower limit.
    /// </summary>
    public string? From { get; init; }

    /// <summary>
    /// The checkpoint before which a difference must lie, exclusive: state recorded at earlier checkpoints, events and
    /// serial lines leading up to it. Null: no upper limit.
    /// </summary>
    public string? Before { get; init; }

    /// <summary>Why the difference is accepted (required).</summary>
    public required string Reason { get; init; }

    /// <summary>The registry file it was read from.</summary>
    public required string File { get; init; }

    /// <summary>The 1-based line of its <c>[[divergence]]</c> header.</summary>
    public required int Line { get; init; }

    /// <summary>Where it is written, as <c>file:line</c>.</summary>
    public string Location => $"{File}:{Line}";

    /// <summary>True when it applies to a comparison of <paramref name="scenario"/>.</summary>
    public bool AppliesTo(string scenario) => Scenarios.Count == 0 || Scenarios.Any(p => p.Matches(scenario));

    /// <summary>
    /// True when it accepts <paramref name="d"/> in a comparison of <paramref name="scenario"/>; <paramref name="order"/>
    /// places the checkpoints of <see cref="From"/> and <see cref="Before"/> (without it, an entry with limits accepts nothing).
    /// </summary>
    public bool Accepts(Difference d, string scenario, BootOrder? order = null) =>
        AppliesTo(scenario)
        && d.Observable == Observable
        && (Checkpoint is null || Checkpoint.Matches(d.Checkpoint))
        && Path.Matches(d.Path)
        && (A is null || A.Matches(d.A ?? NoneText))
        && (B is null || B.Matches(d.B ?? NoneText))
        && (OnlyBits is null || DifferOnlyIn(d.A, d.B, OnlyBits))
        && WithinLimits(d, order);

    /// <summary>True when both values exist and are equal once the words <paramref name="bits"/> are removed from each.</summary>
    public static bool DifferOnlyIn(string? a, string? b, IReadOnlyList<string> bits)
    {
        if (a is null || b is null) return false;
        string Without(string v) => string.Join(' ', v.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !bits.Contains(w)));
        return Without(a) == Without(b);
    }

    private bool WithinLimits(Difference d, BootOrder? order)
    {
        if (From is null && Before is null) return true;
        if (order is null || d.Happened is not { } at) return false;
        if (From is not null && (!order.Has(From) || !order.IsAtOrAfter(at, From))) return false;
        if (Before is not null && (!order.Has(Before) || order.IsAtOrAfter(at, Before))) return false;
        return true;
    }
}
