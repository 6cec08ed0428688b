using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Harness.Diff;
using Harness.Gate;
using Harness.Observe;
using Harness.Observe.Map;
using Harness.Qemu;
using Harness.Scenarios;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>
/// `harness references`: boots an original Redox 0.3.5 kernel ELF on every scenario (or those --only names), observed
/// with the original's map (redox-0.3.5/observe.toml), and (re)writes traces/reference/NAME/ for each: the trace
/// (<c>trace.jsonl</c>) and a <c>PROVENANCE.md</c> naming what was booted and how (the ELF's sha256, the build tool's
/// and the initfs folder's files with their sha256, the scenario file's and the map's sha256, QEMU's version and
/// options, the date). A recording is written to a temporary folder beside the final one and renamed over it only
/// when the boot completed (reached its panic or a clean end): an old reference is never replaced by a broken one.
/// </summary>
public static class ReferencesCommand
{
    /// <summary>The trace's file name inside a reference folder.</summary>
    public const string TraceFileName = "trace.jsonl";

    /// <summary>The provenance file's name inside a reference folder.</summary>
    public const string ProvenanceFileName = "PROVENANCE.md";

    public sealed record Options
    {
        public required string Kernel { get; init; }
        public required string ScenariosDir { get; init; }
        public string ReferenceDir { get; init; } = GateStage.ReferenceDirectory;
        public string MapPath { get; init; } = RecordCommand.OriginalMap;
        public IReadOnlyList<Harness.Diff.Pattern> Only { get; init; } = [];
        public int Jobs { get; init; } = 2;
        /// <summary>The folder the ELF embedded as its initfs, when known (its files' sha256 go into the provenance).</summary>
        public string? Initfs { get; init; }
        /// <summary>The tool that built the ELF (a folder; its files' sha256 go into the provenance), when known.</summary>
        public string? Tool { get; init; }
    }

    /// <summary>One scenario's result: the folder written, or why not.</summary>
    public sealed record Outcome(string Scenario, bool Written, string Folder, string Detail, TimeSpan Elapsed);

    public static Command Build(Option<string> scenariosDir)
    {
        var kernel = new Option<string>("--kernel") { Description = "The original Redox 0.3.5 kernel ELF to record (with its symbols)", Required = true };
        var only = new Option<string?>("--only") { Description = "Record only the scenarios whose name matches this glob (* and ?; several separated by commas)" };
        var outDir = new Option<string>("--reference-dir") { Description = "Where the references go, one folder per scenario", DefaultValueFactory = _ => GateStage.ReferenceDirectory };
        var jobs = new Option<int>("--jobs") { Description = "Scenarios booted at once", DefaultValueFactory = _ => 2 };
        var initfs = new Option<string?>("--initfs") { Description = "The folder the ELF was built with as its initfs (named with its files' sha256 in PROVENANCE.md)" };
        var tool = new Option<string?>("--tool") { Description = "The folder of the tool that built the ELF (e.g. ../shared/tools/original; its files' sha256 go into PROVENANCE.md)" };
        var command = new Command("references",
            $"Record an original Redox 0.3.5 kernel on every scenario with the original's map and (re)write {GateStage.ReferenceDirectory}/NAME/ " +
            $"({TraceFileName} and {ProvenanceFileName}); a folder is replaced only by a complete recording");
        command.Options.Add(kernel);
        command.Options.Add(only);
        command.Options.Add(outDir);
        command.Options.Add(jobs);
        command.Options.Add(initfs);
        command.Options.Add(tool);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var j = parse.GetValue(jobs);
                if (j < 1) throw new UsageException($"--jobs must be at least 1 (got {j})");
                return await RunAsync(new Options
                {
                    Kernel = parse.GetValue(kernel)!,
                    ScenariosDir = parse.GetValue(scenariosDir)!,
                    ReferenceDir = parse.GetValue(outDir)!,
                    Only = (parse.GetValue(only) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(g => new Harness.Diff.Pattern(g)).ToList(),
                    Jobs = j,
                    Initfs = parse.GetValue(initfs),
                    Tool = parse.GetValue(tool),
                }, ct);
            }
            catch (Exception e) when (e is UsageException or Harness.Elf.ElfException or ObservationMapException)
            {
                Console.Error.WriteLine("harness: " + e.Message);
                return ExitCodes.BadInput;
            }
        });
        return command;
    }

    /// <summary>Records every selected scenario; exit 0 only when every one was written.</summary>
    public static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (!File.Exists(options.Kernel))
            throw new UsageException($"--kernel {options.Kernel}: no such file (build the original with ../shared/tools/original/build.sh, or give any Redox 0.3.5 kernel ELF with symbols)");
        Harness.Elf.ElfImage.Load(options.Kernel, requireSymbols: true);
        if (!File.Exists(options.MapPath))
            throw new UsageException($"observation map {options.MapPath} does not exist (run the harness from the repository root)");
        var map = ObservationMapLoader.Load(options.MapPath);
        if (map.Kernel != "original")
            throw new UsageException($"{options.MapPath} is a map of kernel \"{map.Kernel}\", not of the original");
        if (options.Initfs is { } i && !Directory.Exists(i))
            throw new UsageException($"--initfs {i}: no such folder");
        if (options.Tool is { } t && !Directory.Exists(t))
            throw new UsageException($"--tool {t}: no such folder");
        if (!Directory.Exists(options.ScenariosDir))
            throw new UsageException($"no scenario folder {options.ScenariosDir}");
        var (scenarios, failures) = GateStage.LoadEach(options.ScenariosDir);
        if (failures.Count > 0)
            throw new UsageException("a scenario does not load, nothing was recorded:\n" + string.Join('\n', failures.Select(f => f.Detail ?? f.Message)));
        scenarios = scenarios.Where(s => options.Only.Count == 0 || options.Only.Any(p => p.Matches(s.Name))).ToList();
        if (scenarios.Count == 0)
            throw new UsageException($"no scenario in {options.ScenariosDir} matches --only {string.Join(",", options.Only)}");
        Directory.CreateDirectory(options.ReferenceDir);

        var elfSha = Sha256(options.Kernel);
        var console = AnsiConsole.Console;
        console.MarkupLine($"[bold]references[/]: {scenarios.Count} scenario(s), original {E(options.Kernel)} (sha256 {elfSha}), map {E(options.MapPath)}, " +
                           $"{options.Jobs} at a time, into {E(options.ReferenceDir)}");
        var gate = new SemaphoreSlim(options.Jobs);
        var printLock = new Lock();
        var outcomes = await Task.WhenAll(scenarios.Select(async s =>
        {
            await gate.WaitAsync(ct);
            try
            {
                lock (printLock) console.MarkupLine($"[grey]{clock.Elapsed.TotalSeconds,6:0.0} s[/] start {E(s.Name)}");
                var o = await RecordOne(s, options, map, elfSha, ct);
                lock (printLock)
                    console.MarkupLine($"[grey]{clock.Elapsed.TotalSeconds,6:0.0} s[/] done  {E(s.Name)}: " +
                                       (o.Written ? $"[green]written[/] {E(o.Folder)}" : $"[red]not written[/]: {E(o.Detail)}"));
                return o;
            }
            finally
            {
                gate.Release();
            }
        }));

        var table = new Table().AddColumns("scenario", "result", "detail", "time");
        foreach (var o in outcomes.OrderBy(o => o.Scenario, StringComparer.Ordinal))
            table.AddRow(E(o.Scenario), o.Written ? "[green]written[/]" : "[red]not written[/]", E(o.Detail),
                o.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s");
        console.Write(table);
        var bad = outcomes.Count(o => !o.Written);
        console.MarkupLine(bad == 0
            ? $"[green bold]{outcomes.Length} reference(s) written[/] in {clock.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s"
            : $"[red bold]{bad} of {outcomes.Length} not written[/] (their old folders, if any, are unchanged)");
        return bad == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Boots the original on one scenario into a temporary folder, and renames it over NAME/ when complete.</summary>
    public static async Task<Outcome> RecordOne(Scenario scenario, Options options, ObservationMap map, string elfSha, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var final = Path.Combine(options.ReferenceDir, scenario.Name);
        var temp = Path.Combine(options.ReferenceDir, $".{scenario.Name}.recording-{Guid.NewGuid():N}");
        var socketDir = Harness.Qemu.WorkFolder.Create("gdb"); // swept by a later run if this one is SIGKILLed
        BootPlan? plan = null;
        try
        {
            Directory.CreateDirectory(temp);
            var s = BootPlan.ForOriginal(scenario);
            plan = BootPlan.Prepare(s, options.Kernel, gdb: new GdbEndpoint.UnixSocket(Path.Combine(socketDir, "gdb.sock")), paused: true);
            var tracePath = Path.Combine(temp, TraceFileName);
            var request = RecordCommand.Request(options.Kernel, map, plan, tracePath, _ => { }) with
            {
                // The committed trace names the ELF by file name and sha256, not by this machine's path.
                KernelDisplayPath = Path.GetFileName(options.Kernel),
                MapDisplayPath = options.MapPath.Replace('\\', '/'),
            };
            var result = await KernelObserver.RunAsync(request, ct);
            if (!result.Complete)
                return new Outcome(scenario.Name, false, final, $"the boot did not complete: {FirstLine(result.Error ?? result.How)}", clock.Elapsed);
            // Read back: a reference must be a whole, readable trace.
            var trace = Harness.Trace.TraceReader.Read(tracePath);
            if (!trace.IsComplete)
                return new Outcome(scenario.Name, false, final, $"the trace read back is incomplete: {trace.IncompleteReason}", clock.Elapsed);
            File.WriteAllText(Path.Combine(temp, ProvenanceFileName), Provenance(scenario, plan, options, map, elfSha, trace, result), new UTF8Encoding(false));
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
            return new Outcome(scenario.Name, true, final,
                $"{result.How}, {result.Checkpoints.Count} checkpoints, {result.Events} events", clock.Elapsed);
        }
        catch (Exception e) when (e is UsageException or ScenarioException or Harness.Loader.LoaderException or ObserverException
                                      or ObservationMapException or Harness.Elf.ElfException or Harness.Trace.TraceFormatException
                                      or IOException or UnauthorizedAccessException)
        {
            return new Outcome(scenario.Name, false, final, FirstLine(e.Message), clock.Elapsed);
        }
        finally
        {
            TryDelete(socketDir);
            if (plan is not null) TryDelete(plan.WorkDirectory);
            TryDelete(temp);
        }
    }

    /// <summary>The PROVENANCE.md of one recording.</summary>
    public static string Provenance(Scenario scenario, BootPlan plan, Options options, ObservationMap map, string elfSha,
        Harness.Trace.Trace trace, ObservationResult result)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var h = trace.Header;
        sb.AppendLine(inv, $"# Provenance of this reference: {scenario.Name}");
        sb.AppendLine();
        sb.AppendLine("A recording of an original Redox 0.3.5 kernel, booted under QEMU by the project's loader and observed");
        sb.AppendLine("through QEMU's gdb stub by the project's observer with the original's map: written by");
        sb.AppendLine("`harness references` (`make references REDOX_KERNEL=…`). The trace is `trace.jsonl` (traces/FORMAT.md).");
        sb.AppendLine();
        sb.AppendLine(inv, $"- **Recorded**: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, harness {typeof(ReferencesCommand).Assembly.GetName().Version}");
        sb.AppendLine(inv, $"- **Kernel ELF**: `{Path.GetFileName(options.Kernel)}`, {new FileInfo(options.Kernel).Length} bytes (0x{new FileInfo(options.Kernel).Length:X}), sha256 `{elfSha}`");
        sb.AppendLine(inv, $"- **Kernel slot**: {(h.KernelSlot is { } slot ? $"0x{slot:X}" : "none (the file's own size)")}{(scenario.Boot.SlotFollowsOriginal ? " (`kernel_slot = \"original\"`: the ELF's own size)" : "")}; kernel_size handed to the kernel: {(h.Args is { } a ? $"0x{a.KernelSize:X}" : "-")}");
        if (options.Tool is { } tool)
        {
            sb.AppendLine(inv, $"- **Built by**: the tool in `{tool}` (its files below); it rebuilds tag 0.3.5 (commit f83f61b51a7dfe4ac546b6fb72c5b0c0d8669696) from git mirrors (redox-0.3.5/PROVENANCE.md)");
            AppendFiles(sb, tool, "  ");
        }
        else
        {
            sb.AppendLine("- **Built by**: not given (`--tool`): the ELF's sha256 above identifies it");
        }
        if (options.Initfs is { } initfs)
        {
            var files = Directory.EnumerateFiles(initfs, "*", SearchOption.AllDirectories).ToList();
            sb.AppendLine(inv, $"- **initfs**: the folder `{initfs}`, {files.Count} file(s){(files.Count == 0 ? " (empty)" : ":")}");
            AppendFiles(sb, initfs, "  ");
        }
        else
        {
            sb.AppendLine("- **initfs**: not given (`--initfs`): the build tool's default is an empty folder");
        }
        sb.AppendLine(inv, $"- **Scenario**: `{Relative(scenario.SourcePath)}`, sha256 `{Sha256(scenario.SourcePath)}` ({scenario.Summary}); this boot's time limit {plan.Scenario.Boot.TimeoutSeconds} s ({BootPlan.OriginalTimeoutFactor}× the scenario's)");
        sb.AppendLine(inv, $"- **Observation map**: `{options.MapPath}`, sha256 `{Sha256(options.MapPath)}`");
        sb.AppendLine(inv, $"- **QEMU**: {h.QemuVersion ?? "?"}; options `{string.Join(' ', h.QemuArgs ?? [])}`");
        sb.AppendLine(inv, $"- **Result**: {result.How}, {result.Checkpoints.Count} checkpoints ({string.Join(", ", result.Checkpoints)}), {result.Events} events, {result.Stops} stops, {result.Wall.TotalSeconds:0.0} s");
        if (result.NotPresent.Count > 0)
            sb.AppendLine(inv, $"- **Not present in this kernel** (optional in the map): {string.Join("; ", result.NotPresent)}");
        sb.AppendLine(inv, $"- **{TraceFileName}**: {new FileInfo(trace.SourcePath).Length} bytes, sha256 `{Sha256(trace.SourcePath)}`");
        return sb.ToString();
    }

    private static void AppendFiles(StringBuilder sb, string dir, string indent)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            sb.AppendLine(CultureInfo.InvariantCulture, $"{indent}- `{Path.GetRelativePath(dir, f).Replace('\\', '/')}`: sha256 `{Sha256(f)}`");
    }

    private static string Relative(string path)
    {
        var rel = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return (rel.StartsWith("..", StringComparison.Ordinal) ? path : rel).Replace('\\', '/');
    }

    public static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd('\r');

    private static string E(string s) => Markup.Escape(s);

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
