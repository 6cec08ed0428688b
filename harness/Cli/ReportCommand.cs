using System.CommandLine;
using Harness.Report;

namespace Harness.Cli;

/// <summary>
/// `harness report A B --html out.html`: compares two traces as `harness diff` does, writes the self-contained
/// HTML report and prints where it is (with the verdict). Same exit statuses as `harness diff`.
/// </summary>
public static class ReportCommand
{
    /// <summary>The `report` command.</summary>
    public static Command Build()
    {
        var a = new Argument<string>("TRACE_A") { Description = "Trace A, the reference (the original): a trace file or folder" };
        var b = new Argument<string>("TRACE_B") { Description = "Trace B, the port: a trace file or folder" };
        var html = new Option<string>("--html") { Description = "The HTML file to write", DefaultValueFactory = _ => "report.html" };
        var registry = DiffCommand.RegistryOption();
        var force = DiffCommand.ForceScenarioOption();
        var prefix = DiffCommand.PrefixOption();
        var summary = new Option<bool>("--summary") { Description = "Print the terminal summary too" };
        var cmd = new Command("report", "Compare two traces and write a self-contained HTML report (one file, no external assets)");
        cmd.Arguments.Add(a);
        cmd.Arguments.Add(b);
        cmd.Options.Add(html);
        cmd.Options.Add(registry);
        cmd.Options.Add(force);
        cmd.Options.Add(prefix);
        cmd.Options.Add(summary);
        cmd.SetAction(parse =>
        {
            var request = new DiffRequest
            {
                PathA = parse.GetValue(a)!,
                PathB = parse.GetValue(b)!,
                RegistryPath = parse.GetValue(registry),
                ForceScenario = parse.GetValue(force),
                ComparePrefix = parse.GetValue(prefix),
            };
            var code = DiffCommand.Run(request, parse.GetValue(html)!, parse.GetValue(summary));
            if (code is ExitCodes.Ok or ExitCodes.Failed)
                Console.WriteLine(code == ExitCodes.Ok ? "verdict: pass (every observable equal or accepted)" : "verdict: fail (diverged or incomplete; see the report)");
            return code;
        });
        return cmd;
    }
}
