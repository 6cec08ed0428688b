using Harness.Diff.Compare;

namespace Harness.Diff;

/// <summary>
/// Compares two traces of the same scenario: A, the reference (the original kernel), and B, the port.
/// Every observable of FIDELITY.md §2 is compared per checkpoint after the normalisation of §3;
/// differences listed in the registry are accepted; the first other difference in boot order is the
/// first divergence.
/// </summary>
public static class TraceDiffer
{
    /// <summary>Compares <paramref name="a"/> (reference) with <paramref name="b"/> (port).</summary>
    /// <exception cref="DiffRefusedException">
    /// The traces are of different scenarios (without <see cref="DiffOptions.AllowScenarioMismatch"/>), or one is
    /// incomplete (without <see cref="DiffOptions.CompareIncompletePrefix"/>).
    /// </exception>
    public static DiffResult Compare(Trace.Trace a, Trace.Trace b, DiffOptions? options = null, DivergenceRegistry? registry = null)
    {
        options ??= new DiffOptions();
        registry ??= DivergenceRegistry.Empty;
        Refuse(a, b, options);

        var ctx = new DiffContext(a, b, options, registry);
        var frames = FramesComparer.Run(ctx);
        var heap = HeapComparer.Run(ctx);
        FrameAllocatorComparer.Run(ctx);
        PageTablesComparer.Run(ctx);
        DescriptorsComparer.Run(ctx);
        SerialComparer.Run(ctx);
        SyscallsComparer.Run(ctx);
        ProcessesComparer.Run(ctx);
        HangComparer.Run(ctx);
        ContextsComparer.Run(ctx);
        if (a.Header.Scenario != b.Header.Scenario)
            ctx.Note($"forced comparison of different scenarios: A is '{a.Header.Scenario}', B is '{b.Header.Scenario}'");

        var cells = ctx.BuildCells();
        var all = cells.SelectMany(c => c.Differences).OrderBy(d => d.Position).ToList();
        var accepted = all.Where(d => d.IsAccepted).GroupBy(d => d.AcceptedBy!)
            .Select(g => new AppliedDivergence(g.Key, g.Count(), g.First())).ToList();
        var used = accepted.Select(x => x.Entry).ToHashSet();
        var stale = registry.Entries
            .Where(e => (e.AppliesTo(a.Header.Scenario) || e.AppliesTo(b.Header.Scenario)) && !used.Contains(e)).ToList();
        var complete = a.IsComplete && b.IsComplete;

        return new DiffResult
        {
            A = TraceIdentity.Of(a),
            B = TraceIdentity.Of(b),
            Scenario = a.Header.Scenario,
            ScenarioMismatch = a.Header.Scenario != b.Header.Scenario,
            Complete = complete,
            Status = Overall(cells, complete),
            Checkpoints = ctx.Order.Checkpoints,
            Cells = cells,
            FirstDivergence = all.FirstOrDefault(d => !d.IsAccepted),
            Accepted = accepted,
            Stale = stale,
            EventsCompared = frames.Compared + heap.Compared,
            EventsEqual = frames.Equal + heap.Equal,
            Notes = ctx.Notes,
        };
    }

    private static void Refuse(Trace.Trace a, Trace.Trace b, DiffOptions options)
    {
        if (a.Header.Scenario != b.Header.Scenario && !options.AllowScenarioMismatch)
            throw new DiffRefusedException(
                $"refusing to compare traces of different scenarios: {a.SourcePath} is scenario '{a.Header.Scenario}', " +
                $"{b.SourcePath} is scenario '{b.Header.Scenario}' (force with AllowScenarioMismatch)");
        foreach (var (side, t) in new[] { ("A", a), ("B", b) })
            if (!t.IsComplete && !options.CompareIncompletePrefix)
                throw new DiffRefusedException(
                    $"refusing to compare an incomplete trace as if it were whole: {side} = {t.SourcePath}: {t.IncompleteReason} " +
                    "(compare its complete prefix with CompareIncompletePrefix)");
    }

    private static CellStatus Overall(IReadOnlyList<ObservableCell> cells, bool complete) =>
        cells.Any(c => c.Status == CellStatus.Diverged) ? CellStatus.Diverged
        : !complete || cells.Any(c => c.Status == CellStatus.Incomplete || c.OneSided) ? CellStatus.Incomplete
        : cells.Any(c => c.Status == CellStatus.Accepted) ? CellStatus.Accepted
        : CellStatus.Equal;
}
