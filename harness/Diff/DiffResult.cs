using Harness.Trace;

namespace Harness.Diff;

/// <summary>One side of a comparison, as named in results.</summary>
/// <param name="Path">The trace file.</param>
/// <param name="Scenario">The scenario in its header.</param>
/// <param name="Kernel"><c>port</c>, <c>original</c>, or null when the trace does not say.</param>
/// <param name="KernelSha256">The kernel ELF's hash, when recorded.</param>
/// <param name="Complete">Whether the trace is complete.</param>
/// <param name="IncompleteReason">Why not, when it is not.</param>
public sealed record TraceIdentity(string Path, string Scenario, string? Kernel, string? KernelSha256, bool Complete, string? IncompleteReason)
{
    internal static TraceIdentity Of(Trace.Trace t) =>
        new(t.SourcePath, t.Header.Scenario, t.Header.Kernel.Which, t.Header.Kernel.Sha256, t.IsComplete, t.IncompleteReason);
}

/// <summary>The comparison of one observable at one checkpoint.</summary>
public sealed record ObservableCell
{
    /// <summary>The observable.</summary>
    public required string Observable { get; init; }

    /// <summary>The checkpoint (for serial: <see cref="BootOrder.WholeLog"/>).</summary>
    public required string Checkpoint { get; init; }

    /// <summary>The outcome.</summary>
    public required CellStatus Status { get; init; }

    /// <summary>Every difference found here, accepted or not, in boot order.</summary>
    public required IReadOnlyList<Difference> Differences { get; init; }

    /// <summary>Why the cell is incomplete or not observed, when it is.</summary>
    public string? Note { get; init; }

    /// <summary>True when only one side recorded this (an observation gap): never counted as equal.</summary>
    public bool OneSided { get; init; }
}

/// <summary>A registry entry that accepted differences in this comparison.</summary>
/// <param name="Entry">The entry.</param>
/// <param name="Count">How many differences it accepted.</param>
/// <param name="Example">The first of them.</param>
public sealed record AppliedDivergence(AcceptedDivergence Entry, int Count, Difference Example);

/// <summary>The outcome of comparing trace A (the reference, the original) with trace B (the port).</summary>
public sealed class DiffResult
{
    /// <summary>Side A.</summary>
    public required TraceIdentity A { get; init; }

    /// <summary>Side B.</summary>
    public required TraceIdentity B { get; init; }

    /// <summary>The scenario compared (A's; see <see cref="ScenarioMismatch"/>).</summary>
    public required string Scenario { get; init; }

    /// <summary>True when the two traces are of different scenarios and the comparison was forced.</summary>
    public required bool ScenarioMismatch { get; init; }

    /// <summary>True when both traces are complete; false when only a prefix was compared.</summary>
    public required bool Complete { get; init; }

    /// <summary>The overall outcome: diverged if any cell diverged, else incomplete, else accepted, else equal.</summary>
    public required CellStatus Status { get; init; }

    /// <summary>The checkpoints in boot order, as compared.</summary>
    public required IReadOnlyList<string> Checkpoints { get; init; }

    /// <summary>Every cell: each per-checkpoint observable at each checkpoint, then serial.</summary>
    public required IReadOnlyList<ObservableCell> Cells { get; init; }

    /// <summary>The first difference in boot order that no registry entry accepts, or null.</summary>
    public required Difference? FirstDivergence { get; init; }

    /// <summary>The registry entries that accepted differences here.</summary>
    public required IReadOnlyList<AppliedDivergence> Accepted { get; init; }

    /// <summary>Registry entries that apply to this scenario but accepted nothing: stale.</summary>
    public required IReadOnlyList<AcceptedDivergence> Stale { get; init; }

    /// <summary>Frame and heap events compared (pairs, plus events only one side has).</summary>
    public required int EventsCompared { get; init; }

    /// <summary>Of <see cref="EventsCompared"/>, how many were equal.</summary>
    public required int EventsEqual { get; init; }

    /// <summary>What the normalisation did or could not do (e.g. a side without section symbols).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>All differences, in boot order.</summary>
    public IEnumerable<Difference> Differences => Cells.SelectMany(c => c.Differences).OrderBy(d => d.Position);

    /// <summary>The differences no registry entry accepts, in boot order.</summary>
    public IEnumerable<Difference> Divergences => Differences.Where(d => !d.IsAccepted);

    /// <summary>The cell of <paramref name="observable"/> at <paramref name="checkpoint"/>.</summary>
    public ObservableCell Cell(string observable, string checkpoint) =>
        Cells.FirstOrDefault(c => c.Observable == observable && c.Checkpoint == checkpoint)
        ?? throw new KeyNotFoundException($"no cell {observable} @ {checkpoint}");

    /// <summary>True when the traces are equal or differ only in accepted ways, and both are complete.</summary>
    public bool Passed => Status is CellStatus.Equal or CellStatus.Accepted;
}
