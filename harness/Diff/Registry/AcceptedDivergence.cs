namespace Harness.Diff;

/// <summary>
/// One entry of traces/divergences.toml: a difference accepted on purpose, with its reason.
/// It accepts a <see cref="Difference"/> when every pattern it gives matches.
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

    /// <summary>True when it accepts <paramref name="d"/> in a comparison of <paramref name="scenario"/>.</summary>
    public bool Accepts(Difference d, string scenario) =>
        AppliesTo(scenario)
        && d.Observable == Observable
        && (Checkpoint is null || Checkpoint.Matches(d.Checkpoint))
        && Path.Matches(d.Path)
        && (A is null || A.Matches(d.A ?? NoneText))
        && (B is null || B.Matches(d.B ?? NoneText));
}
