using Harness.Qemu;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>
/// `harness diff-boot`: boots the port on a scenario and compares it with the original.
/// Until the observer exists (frames, page tables, descriptors, heap observed through the gdb
/// stub), only the serial log is compared, and the result says so: it is never reported as a pass.
/// </summary>
public static class DiffBootCommand
{
    public static async Task<int> RunAsync(string kernel, string scenarioName, string scenariosDir, string referenceDir, string? original, CancellationToken ct)
    {
        if (original is not null)
            throw new UsageException("--original: booting an original kernel observed side by side needs the observer, which is not built yet; compare against the recorded reference instead");

        var scenario = BootPlan.FindScenario(scenarioName, scenariosDir);
        if (scenario.Reference is null)
            throw new UsageException($"scenario {scenario.Name} ({scenario.SourcePath}) names no reference to compare with; give REDOX_KERNEL=... once the observer exists");
        var referenceSerial = Path.Combine(referenceDir, scenario.Reference, "serial.log");
        if (!File.Exists(referenceSerial))
            throw new UsageException($"no reference serial log {referenceSerial} (import the references with the harness, see traces/README.md)");
        var expected = SerialLog.Lines(File.ReadAllBytes(referenceSerial));

        var plan = BootPlan.Prepare(scenario, kernel);
        BootCommand.Result result;
        try
        {
            result = await AnsiConsole.Status().StartAsync($"booting the port on {scenario.Name}…", _ => BootCommand.RunAsync(plan, null, ct));
        }
        finally
        {
            try { Directory.Delete(plan.WorkDirectory, recursive: true); } catch (IOException) { }
        }
        BootCommand.PrintOutcome(result.Outcome, result.Elapsed);

        var serial = SerialLog.Compare(expected, result.Serial);
        var table = new Table().AddColumns("observable", "status", "detail");
        table.AddRow("serial", serial.FirstDivergence is null ? "[green]equal[/]" : "[red]diverged[/]", Markup.Escape(serial.Describe()));
        foreach (var o in new[] { "frames", "page tables", "descriptors", "heap", "frame allocator" })
            table.AddRow(o, "[yellow]not observed[/]", "the observer (gdb stub) is not built yet");
        AnsiConsole.Write(table);

        if (serial.FirstDivergence is { } d)
        {
            AnsiConsole.MarkupLine($"[red]first divergence[/]: serial line {d.Line}");
            AnsiConsole.WriteLine($"  original: {d.Expected ?? "(no line)"}");
            AnsiConsole.WriteLine($"  port:     {d.Actual ?? "(no line)"}");
            return ExitCodes.Failed;
        }
        if (result.Outcome is not BootOutcome.ExitedClean)
            return BootCommand.ExitCodeOf(result.Outcome);
        AnsiConsole.MarkupLine("[yellow]incomplete[/]: only the serial log was compared; the diff of the other observables is not built yet.");
        return ExitCodes.Failed;
    }
}

/// <summary>Serial logs as lines, and the comparison of the port's log with a prefix of the original's.</summary>
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

    /// <summary>What a panic's stack trace is replaced by in <see cref="WithoutStackTraces"/>.</summary>
    public const string StackTraceMarker = "<stack trace>";

    /// <summary>
    /// A panic's stack trace (the "TRACE: rbp" line and the frame lines after it, up to "HALT")
    /// holds this binary's own addresses, call depth and symbol names: it is replaced by one
    /// marker line, so that two kernels' logs compare by everything else.
    /// </summary>
    public static IReadOnlyList<string> WithoutStackTraces(IReadOnlyList<string> lines)
    {
        var result = new List<string>(lines.Count);
        var inTrace = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("TRACE: ", StringComparison.Ordinal))
            {
                inTrace = true;
                result.Add(StackTraceMarker);
                continue;
            }
            if (inTrace && line.StartsWith(' '))
                continue;
            inTrace = false;
            result.Add(line);
        }
        return result;
    }

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
