using Harness.Qemu;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>`harness bench`: unobserved boot timings, median of several runs.</summary>
public static class BenchCommand
{
    public static async Task<int> RunAsync(string kernel, string scenarioName, string scenariosDir, int runs, CancellationToken ct)
    {
        if (runs < 1)
            throw new UsageException("--runs must be at least 1");
        var scenario = BootPlan.FindScenario(scenarioName, scenariosDir);
        var firstLine = new List<double>();
        var total = new List<double>();
        var withoutWait = new List<double>();
        var silence = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var plan = BootPlan.Prepare(scenario, kernel);
            try
            {
                var r = await BootCommand.RunAsync(plan, null, ct);
                if (r.Outcome is not (BootOutcome.ExitedClean or BootOutcome.Panic))
                {
                    BootCommand.PrintOutcome(r.Outcome, r.Elapsed);
                    return ExitCodes.Aborted;
                }
                if (r.Outcome.Transcript.FirstSerialByte is { } f)
                    firstLine.Add(f.TotalSeconds);
                total.Add(r.Outcome.Transcript.Elapsed.TotalSeconds);
                if (r.Outcome.Transcript is { FirstSerialByte: { } first, LastSerialByte: { } last } t)
                {
                    withoutWait.Add((last - first - t.LongestSerialGap).TotalSeconds);
                    silence.Add(t.LongestSerialGap.TotalSeconds);
                }
            }
            finally
            {
                try { Directory.Delete(plan.WorkDirectory, recursive: true); } catch (IOException) { }
            }
        }
        var table = new Table().AddColumns("measure", "median", "min", "max", "runs");
        Row(table, "QEMU start → first serial byte", firstLine);
        Row(table, "QEMU start → end of boot (QEMU exited)", total);
        // The observer's "run loop without its longest wait" counterpart: the kernel's run from its first serial line to
        // the end, less the longest silence on serial (device_noncore's RTC wait, which follows the host clock).
        Row(table, "first → last serial byte, less the longest serial silence", withoutWait);
        Row(table, "the longest serial silence (device_noncore's RTC wait)", silence);
        AnsiConsole.MarkupLine($"[grey]kernel {Markup.Escape(kernel)} ({new FileInfo(kernel).Length} bytes), scenario {Markup.Escape(scenario.Name)}, unobserved[/]");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }

    private static void Row(Table t, string name, List<double> xs)
    {
        if (xs.Count == 0)
        {
            t.AddRow(name, "-", "-", "-", "0");
            return;
        }
        var s = xs.Order().ToList();
        var median = s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        t.AddRow(name, $"{median:0.000} s", $"{s[0]:0.000} s", $"{s[^1]:0.000} s", s.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
