using System.CommandLine;
using System.Diagnostics;
using Harness.Observe;
using Harness.Observe.Map;
using Harness.Qemu;
using Harness.Scenarios;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>
/// `harness record`: boots a kernel on a scenario under QEMU's gdb stub and writes the observed trace
/// (traces/FORMAT.md): frame allocations, page tables, descriptor tables, heap and serial log.
/// </summary>
public static class RecordCommand
{
    /// <summary>The port's map and the original's, relative to the repository root.</summary>
    public const string PortMap = "csharp-kernel/observe.toml";

    /// <summary>The original's map.</summary>
    public const string OriginalMap = "redox-0.3.5/observe.toml";

    /// <summary>The `record` command; <paramref name="scenariosDir"/> is the root's --scenarios-dir option.</summary>
    public static Command Build(Option<string> scenariosDir)
    {
        var kernel = new Option<string>("--kernel") { Description = "Kernel ELF to boot and observe (the port's build/kernel.elf, or an original Redox kernel)", Required = true };
        var scenario = new Option<string>("--scenario") { Description = "Scenario name (traces/scenarios/NAME.toml) or path", Required = true };
        var map = new Option<string?>("--map") { Description = $"Observation map (default: {PortMap}, or {OriginalMap} for a Rust kernel)" };
        var output = new Option<string?>("--out") { Description = "Trace to write (default: traces/port/SCENARIO.jsonl, traces/original/… for the original)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the work folder (disk image, QEMU logs) and print its path" };
        var command = new Command("record", "Boot a kernel on a scenario, observe it through QEMU's gdb stub and write its trace (frames, page tables, descriptors, heap, serial)");
        command.Options.Add(kernel);
        command.Options.Add(scenario);
        command.Options.Add(map);
        command.Options.Add(output);
        command.Options.Add(keep);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await RunAsync(parse.GetValue(kernel)!, parse.GetValue(scenario)!, parse.GetValue(scenariosDir)!,
                    parse.GetValue(map), parse.GetValue(output), parse.GetValue(keep), ct);
            }
            catch (Exception e) when (e is ObservationMapException or UsageException or Harness.Scenarios.ScenarioException
                                          or Harness.Elf.ElfException or Harness.Loader.LoaderException or ObserverException
                                          or Harness.Trace.OutputPathException)
            {
                Console.Error.WriteLine("harness: " + e.Message);
                return e is ObserverException ? ExitCodes.Aborted : ExitCodes.BadInput;
            }
        });
        return command;
    }

    public static async Task<int> RunAsync(string kernel, string scenarioName, string scenariosDir, string? mapPath, string? outPath, bool keep, CancellationToken ct)
    {
        var result = await RecordAsync(kernel, BootPlan.FindScenario(scenarioName, scenariosDir), mapPath, outPath, keep, ct);
        PrintResult(result);
        if (!result.Complete)
        {
            AnsiConsole.MarkupLine($"[red]incomplete[/]: {Markup.Escape(result.Error ?? result.How)}");
            return ExitCodes.Aborted;
        }
        return ExitCodes.Ok;
    }

    /// <summary>Boots <paramref name="kernel"/> observed and writes its trace; progress on the terminal.</summary>
    public static async Task<ObservationResult> RecordAsync(string kernel, Harness.Scenarios.Scenario scenario, string? mapPath, string? outPath, bool keep, CancellationToken ct)
    {
        if (!File.Exists(kernel))
            throw new UsageException($"kernel {kernel} does not exist (build the port with `make kernel`)");
        mapPath ??= LooksLikeRust(kernel) ? OriginalMap : PortMap;
        if (!File.Exists(mapPath))
            throw new UsageException($"observation map {mapPath} does not exist (give one with --map)");
        var map = ObservationMapLoader.Load(mapPath);
        outPath ??= Path.Combine("traces", map.Kernel == "original" ? "original" : "port", scenario.Name + ".jsonl");
        // Before anything boots: a trace that could not be written would waste the whole run.
        Harness.Trace.OutputFile.CheckWritable(outPath);

        var socketDir = WorkFolder.Create("gdb");
        var socket = Path.Combine(socketDir, "gdb.sock");
        var plan = BootPlan.Prepare(scenario, kernel, gdb: new GdbEndpoint.UnixSocket(socket), paused: true);
        AnsiConsole.MarkupLine($"[grey]scenario {Markup.Escape(scenario.Name)}: {Markup.Escape(scenario.Summary)}[/]");
        AnsiConsole.MarkupLine($"[grey]kernel {Markup.Escape(kernel)}, map {Markup.Escape(mapPath)} ({map.Kernel}), trace {Markup.Escape(outPath)}[/]");
        ObservationResult result;
        try
        {
            result = await AnsiConsole.Status().StartAsync("starting QEMU…", async ctx =>
                await KernelObserver.RunAsync(Request(kernel, map, plan, outPath,
                    p => ctx.Status($"{p.Elapsed.TotalSeconds:0.0} s: checkpoint {Markup.Escape(p.Checkpoint ?? "(before kstart)")}, phase {Markup.Escape(p.Phase)}, {p.Events} events, {p.Stops} stops")), ct));
        }
        finally
        {
            WorkFolder.Delete(socketDir);
            if (keep)
            {
                WorkFolder.Keep(plan.WorkDirectory);
                AnsiConsole.MarkupLine($"[grey]work folder kept: {Markup.Escape(plan.WorkDirectory)}[/]");
            }
            else
                WorkFolder.Delete(plan.WorkDirectory);
        }

        return result;
    }

    /// <summary>
    /// What the observer needs to record <paramref name="kernel"/> booted as <paramref name="plan"/> says, into
    /// <paramref name="tracePath"/>; <paramref name="progress"/> is called at most every 100 ms.
    /// </summary>
    public static ObserveRequest Request(string kernel, ObservationMap map, BootPlan plan, string tracePath, Action<ObserveProgress> progress)
    {
        var throttle = Stopwatch.StartNew();
        return new ObserveRequest
        {
            KernelPath = kernel,
            Map = map,
            Qemu = plan.Qemu,
            TracePath = tracePath,
            Scenario = plan.Scenario.Name,
            KernelSlot = plan.Scenario.Boot.KernelSlot,
            ExpectHangAfter = plan.Scenario.Expect is { End: ExpectSpec.Hang } e ? TimeSpan.FromSeconds(e.QuietSeconds) : null,
            Progress = p =>
            {
                if (throttle.ElapsedMilliseconds < 100) return;
                throttle.Restart();
                progress(p);
            },
        };
    }

    /// <summary>The record's table: trace, how it ended, checkpoints, events, stub traffic, wall time.</summary>
    public static void PrintResult(ObservationResult result)
    {
        foreach (var missing in result.NotPresent)
            AnsiConsole.MarkupLine($"[grey]not observed: {Markup.Escape(missing)}[/]");
        var table = new Table().AddColumns("", "");
        table.AddRow("trace", Markup.Escape(result.TracePath));
        table.AddRow("end", Markup.Escape(result.How) + (result.Complete ? " [green](complete)[/]" : " [red](incomplete)[/]"));
        table.AddRow("checkpoints", Markup.Escape(string.Join(", ", result.Checkpoints)));
        table.AddRow("events", result.Events.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("stops", result.Stops.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("gdb stub", $"{result.Gdb.PacketsSent} packets sent, {result.Gdb.BytesRead} bytes read, {result.Gdb.BytesWritten} bytes written");
        table.AddRow("QEMU", Markup.Escape(result.Outcome?.Describe() ?? "-"));
        table.AddRow("wall", $"{result.Wall.TotalSeconds:0.00} s");
        if (result.Profile is { } profile)
            table.AddRow("per stop", Markup.Escape(profile.Describe()));
        if (result.Cpus is { } cpus)
            table.AddRow("CPUs", Markup.Escape(cpus));
        AnsiConsole.Write(table);
    }

    /// <summary>True when the ELF has Rust-mangled symbols (an original Redox kernel).</summary>
    private static bool LooksLikeRust(string kernel) =>
        Harness.Elf.ElfImage.Load(kernel).Symbols.Any(s => s.Name.StartsWith("_ZN6kernel", StringComparison.Ordinal) || s.Name.StartsWith("_RN", StringComparison.Ordinal));
}
