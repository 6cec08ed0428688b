using System.CommandLine;
using Harness.Report;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>
/// `harness diff A B`: compares two recorded traces (A the reference, B the port) and prints the terminal summary;
/// optionally writes the HTML report too. Exit status 0 only when every observable is equal or accepted, 1 when the
/// traces diverge or a trace is incomplete, 2 when a trace cannot be read (its name and line are printed), the
/// traces are of different scenarios (both named), or the registry is malformed.
/// </summary>
public static class DiffCommand
{
    /// <summary>The `diff` command.</summary>
    public static Command Build()
    {
        var a = new Argument<string>("A") { Description = "Trace A, the reference (the original): a trace file or a folder such as traces/reference/q35-2g" };
        var b = new Argument<string>("B") { Description = "Trace B, the port: a trace file or folder" };
        var registry = RegistryOption();
        var html = new Option<string?>("--html") { Description = "Also write the HTML report to this file" };
        var force = ForceScenarioOption();
        var prefix = PrefixOption();
        var cmd = new Command("diff", "Compare two traces (A the original, B the port) and print observables × checkpoints, the first divergence and the accepted divergences");
        cmd.Arguments.Add(a);
        cmd.Arguments.Add(b);
        cmd.Options.Add(registry);
        cmd.Options.Add(html);
        cmd.Options.Add(force);
        cmd.Options.Add(prefix);
        cmd.SetAction(parse => Run(new DiffRequest
        {
            PathA = parse.GetValue(a)!,
            PathB = parse.GetValue(b)!,
            RegistryPath = parse.GetValue(registry),
            ForceScenario = parse.GetValue(force),
            ComparePrefix = parse.GetValue(prefix),
        }, parse.GetValue(html), summary: true));
        return cmd;
    }

    internal static Option<string?> RegistryOption() => new("--registry")
    {
        Description = $"The registry of accepted divergences (default: {DiffSession.DefaultRegistry} when it exists)",
    };

    internal static Option<bool> ForceScenarioOption() => new("--force-scenario")
    {
        Description = "Compare traces of different scenarios anyway (every difference may then be the scenario's)",
    };

    internal static Option<bool> PrefixOption() => new("--prefix")
    {
        Description = "Compare the complete prefix of an incomplete trace (the result is then never equal)",
    };

    /// <summary>Runs a comparison: prints the summary (when asked), writes the HTML (when asked), returns the exit status.</summary>
    internal static int Run(DiffRequest request, string? htmlPath, bool summary)
    {
        DiffSession session;
        try
        {
            if (htmlPath is not null)
                Harness.Trace.OutputFile.CheckWritable(htmlPath);
            session = DiffSession.Run(request);
        }
        catch (Exception e) when (e is ReportInputException or Harness.Trace.OutputPathException)
        {
            Console.Error.WriteLine("harness: " + e.Message);
            return ExitCodes.BadInput;
        }
        var console = TerminalSummary.StandardOutput();
        if (summary) TerminalSummary.Write(console, session);
        if (htmlPath is not null)
        {
            try
            {
                var written = HtmlReport.Write(session, htmlPath);
                console.MarkupLine($"HTML report: {Markup.Escape(written)}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e is Harness.Trace.OutputPathException ? "harness: " + e.Message : $"harness: cannot write {htmlPath}: {e.Message}");
                return ExitCodes.BadInput;
            }
        }
        return session.ExitCode;
    }
}
