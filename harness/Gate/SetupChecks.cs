using Harness.Scenarios;

namespace Harness.Gate;

/// <summary>Checks made before a scenario boots, so that a run that could not be used is not started.</summary>
public static class SetupChecks
{
    /// <summary>
    /// Why <paramref name="s"/> cannot be compared with anything (its reference recording, or the port's baseline when
    /// it names no reference and the run does not write one), or null when it can.
    /// </summary>
    public static string? MissingBaseline(Scenario s, string referenceDir, string baselineDir, bool updatingBaselines)
    {
        if (s.Reference is { } reference)
        {
            var path = Path.Combine(referenceDir, reference);
            return Directory.Exists(path) || File.Exists(path)
                ? null
                : $"not booted: no reference recording {path} ({s.SourcePath}: reference = \"{reference}\"; traces/reference/README.md says how they are imported)";
        }
        var baseline = Path.Combine(baselineDir, s.Name + ".jsonl");
        return updatingBaselines || File.Exists(baseline)
            ? null
            : $"not booted: no baseline {baseline} and no reference in {s.SourcePath}: run `harness gate --update-port-traces` (or add `reference =`)";
    }
}
