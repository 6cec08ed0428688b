using System.Diagnostics;
using Harness.Qemu;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>`harness boot`: build the disk image, start QEMU, stream COM1, say how the boot ended.</summary>
public static class BootCommand
{
    /// <summary>How the boot ended, its serial lines, and the wall time of the whole run.</summary>
    public sealed record Result(BootOutcome Outcome, IReadOnlyList<string> Serial, TimeSpan Elapsed);

    /// <summary>Boots <paramref name="plan"/>; <paramref name="echo"/> gets each serial line as it arrives.</summary>
    public static async Task<Result> RunAsync(BootPlan plan, Action<string>? echo, CancellationToken ct)
    {
        var lines = new List<string>();
        var clock = Stopwatch.StartNew();
        var outcome = await QemuRunner.RunAsync(plan.Qemu, line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }
            echo?.Invoke(line);
        }, ct);
        clock.Stop();
        lock (lines)
        {
            return new Result(outcome, lines.ToList(), clock.Elapsed);
        }
    }

    /// <summary>The exit status for how a boot of the port ended.</summary>
    public static int ExitCodeOf(BootOutcome outcome) => outcome switch
    {
        BootOutcome.ExitedClean => ExitCodes.Ok,
        BootOutcome.Panic => ExitCodes.Failed,
        _ => ExitCodes.Aborted,
    };

    public static void PrintOutcome(BootOutcome outcome, TimeSpan elapsed)
    {
        var (colour, word) = outcome switch
        {
            BootOutcome.ExitedClean => ("green", "ended cleanly"),
            BootOutcome.Panic => ("red", "panicked"),
            BootOutcome.Timeout => ("red", "did not finish"),
            BootOutcome.Idle => ("yellow", "went idle"),
            BootOutcome.TripleFault => ("red", "triple-faulted"),
            BootOutcome.Reset => ("yellow", "reset"),
            BootOutcome.PowerOff => ("yellow", "powered off"),
            BootOutcome.LoaderError => ("red", "failed in the loader"),
            BootOutcome.QemuMissing => ("red", "could not start"),
            _ => ("red", "failed"),
        };
        AnsiConsole.MarkupLine($"[{colour}]boot {word}[/]: {Markup.Escape(outcome.Describe())} [grey]({elapsed.TotalSeconds:0.00} s)[/]");
        var last = outcome switch
        {
            BootOutcome.Timeout t => t.LastLines,
            BootOutcome.Idle i => i.LastLines,
            _ => [],
        };
        if (last.Count > 0)
        {
            AnsiConsole.MarkupLine("[grey]last serial lines:[/]");
            foreach (var l in last)
                AnsiConsole.WriteLine("  " + l);
        }
        if (outcome is BootOutcome.QemuDied d && d.Stderr.Length > 0)
            AnsiConsole.WriteLine(d.Stderr);
    }
}
