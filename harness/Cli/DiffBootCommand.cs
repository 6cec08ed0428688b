using Harness.Report;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>
/// `harness diff-boot`: builds nothing (make does), boots the port observed on a scenario, and
/// diffs its trace against the original's: the recorded reference of that scenario
/// (traces/reference/), or a live original kernel booted and observed the same way (--original).
/// Prints the terminal summary, writes the HTML report, and exits 0 only when every observable is
/// equal or an accepted divergence (traces/divergences.toml).
/// </summary>
public static class DiffBootCommand
{
    /// <summary>Where diff-boot writes its traces and reports by default (not committed).</summary>
    public const string OutputDirectory = "build";

    public static async Task<int> RunAsync(string kernel, string scenarioName, string scenariosDir, string referenceDir, string? original, string? outputDirectory, CancellationToken ct)
    {
        var outDir = outputDirectory ?? OutputDirectory;
        var scenario = BootPlan.ForComparison(BootPlan.FindScenario(scenarioName, scenariosDir), original, referenceDir);
        // Every output is checked before anything boots.
        foreach (var output in new[] { Path.Combine(outDir, "traces", "port", scenario.Name + ".jsonl"), Path.Combine(outDir, "reports", scenario.Name + ".html") }
                     .Concat(original is null ? [] : [Path.Combine(outDir, "traces", "original", scenario.Name + ".jsonl")]))
            Harness.Trace.OutputFile.CheckWritable(output);
        string pathA;
        if (original is null)
        {
            if (scenario.Reference is null)
                throw new UsageException($"scenario {scenario.Name} ({scenario.SourcePath}) has no recorded reference: point REDOX_KERNEL (--original) at an original Redox 0.3.5 kernel ELF to boot both");
            pathA = Path.Combine(referenceDir, scenario.Reference);
            if (!Directory.Exists(pathA))
                throw new UsageException($"no reference recording {pathA} for scenario {scenario.Name} (traces/reference/README.md says how they are imported)");
        }
        else
        {
            AnsiConsole.MarkupLine($"[bold]1. the original[/] {Markup.Escape(original)}");
            pathA = Path.Combine(outDir, "traces", "original", scenario.Name + ".jsonl");
            var a = await RecordCommand.RecordAsync(original, BootPlan.ForOriginal(scenario), RecordCommand.OriginalMap, pathA, keep: false, ct);
            RecordCommand.PrintResult(a);
            if (!a.Complete)
            {
                AnsiConsole.MarkupLine($"[red]the original's observation is incomplete[/]: {Markup.Escape(a.Error ?? a.How)}");
                return ExitCodes.Aborted;
            }
        }

        AnsiConsole.MarkupLine($"[bold]{(original is null ? "1" : "2")}. the port[/] {Markup.Escape(kernel)}, observed");
        var pathB = Path.Combine(outDir, "traces", "port", scenario.Name + ".jsonl");
        var b = await RecordCommand.RecordAsync(kernel, scenario, RecordCommand.PortMap, pathB, keep: false, ct);
        RecordCommand.PrintResult(b);
        if (!b.Complete)
        {
            AnsiConsole.MarkupLine($"[red]the port's observation is incomplete[/]: {Markup.Escape(b.Error ?? b.How)} — nothing was compared");
            return ExitCodes.Aborted;
        }

        AnsiConsole.MarkupLine($"[bold]{(original is null ? "2" : "3")}. the diff[/] {Markup.Escape(pathA)} ↔ {Markup.Escape(pathB)}");
        var html = Path.Combine(outDir, "reports", scenario.Name + ".html");
        return DiffCommand.Run(new DiffRequest { PathA = pathA, PathB = pathB }, html, summary: true);
    }
}

/// <summary>Serial logs as lines, and the comparison of one kernel's log with a prefix of another's.</summary>
public static class SerialLog
{
    public static IReadOnlyList<string> Lines(byte[] bytes)
    {
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    /// <summary>The log with each panic stack trace folded into one line, as the diff compares it.</summary>
    public static IReadOnlyList<string> WithoutStackTraces(IReadOnlyList<string> lines) =>
        Harness.Diff.Normalise.StackTraces.Fold(lines).Select(l => l.Text).ToList();

    public sealed record Divergence(int Line, string? Expected, string? Actual);

    public sealed record Comparison(int Compared, int ExpectedTotal, Divergence? FirstDivergence)
    {
        public string Describe() => FirstDivergence is { } d
            ? $"line {d.Line} differs"
            : Compared == ExpectedTotal
                ? $"all {Compared} lines equal"
                : $"the {Compared} lines the port prints equal the original's first {Compared}; {ExpectedTotal - Compared} more lines follow in the original (the port ends earlier)";
    }

    /// <summary>Every line the port printed must equal the original's line at the same place (stack traces compared as one marker).</summary>
    public static Comparison Compare(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        expected = WithoutStackTraces(expected);
        actual = WithoutStackTraces(actual);
        for (var i = 0; i < actual.Count; i++)
        {
            var e = i < expected.Count ? expected[i] : null;
            if (e != actual[i])
                return new Comparison(i, expected.Count, new Divergence(i + 1, e, actual[i]));
        }
        return new Comparison(actual.Count, expected.Count, null);
    }
}
