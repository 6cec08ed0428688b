using System.CommandLine;
using Harness.Diff;
using Harness.Gate;
using Harness.Observe;
using Harness.Observe.Map;
using Harness.Qemu;
using Harness.Report;
using Harness.Scenarios;

namespace Harness.Cli;

/// <summary>
/// `harness gate`: parses the options and runs the gate stage (<see cref="GateStage"/>, harness/Gate/), handing it the
/// one thing it needs from the command line's side: how to boot the port observed on a scenario (loader, QEMU, observer,
/// with csharp-kernel/observe.toml). Exit status 0 only when the stage says the gate passed.
/// </summary>
public static class GateCommand
{

    /// <summary>The `gate` command; <paramref name="scenariosDir"/> is the root's --scenarios-dir option.</summary>
    public static Command Build(Option<string> scenariosDir)
    {
        var kernel = new Option<string[]>("--kernel")
        {
            Description = "The port's kernel ELF (build/kernel.elf). Repeat it for kernels built with an initfs " +
                          "(make kernel INITFS=…): a scenario naming an initfs boots the first one that embeds that folder; " +
                          "the others boot the first --kernel",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var jobs = new Option<int>("--jobs") { Description = "Scenarios booted at once", DefaultValueFactory = _ => 2 };
        var only = new Option<string?>("--only") { Description = "Run only the scenarios whose name matches this glob (* and ?; several separated by commas)" };
        var update = new Option<bool>("--update-port-traces") { Description = $"(Re)write the port's baselines {GateStage.BaselineDirectory}/NAME.jsonl from this run, for scenarios without a reference whose boot completed" };
        var output = new Option<string>("--output-dir") { Description = "Where the port's traces (traces/port/) and the reports (reports/) of this run go", DefaultValueFactory = _ => GateStage.DefaultOutputDirectory };
        var baselines = new Option<string>("--baseline-dir") { Description = "The port's regression baselines", DefaultValueFactory = _ => GateStage.BaselineDirectory };
        var live = new Option<string?>("--original") { Description = "An original Redox 0.3.5 kernel ELF: boot it observed on every scenario too and diff the port against it (instead of the recordings)" };
        var originalElf = new Option<string>("--original-elf") { Description = "The original's ELF, for the IDT handlers' names of references recorded without them (used only when its SHA-256 is the reference's)", DefaultValueFactory = _ => "build/original/kernel.elf" };
        var timeoutFactor = new Option<int>("--timeout-factor") { Description = "Multiply each scenario's boot timeout (a loaded machine; make mutants uses 4)", DefaultValueFactory = _ => 1 };
        var registry = new Option<string>("--registry") { Description = "The accepted divergences (a stale entry fails the gate)", DefaultValueFactory = _ => DiffSession.DefaultRegistry };
        var pending = new Option<string?>("--pending") { Description = "The scenarios the port does not pass yet, each with what it lacks: reported as pending while they fail, a failure once they pass (default: pending.toml beside the scenario folder, traces/pending.toml)" };
        var command = new Command("gate",
            "The regression gate: boot the port observed on every scenario (two at a time) and diff each against the original's " +
            $"recording (scenarios with a reference) or the port's own baseline ({GateStage.BaselineDirectory}/NAME.jsonl); one table, exit 0 only when all pass");
        command.Options.Add(kernel);
        command.Options.Add(jobs);
        command.Options.Add(only);
        command.Options.Add(update);
        command.Options.Add(output);
        command.Options.Add(baselines);
        command.Options.Add(registry);
        command.Options.Add(pending);
        command.Options.Add(timeoutFactor);
        command.Options.Add(originalElf);
        command.Options.Add(live);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var j = parse.GetValue(jobs);
                if (j < 1) throw new UsageException($"--jobs must be at least 1 (got {j})");
                var factor = parse.GetValue(timeoutFactor);
                if (factor is < 1 or > 20) throw new UsageException($"--timeout-factor must be 1..20 (got {factor})");
                var kernels = parse.GetValue(kernel)!;
                return await RunAsync(factor, parse.GetValue(live), kernels.Skip(1).ToList(), new GateStage.Options
                {
                    Kernel = kernels[0],
                    ScenariosDir = parse.GetValue(scenariosDir)!,
                    Jobs = j,
                    Only = (parse.GetValue(only) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(g => new Pattern(g)).ToList(),
                    UpdatePortTraces = parse.GetValue(update),
                    OutputDir = parse.GetValue(output)!,
                    BaselineDir = parse.GetValue(baselines)!,
                    RegistryPath = parse.GetValue(registry)!,
                    PendingPath = parse.GetValue(pending),
                    OriginalHandlers = GateStage.ReadOriginalHandlers(parse.GetValue(originalElf)!, RecordCommand.OriginalMap),
                }, ct);
            }
            catch (Exception e) when (e is UsageException or GateInputException or Harness.Elf.ElfException or ObservationMapException)
            {
                Console.Error.WriteLine("harness: " + e.Message);
                return ExitCodes.BadInput;
            }
        });
        return command;
    }

    /// <summary>
    /// Runs the gate stage with the port's observation map; returns the exit status. <paramref name="initfsKernels"/> are
    /// more builds of the port, each with an initfs: a scenario naming an initfs boots the first of them that embeds it.
    /// </summary>
    public static async Task<int> RunAsync(int timeoutFactor, string? original, IReadOnlyList<string> initfsKernels, GateStage.Options options, CancellationToken ct)
    {
        foreach (var k in initfsKernels)
            if (!File.Exists(k))
                throw new UsageException($"kernel {k} does not exist (a port with an initfs: `make kernel-userspace`)");
        var embeds = new System.Collections.Concurrent.ConcurrentDictionary<(string, string), bool>();
        string? KernelFor(Scenario s) => s.InitFs is null
            ? options.Kernel
            : initfsKernels.Prepend(options.Kernel).FirstOrDefault(k => embeds.GetOrAdd((s.InitFs, k), _ => InitFsCheck.Embeds(s, k)));
        if (!File.Exists(RecordCommand.PortMap))
            throw new UsageException($"observation map {RecordCommand.PortMap} does not exist (run the harness from the repository root)");
        var map = ObservationMapLoader.Load(RecordCommand.PortMap);
        ObservationMap? originalMap = null;
        if (original is not null)
        {
            if (!File.Exists(original))
                throw new UsageException($"original kernel {original} does not exist");
            Harness.Elf.ElfImage.Load(original, requireSymbols: true);
            if (!File.Exists(RecordCommand.OriginalMap))
                throw new UsageException($"observation map {RecordCommand.OriginalMap} does not exist (run the harness from the repository root)");
            originalMap = ObservationMapLoader.Load(RecordCommand.OriginalMap);
        }
        Scenario Scaled(Scenario s) => timeoutFactor == 1 ? s : s with { Boot = s.Boot with { TimeoutSeconds = s.Boot.TimeoutSeconds * timeoutFactor }, Expect = s.Expect?.Scaled(timeoutFactor) };
        Scenario ForComparison(Scenario s)
        {
            try { return BootPlan.ForComparison(s, original, options.ReferenceDir); }
            catch (UsageException e) { throw new GateSetupException(e.Message, e); }
        }
        var boots = new GateBoots(
            (s, trace, status, token) => Observe(Scaled(s), KernelFor(s)!, map, trace, status, token),
            original is null || originalMap is null ? null
                : (s, trace, status, token) => Observe(Scaled(BootPlan.ForOriginal(s)), original, originalMap, trace, status, token),
            ForComparison,
            s => s.InitFs is { } folder && KernelFor(s) is null
                ? $"no --kernel embeds the initfs {folder}; to run them: {InitFsCheck.HowToBuild(folder)}, and pass it as a second --kernel (make gate does: make kernel-userspace)"
                : null);
        var report = await GateStage.RunAsync(options, boots, TerminalSummary.StandardOutput(), ct);
        return report.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>One observed boot, quiet (no terminal output: several run at once).</summary>
    private static async Task<ObservationResult> Observe(Scenario s, string kernel, ObservationMap map, string tracePath, Action<string> status, CancellationToken ct)
    {
        var socketDir = WorkFolder.Create("gdb");
        BootPlan? plan = null;
        try
        {
            try
            {
                plan = BootPlan.Prepare(s, kernel, gdb: new GdbEndpoint.UnixSocket(Path.Combine(socketDir, "gdb.sock")), paused: true);
            }
            catch (Exception e) when (e is UsageException or Harness.Loader.LoaderException or ObservationMapException)
            {
                throw new GateSetupException(e.Message, e);
            }
            return await KernelObserver.RunAsync(
                RecordCommand.Request(kernel, map, plan, tracePath, p => status($"{p.Checkpoint ?? "(before kstart)"}, {p.Events} events")), ct);
        }
        finally
        {
            TryDelete(socketDir);
            if (plan is not null) TryDelete(plan.WorkDirectory);
        }
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

}
