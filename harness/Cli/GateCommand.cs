using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Harness.Diff;
using Harness.Observe;
using Harness.Observe.Map;
using Harness.Qemu;
using Harness.Report;
using Harness.Scenarios;
using Spectre.Console;
using TraceModel = Harness.Trace.Trace;

namespace Harness.Cli;

/// <summary>
/// `harness gate`: the regression gate over the whole scenario corpus. Every scenario is booted with the port,
/// observed, and diffed: against the original's recording when it names a <c>reference</c> (with the registry of
/// accepted divergences), else against the port's own previous trace (traces/port/NAME.jsonl, the committed
/// regression baseline, with no accepted divergences). Every boot must complete. A scenario that does not load
/// (a malformed file, a duplicate name) fails on its own, named with file and line; the others still run.
/// Prints one table (scenario × observable, worst status over the checkpoints), the figures and the stale registry
/// entries; writes build/reports/NAME.html per scenario. Exit status 0 only when every scenario is equal or accepted.
/// </summary>
public static class GateCommand
{
    /// <summary>The port's own regression baselines, committed (scenarios without a reference).</summary>
    public const string BaselineDirectory = "traces/port";

    /// <summary>The original's recordings.</summary>
    public const string ReferenceDirectory = "traces/reference";

    /// <summary>Where the run's traces and reports go (not committed).</summary>
    public const string DefaultOutputDirectory = "build";

    /// <summary>How a scenario ended in the gate, worst last.</summary>
    public enum Verdict { Equal, Accepted, Diverged, Incomplete, Failed, FailedToLoad }

    /// <summary>What the gate found for one scenario.</summary>
    public sealed record Outcome
    {
        public required string Name { get; init; }
        public required Verdict Verdict { get; init; }
        /// <summary><c>reference:NAME</c>, <c>port baseline</c>, or "-" when nothing was compared.</summary>
        public required string Baseline { get; init; }
        /// <summary>One line: the first divergence or why the scenario failed; null when it passed.</summary>
        public string? Message { get; init; }
        /// <summary>The whole message when it does not fit one line (a scenario's load errors).</summary>
        public string? Detail { get; init; }
        public DiffResult? Result { get; init; }
        /// <summary>True when the comparison used the registry of accepted divergences (a reference diff).</summary>
        public bool UsedRegistry { get; init; }
        public string? Html { get; init; }
        public TimeSpan Elapsed { get; init; }
    }

    public sealed record Options
    {
        public required string Kernel { get; init; }
        public required string ScenariosDir { get; init; }
        public int Jobs { get; init; } = 2;
        public IReadOnlyList<Pattern> Only { get; init; } = [];
        public bool UpdatePortTraces { get; init; }
        public string OutputDir { get; init; } = DefaultOutputDirectory;
        public string BaselineDir { get; init; } = BaselineDirectory;
        public string ReferenceDir { get; init; } = ReferenceDirectory;
        public string RegistryPath { get; init; } = DiffSession.DefaultRegistry;
        /// <summary>An original kernel ELF booted live beside the port on every scenario (instead of the recordings), or null.</summary>
        public string? Original { get; init; }
    }

    /// <summary>The `gate` command; <paramref name="scenariosDir"/> is the root's --scenarios-dir option.</summary>
    public static Command Build(Option<string> scenariosDir)
    {
        var kernel = new Option<string>("--kernel") { Description = "The port's kernel ELF (build/kernel.elf)", Required = true };
        var jobs = new Option<int>("--jobs") { Description = "Scenarios booted at once", DefaultValueFactory = _ => 2 };
        var only = new Option<string?>("--only") { Description = "Run only the scenarios whose name matches this glob (* and ?; several separated by commas)" };
        var update = new Option<bool>("--update-port-traces") { Description = $"(Re)write the port's baselines {BaselineDirectory}/NAME.jsonl from this run, for scenarios without a reference whose boot completed" };
        var output = new Option<string>("--output-dir") { Description = "Where the port's traces (traces/port/) and the reports (reports/) of this run go", DefaultValueFactory = _ => DefaultOutputDirectory };
        var baselines = new Option<string>("--baseline-dir") { Description = "The port's regression baselines", DefaultValueFactory = _ => BaselineDirectory };
        var original = new Option<string?>("--original") { Description = "An original Redox 0.3.5 kernel ELF: boot it observed on every scenario too and diff the port against it (instead of the recordings)" };
        var command = new Command("gate",
            "The regression gate: boot the port observed on every scenario (two at a time) and diff each against the original's " +
            $"recording (scenarios with a reference) or the port's own baseline ({BaselineDirectory}/NAME.jsonl); one table, exit 0 only when all pass");
        command.Options.Add(kernel);
        command.Options.Add(jobs);
        command.Options.Add(only);
        command.Options.Add(update);
        command.Options.Add(output);
        command.Options.Add(baselines);
        command.Options.Add(original);
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
                    Jobs = j,
                    Only = (parse.GetValue(only) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(g => new Pattern(g)).ToList(),
                    UpdatePortTraces = parse.GetValue(update),
                    OutputDir = parse.GetValue(output)!,
                    BaselineDir = parse.GetValue(baselines)!,
                    Original = parse.GetValue(original),
                }, ct);
            }
            catch (Exception e) when (e is UsageException or ReportInputException or Harness.Elf.ElfException or ObservationMapException)
            {
                Console.Error.WriteLine("harness: " + e.Message);
                return ExitCodes.BadInput;
            }
        });
        return command;
    }

    /// <summary>Runs the gate: prints progress, the table and the figures; returns the exit status.</summary>
    public static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (!File.Exists(options.Kernel))
            throw new UsageException($"kernel {options.Kernel} does not exist (build the port with `make kernel`)");
        Harness.Elf.ElfImage.Load(options.Kernel, requireSymbols: true);
        if (!Directory.Exists(options.ScenariosDir))
            throw new UsageException($"no scenario folder {options.ScenariosDir}");
        if (!File.Exists(RecordCommand.PortMap))
            throw new UsageException($"observation map {RecordCommand.PortMap} does not exist (run the harness from the repository root)");
        var map = ObservationMapLoader.Load(RecordCommand.PortMap);
        ObservationMap? originalMap = null;
        if (options.Original is { } orig)
        {
            if (!File.Exists(orig))
                throw new UsageException($"original kernel {orig} does not exist");
            Harness.Elf.ElfImage.Load(orig, requireSymbols: true);
            if (!File.Exists(RecordCommand.OriginalMap))
                throw new UsageException($"observation map {RecordCommand.OriginalMap} does not exist (run the harness from the repository root)");
            originalMap = ObservationMapLoader.Load(RecordCommand.OriginalMap);
        }
        DivergenceRegistry registry;
        string? registryPath = File.Exists(options.RegistryPath) ? options.RegistryPath : null;
        try { registry = registryPath is null ? DivergenceRegistry.Empty : DivergenceRegistry.Load(registryPath); }
        catch (RegistryFormatException e) { throw new ReportInputException(e.Message, e); }

        var (scenarios, loadFailures) = LoadEach(options.ScenariosDir);
        bool Selected(string name) => options.Only.Count == 0 || options.Only.Any(p => p.Matches(name));
        scenarios = scenarios.Where(s => Selected(s.Name)).ToList();
        loadFailures = loadFailures.Where(f => Selected(f.Name)).ToList();
        if (scenarios.Count == 0 && loadFailures.Count == 0)
            throw new UsageException(options.Only.Count > 0
                ? $"no scenario in {options.ScenariosDir} matches --only {string.Join(",", options.Only)}"
                : $"no scenario in {options.ScenariosDir}");

        var console = TerminalSummary.StandardOutput();
        console.MarkupLine($"[bold]gate[/]: {scenarios.Count + loadFailures.Count} scenario(s) from {E(options.ScenariosDir)}, kernel {E(options.Kernel)}, " +
                           $"{options.Jobs} at a time{(options.UpdatePortTraces ? $", updating the port baselines in {E(options.BaselineDir)}" : "")}");
        foreach (var f in loadFailures)
            console.MarkupLine($"[red]failed to load[/] {E(f.Name)}: {E(f.Message!)}");

        var outcomes = await RunAll(console, scenarios, options, map, originalMap, registry, clock, ct);
        outcomes = outcomes.Concat(loadFailures)
            .OrderBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => o.Verdict == Verdict.FailedToLoad ? 1 : 0).ToList();

        console.WriteLine();
        console.Write(Table(outcomes));
        var details = outcomes.Where(o => o.Detail is not null).ToList();
        foreach (var o in details)
        {
            console.MarkupLine($"[red]{E(o.Name)}[/] ({o.Verdict.Word()}):");
            foreach (var line in o.Detail!.Split('\n'))
                console.MarkupLine($"  {E(line.TrimEnd('\r'))}");
        }

        int Count(Verdict v) => outcomes.Count(o => o.Verdict == v);
        console.MarkupLine($"scenarios: {outcomes.Count} — [green]equal {Count(Verdict.Equal)}[/], [yellow]accepted {Count(Verdict.Accepted)}[/], " +
                           $"[red]diverged {Count(Verdict.Diverged)}[/], [magenta]incomplete {Count(Verdict.Incomplete)}[/], " +
                           $"[red]failed-to-load {Count(Verdict.FailedToLoad)}[/], [red]failed {Count(Verdict.Failed)}[/]");

        // Stale over the whole run: entries of the registry that accepted nothing in any reference diff. With --only,
        // only the entries that apply to a scenario that ran are judged.
        var referenceResults = outcomes.Where(o => o.UsedRegistry && o.Result is not null).Select(o => o.Result!).ToList();
        var stale = registry.Stale(referenceResults)
            .Where(e => options.Only.Count == 0 || outcomes.Any(o => o.UsedRegistry && e.AppliesTo(o.Name)))
            .ToList();
        if (registryPath is null)
            console.MarkupLine("registry: none");
        else if (stale.Count == 0)
            console.MarkupLine($"stale registry entries ({E(registryPath)}): none");
        else
        {
            console.MarkupLine($"[red]stale registry entries[/] ({E(registryPath)}): {stale.Count} — accepted nothing in this run; remove or fix them");
            foreach (var s in stale)
                console.MarkupLine($"  [red]STALE[/] {E(s.Id)} ({E(s.Location)})");
        }
        if (outcomes.Any(o => o.Html is not null)) console.MarkupLine($"reports: {E(Path.Combine(options.OutputDir, "reports"))}/NAME.html");
        console.MarkupLine($"total time: {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");

        var failed = outcomes.Count(o => o.Verdict is not (Verdict.Equal or Verdict.Accepted));
        console.MarkupLine(failed == 0 ? "[green bold]gate passed[/]" : $"[red bold]gate FAILED[/]: {failed} scenario(s) did not pass");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    // ---- loading --------------------------------------------------------------------------------

    /// <summary>
    /// Loads every <c>*.toml</c> under <paramref name="dir"/> one by one (as <see cref="ScenarioLoader.LoadAll"/> would,
    /// but a bad file fails alone): malformed files and later duplicates of a name become failures naming file and line.
    /// </summary>
    public static (List<Scenario> Loaded, List<Outcome> Failures) LoadEach(string dir)
    {
        var loaded = new List<Scenario>();
        var failures = new List<Outcome>();
        var byName = new Dictionary<string, Scenario>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(dir, "*.toml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            Scenario s;
            try
            {
                s = ScenarioLoader.Load(file);
            }
            catch (ScenarioException e)
            {
                failures.Add(LoadFailure(Path.GetFileNameWithoutExtension(file), e.Errors.Select(x => x.ToString()).ToList()));
                continue;
            }
            if (byName.TryGetValue(s.Name, out var first))
            {
                failures.Add(LoadFailure(s.Name,
                    [$"{file}:{NameLine(file)}: duplicate scenario name \"{s.Name}\": also defined in {first.SourcePath}:{NameLine(first.SourcePath)}"]));
                continue;
            }
            byName.Add(s.Name, s);
            loaded.Add(s);
        }
        return (loaded.OrderBy(s => s.Name, StringComparer.Ordinal).ToList(), failures);
    }

    private static Outcome LoadFailure(string name, IReadOnlyList<string> errors) => new()
    {
        Name = name,
        Verdict = Verdict.FailedToLoad,
        Baseline = "-",
        Message = errors[0] + (errors.Count > 1 ? $" (+{errors.Count - 1} more)" : ""),
        Detail = errors.Count > 1 ? string.Join('\n', errors) : null,
    };

    /// <summary>The line of the top-level <c>name =</c> key (1 when there is none).</summary>
    private static int NameLine(string file)
    {
        var lines = File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var t = lines[i].TrimStart();
            if (t.StartsWith('[')) break;
            if (t.StartsWith("name", StringComparison.Ordinal) && t[4..].TrimStart().StartsWith('='))
                return i + 1;
        }
        return 1;
    }

    // ---- running --------------------------------------------------------------------------------

    private static async Task<List<Outcome>> RunAll(IAnsiConsole console, List<Scenario> scenarios, Options options,
        ObservationMap map, ObservationMap? originalMap, DivergenceRegistry registry, Stopwatch clock, CancellationToken ct)
    {
        var gate = new SemaphoreSlim(options.Jobs);
        var interactive = console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;
        var outcomes = new Outcome[scenarios.Count];
        var printLock = new Lock();
        string T() => $"{clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),6} s";

        async Task RunOne(int i, ProgressTask? task)
        {
            var s = scenarios[i];
            await gate.WaitAsync(ct);
            try
            {
                if (task is not null) { task.StartTask(); task.IsIndeterminate = true; task.Description = $"{E(s.Name)}: starting QEMU"; }
                else lock (printLock) console.MarkupLine($"[grey]{T()}[/] start {E(s.Name)}");
                Action<string> status = text =>
                {
                    if (task is not null) task.Description = $"{E(s.Name)}: {E(text)}";
                };
                var o = await RunScenario(s, options, map, originalMap, registry, status, ct);
                outcomes[i] = o;
                if (task is not null)
                {
                    task.IsIndeterminate = false;
                    task.Description = $"{E(s.Name)}: [{Colour(o.Verdict)}]{o.Verdict.Word()}[/]";
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
                else lock (printLock)
                    console.MarkupLine($"[grey]{T()}[/] done  {E(s.Name)}: [{Colour(o.Verdict)}]{o.Verdict.Word()}[/] ({o.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
            }
            finally
            {
                gate.Release();
            }
        }

        if (interactive)
        {
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new SpinnerColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var tasks = scenarios.Select(s => ctx.AddTask($"{E(s.Name)}: queued", autoStart: false, maxValue: 1)).ToList();
                    await Task.WhenAll(scenarios.Select((_, i) => RunOne(i, tasks[i])));
                });
        }
        else
        {
            await Task.WhenAll(scenarios.Select((_, i) => RunOne(i, null)));
        }
        return outcomes.ToList();
    }

    /// <summary>Records the port on <paramref name="s"/> and diffs the trace against the scenario's baseline.</summary>
    private static async Task<Outcome> RunScenario(Scenario s, Options options, ObservationMap map, ObservationMap? originalMap,
        DivergenceRegistry registry, Action<string> status, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var baseline = options.Original is not null ? "original (live)" : s.Reference is { } r ? $"reference:{r}" : "port baseline";
        Outcome Fail(Verdict v, string message, DiffResult? result = null, bool usedRegistry = false, string? html = null) => new()
        {
            Name = s.Name, Verdict = v, Baseline = baseline, Message = FirstLine(message),
            Detail = message.Contains('\n') ? message : null, Result = result, UsedRegistry = usedRegistry, Html = html, Elapsed = clock.Elapsed,
        };

        // 0. kernel_slot = "original": the live original's size, or the size its recording was booted with.
        try { s = BootPlan.ForComparison(s, options.Original, options.ReferenceDir); }
        catch (UsageException e) { return Fail(Verdict.Failed, e.Message); }
        if (SetupChecks.MissingBaseline(s, options.ReferenceDir, options.BaselineDir, options.UpdatePortTraces) is { } missing)
            return Fail(Verdict.Failed, missing); // before the boot: it could be compared with nothing

        // 0'. The original, observed live (with --original).
        string? livePath = null;
        if (options.Original is { } original && originalMap is not null)
        {
            livePath = Path.Combine(options.OutputDir, "traces", "original", s.Name + ".jsonl");
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(livePath)!);
                File.Delete(livePath);
                File.Delete(livePath + ".partial");
                var live = await Observe(BootPlan.ForOriginal(s), original, originalMap, livePath, t => status("original: " + t), ct);
                if (!live.Complete)
                    return Fail(Verdict.Incomplete, $"the original's boot did not complete: {live.Error ?? live.How}");
            }
            catch (Exception e) when (e is UsageException or ScenarioException or Harness.Loader.LoaderException or ObserverException
                                          or ObservationMapException or Harness.Elf.ElfException or IOException)
            {
                return Fail(Verdict.Failed, $"the original's boot could not be set up: {e.Message}");
            }
        }

        // 1. The port, observed.
        var tracePath = Path.Combine(options.OutputDir, "traces", "port", s.Name + ".jsonl");
        ObservationResult observed;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(tracePath)!);
            File.Delete(tracePath);
            File.Delete(tracePath + ".partial");
            observed = await Observe(s, options.Kernel, map, tracePath, status, ct);
        }
        catch (Exception e) when (e is UsageException or ScenarioException or Harness.Loader.LoaderException or ObserverException
                                      or ObservationMapException or Harness.Elf.ElfException or IOException)
        {
            return Fail(Verdict.Failed, $"the boot could not be set up: {e.Message}");
        }

        // 2. The baseline it is compared with.
        string pathA;
        var usedRegistry = livePath is not null || s.Reference is not null;
        if (livePath is not null)
        {
            pathA = livePath;
        }
        else if (s.Reference is { } reference)
        {
            pathA = Path.Combine(options.ReferenceDir, reference);
            if (!Directory.Exists(pathA) && !File.Exists(pathA))
                return Fail(Verdict.Failed, $"no reference recording {pathA} (traces/reference/README.md says how they are imported)");
        }
        else
        {
            pathA = Path.Combine(options.BaselineDir, s.Name + ".jsonl");
            if (options.UpdatePortTraces && observed.Complete)
            {
                Directory.CreateDirectory(options.BaselineDir);
                File.Copy(observed.TracePath, pathA, overwrite: true);
            }
            if (!File.Exists(pathA))
                return observed.Complete
                    ? Fail(Verdict.Failed, $"no baseline {pathA}: run `harness gate --update-port-traces`")
                    : Fail(Verdict.Incomplete, $"the boot did not complete ({observed.Error ?? observed.How}), and there is no baseline {pathA}");
        }

        // 3. The diff (the complete prefix of an incomplete boot, so that the table still shows how far it matched).
        status("diffing");
        DiffSession session;
        try
        {
            var a = DiffSession.Read(pathA);
            var b = DiffSession.Read(observed.TracePath);
            var result = TraceDiffer.Compare(a, b, new DiffOptions { CompareIncompletePrefix = !a.IsComplete || !b.IsComplete },
                usedRegistry ? registry : DivergenceRegistry.Empty);
            session = new DiffSession(a, b, result, usedRegistry ? options.RegistryPath : null);
        }
        catch (Exception e) when (e is ReportInputException or DiffRefusedException)
        {
            return observed.Complete
                ? Fail(Verdict.Failed, $"cannot compare {pathA} with {observed.TracePath}: {e.Message}")
                : Fail(Verdict.Incomplete, $"the boot did not complete: {observed.Error ?? observed.How}");
        }

        string? html = null;
        try
        {
            html = HtmlReport.Write(session, Path.Combine(options.OutputDir, "reports", s.Name + ".html"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(Verdict.Failed, $"cannot write the HTML report: {e.Message}", session.Result, usedRegistry);
        }

        var res = session.Result;
        if (!observed.Complete)
            return Fail(Verdict.Incomplete, $"the boot did not complete: {observed.Error ?? observed.How}", res, usedRegistry, html);
        var verdict = res.Status switch
        {
            CellStatus.Equal => Verdict.Equal,
            CellStatus.Accepted => Verdict.Accepted,
            CellStatus.Diverged => Verdict.Diverged,
            _ => Verdict.Incomplete,
        };
        string? message = res.FirstDivergence is { } f
            ? $"{f.Observable} @ {f.Checkpoint}: {f.Path}: A {f.A ?? "(none)"} | B {f.B ?? "(none)"}"
            : verdict == Verdict.Incomplete
                ? res.Cells.FirstOrDefault(c => c.Status is CellStatus.Incomplete || c.OneSided)?.Note ?? (res.A.IncompleteReason ?? res.B.IncompleteReason ?? "incomplete")
                : null;
        return new Outcome
        {
            Name = s.Name, Verdict = verdict, Baseline = baseline, Message = message is null ? null : FirstLine(message),
            Result = res, UsedRegistry = usedRegistry, Html = html, Elapsed = clock.Elapsed,
        };
    }

    /// <summary>One observed boot, quiet (no terminal output: several run at once).</summary>
    private static async Task<ObservationResult> Observe(Scenario s, string kernel, ObservationMap map, string tracePath, Action<string> status, CancellationToken ct)
    {
        var socketDir = WorkFolder.Create("gdb");
        BootPlan? plan = null;
        try
        {
            plan = BootPlan.Prepare(s, kernel, gdb: new GdbEndpoint.UnixSocket(Path.Combine(socketDir, "gdb.sock")), paused: true);
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

    // ---- the table ------------------------------------------------------------------------------

    /// <summary>Scenario × observable (worst status over the checkpoints), baseline, verdict, first divergence.</summary>
    public static Table Table(IReadOnlyList<Outcome> outcomes)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("scenario").AddColumn("baseline");
        foreach (var o in Observable.All) table.AddColumn(o);
        table.AddColumn("verdict").AddColumn("time").AddColumn("first divergence / failure");
        table.Columns[0].NoWrap();
        table.Columns[1].NoWrap();
        foreach (var o in outcomes)
        {
            var row = new List<string> { E(o.Name), E(o.Baseline) };
            row.AddRange(Observable.All.Select(obs => o.Result is { } r ? Worst(r, obs) : "[grey]·[/]"));
            row.Add($"[{Colour(o.Verdict)} bold]{o.Verdict.Word()}[/]");
            row.Add(o.Verdict == Verdict.FailedToLoad ? "" : $"{o.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
            row.Add(o.Message is null ? "" : E(Shorten(o.Message, 160)));
            table.AddRow(row.ToArray());
        }
        return table;
    }

    /// <summary>
    /// The worst status of <paramref name="observable"/> over the checkpoints the diff's summary shows, in the diff's own
    /// precedence (diverged, incomplete, not-observed, accepted, equal), with how many checkpoints have it when not all
    /// do; then the other statuses short of equal, so that an accepted difference is not hidden behind a checkpoint only
    /// one side reached.
    /// </summary>
    public static string Worst(DiffResult r, string observable)
    {
        var checkpoints = observable == Observable.Serial ? [BootOrder.WholeLog] : SummaryRows.Checkpoints(r);
        var cells = r.Cells.Where(c => c.Observable == observable && checkpoints.Contains(c.Checkpoint)).ToList();
        if (cells.Count == 0) return "[grey]·[/]";
        var groups = cells.GroupBy(c => c.Status).OrderByDescending(g => Rank(g.Key)).ToList();
        var worst = groups[0].Key;
        string Text(IGrouping<CellStatus, ObservableCell> g) =>
            g.Key.Name() + (g.Count() == cells.Count ? "" : $" ({g.Count()}/{cells.Count})");
        var text = $"[{TerminalSummary.Colour(worst)}]{E(Text(groups[0]))}[/]";
        foreach (var g in groups.Skip(1).Where(g => g.Key != CellStatus.Equal))
            text += $" · [{TerminalSummary.Colour(g.Key)}]{E(Text(g))}[/]";
        return text;
    }

    private static int Rank(CellStatus s) => s switch
    {
        CellStatus.Equal => 0,
        CellStatus.Accepted => 1,
        CellStatus.NotObserved => 2,
        CellStatus.Incomplete => 3,
        _ => 4,
    };

    /// <summary>equal / accepted / diverged / incomplete / failed / failed-to-load.</summary>
    public static string Word(this Verdict v) => v switch
    {
        Verdict.Equal => "equal",
        Verdict.Accepted => "accepted",
        Verdict.Diverged => "diverged",
        Verdict.Incomplete => "incomplete",
        Verdict.Failed => "failed",
        _ => "failed-to-load",
    };

    private static string Colour(Verdict v) => v switch
    {
        Verdict.Equal => "green",
        Verdict.Accepted => "yellow",
        Verdict.Incomplete => "magenta",
        _ => "red",
    };

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        return i < 0 ? s : s[..i].TrimEnd('\r') + " …";
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string E(string s) => Markup.Escape(s);
}
