using System.Text;

namespace Harness.Diff;

/// <summary>A plain-text account of a <see cref="DiffResult"/>, for terminals and logs.</summary>
public static class DiffText
{
    /// <summary>
    /// Renders the result: both sides, the overall status, the first divergence with both values and
    /// callers, a table of cells, the accepted divergences with their reasons, stale registry entries and notes.
    /// At most <paramref name="maxDifferences"/> further divergences are listed.
    /// </summary>
    public static string Format(DiffResult r, int maxDifferences = 20)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"A: {r.A.Path} ({r.A.Kernel ?? "kernel ?"}, scenario {r.A.Scenario}{(r.A.Complete ? "" : ", INCOMPLETE: " + r.A.IncompleteReason)})");
        sb.AppendLine($"B: {r.B.Path} ({r.B.Kernel ?? "kernel ?"}, scenario {r.B.Scenario}{(r.B.Complete ? "" : ", INCOMPLETE: " + r.B.IncompleteReason)})");
        if (r.ScenarioMismatch) sb.AppendLine("WARNING: different scenarios, comparison forced");
        sb.AppendLine($"status: {r.Status.Name().ToUpperInvariant()}{(r.Complete ? "" : " (prefix of an incomplete trace)")}");
        sb.AppendLine($"events compared: {r.EventsCompared}, equal: {r.EventsEqual}");

        if (r.FirstDivergence is { } f)
        {
            sb.AppendLine();
            sb.AppendLine($"first divergence: {f.Observable} @ {f.Checkpoint}, {f.Path}");
            sb.AppendLine($"  {f.Sentence}");
            sb.AppendLine($"  A: {f.A ?? "(none)"}");
            sb.AppendLine($"  B: {f.B ?? "(none)"}");
            if (f.CallerA is not null || f.CallerB is not null)
                sb.AppendLine($"  callers: A {f.CallerA ?? "-"} | B {f.CallerB ?? "-"}");
        }

        sb.AppendLine();
        var observables = Observable.PerCheckpoint;
        sb.AppendLine("checkpoint".PadRight(28) + string.Concat(observables.Select(o => o.PadRight(17))));
        foreach (var cp in r.Checkpoints)
        {
            var row = observables.Select(o => r.Cell(o, cp)).ToList();
            if (cp == BootOrder.AfterLast && row.All(c => c.Status == CellStatus.NotObserved || (c.Status == CellStatus.Equal && c.Differences.Count == 0))) continue;
            sb.AppendLine(cp.PadRight(28) + string.Concat(row.Select(c => Cell(c).PadRight(17))));
        }
        sb.AppendLine($"serial {BootOrder.WholeLog}: {Cell(r.Cell(Observable.Serial, BootOrder.WholeLog))}");
        // Processes (syscalls, lifecycle, address spaces, every live context's state): compared over the whole run.
        if (r.Cells.FirstOrDefault(c => c.Observable == Observable.Processes) is { } pc)
            sb.AppendLine($"processes {BootOrder.WholeLog}: {Cell(pc)}{(pc.Note is { } n ? $" ({n})" : "")}");

        var more = r.Divergences.Where(d => d != r.FirstDivergence).Take(maxDifferences).ToList();
        if (more.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine($"further divergences (first {more.Count} of {r.Divergences.Count() - 1}):");
            foreach (var d in more) sb.AppendLine($"  {d.Observable} @ {d.Checkpoint}: {d.Path}: A {d.A ?? "(none)"} | B {d.B ?? "(none)"}");
        }

        sb.AppendLine();
        sb.AppendLine(r.Accepted.Count == 0 ? "accepted divergences: none applied" : "accepted divergences applied:");
        foreach (var a in r.Accepted)
            sb.AppendLine($"  {a.Entry.Id} ({a.Entry.Location}), {a.Count} difference{(a.Count == 1 ? "" : "s")}: {a.Entry.Reason}");
        foreach (var s in r.Stale)
            sb.AppendLine($"STALE registry entry {s.Id} ({s.Location}): accepted nothing here");
        foreach (var n in r.Notes) sb.AppendLine($"note: {n}");
        return sb.ToString();
    }

    private static string Cell(ObservableCell c) =>
        c.Differences.Count == 0 ? c.Status.Name() : $"{c.Status.Name()}({c.Differences.Count})";
}
