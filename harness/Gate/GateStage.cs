using System.Diagnostics;
using System.Globalization;
using Harness.Diff;
using Harness.Observe;
using Harness.Report;
using Harness.Scenarios;
using Spectre.Console;

namespace Harness.Gate;

/// <summary>One observed boot of the port on a scenario, written to <c>tracePath</c> (the CLI supplies it: QEMU, loader, observer).</summary>
/// <param name="scenario">The scenario to boot.</param>
/// <param name="tracePath">Where the trace goes.</param>
/// <param name="status">Progress text for the terminal.</param>
/// <param name="ct">Cancellation.</param>
public delegate Task<ObservationResult> ObserveScenario(Scenario scenario, string tracePath, Action<string> status, CancellationToken ct);

/// <summary>The original's interrupt handlers by logical name, read from its ELF (for references recorded without them).</summary>
/// <param name="Elf">The ELF they were read from.</param>
/// <param name="Sha256">Its SHA-256 (lower-case hex): only a reference of this ELF gets them.</param>
/// <param name="Handlers">Logical name → entry address.</param>
public sealed record OriginalHandlers(string Elf, string Sha256, IReadOnlyDictionary<string, ulong> Handlers);

/// <summary>
/// The boots the gate needs, supplied by the CLI (loader, QEMU, observer): the port on a scenario, the original live
/// (<c>--original</c>; null: compare with the recordings), and the scenario as both kernels are booted for a
/// comparison (<c>kernel_slot = "original"</c>: the original's size; may throw <see cref="GateSetupException"/>).
/// </summary>
/// <param name="NotRunnable">Why a scenario cannot run on this kernel (a scenario whose initfs the kernel does not embed),
/// with how to make it runnable; null when it can run. Such scenarios are left out of the run and said so, not failed.</param>
public sealed record GateBoots(ObserveScenario Port, ObserveScenario? Original, Func<Scenario, Scenario> ForComparison,
    Func<Scenario, string?>? NotRunnable = null);

/// <summary>The gate cannot start: a missing kernel, scenario folder, or a malformed registry (the message says which).</summary>
public sealed class GateInputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Thrown by an <see cref="ObserveScenario"/> when a boot cannot be set up; the scenario fails with this message.</summary>
public sealed class GateSetupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The gate stage (`harness gate`): the regression gate over the whole scenario corpus. Every scenario is booted with the port,
/// observed, and diffed: against the original's recording when it names a <c>reference</c> (with the registry of
/// accepted divergences), else against the port's own previous trace (traces/port/NAME.jsonl, the committed
/// regression baseline, with no accepted divergences). Every boot must complete. A scenario that does not load
/// (a malformed file, a duplicate name) fails on its own, named with file and line; the others still run.
/// Prints one table (scenario × observable, worst status over the checkpoints), the figures and the stale registry
/// entries; writes build/reports/NAME.html per scenario. It passes only when every scenario is equal or accepted and
/// no registry entry is stale (an entry that accepted nothing hides nothing and must go, or say what it means).
/// </summary>
public static class GateStage
{
    /// <summary>
    /// Reads the original's handler names from its ELF (<paramref name="elfPath"/>) with its observation map
    /// (<paramref name="mapPath"/>, <c>[handlers]</c>); null when the ELF does not exist.
    /// </summary>
    /// <exception cref="Harness.Observe.Map.ObservationMapException">The map is malformed or a handler's symbol is missing.</exception>
    public static OriginalHandlers? ReadOriginalHandlers(string elfPath, string mapPath)
    {
        if (!File.Exists(elfPath)) return null;
        var elf = Harness.Elf.ElfImage.Load(elfPath, requireSymbols: true);
        var map = Harness.Observe.Map.ObservationMapLoader.Load(mapPath);
        var resolved = Harness.Observe.Map.ResolvedObservationMap.Resolve(map, elf);
        using var stream = File.OpenRead(elfPath);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        return new OriginalHandlers(elfPath, sha, resolved.Handlers);
    }

    /// <summary>The port's own regression baselines, committed (scenarios without a reference).</summary>
    public const string BaselineDirectory = "traces/port";

    /// <summary>The original's recordings.</summary>
    public const string ReferenceDirectory = "traces/reference";

    /// <summary>Where the run's traces and reports go (not committed).</summary>
    public const string DefaultOutputDirectory = "build";

    /// <summary>How a scenario ended in the gate, worst last.</summary>
    public enum Verdict { Equal, Accepted, Pending, Diverged, Incomplete, Failed, FailedToLoad }

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

    /// <summary>What the gate runs, and where its inputs and outputs are.</summary>
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

        /// <summary>
        /// The scenarios the port does not pass yet (<see cref="PendingList"/>); null: <c>pending.toml</c> beside the
        /// scenario folder (traces/pending.toml for traces/scenarios). A missing file: none.
        /// </summary>
        public string? PendingPath { get; init; }

        /// <summary>
        /// The original's handler names (<c>[handlers]</c> of its map resolved against its ELF) and that ELF's SHA-256,
        /// for references recorded without <c>kernel.handlers</c>: used only for a reference of that very ELF. Null: none.
        /// </summary>
        public OriginalHandlers? OriginalHandlers { get; init; }
    }

    /// <summary>What a gate run found.</summary>
    /// <param name="Outcomes">One per scenario, by name.</param>
    /// <param name="Stale">The registry entries that accepted nothing in this run.</param>
    public sealed record Report(IReadOnlyList<Outcome> Outcomes, IReadOnlyList<AcceptedDivergence> Stale)
    {
        /// <summary>The scenarios that did not pass (a pending one that failed as expected is not counted).</summary>
        public int Failed => Outcomes.Count(o => o.Verdict is not (Verdict.Equal or Verdict.Accepted or Verdict.Pending));

        /// <summary>True when every scenario is equal or accepted and no registry entry is stale.</summary>
        public bool Passed => Failed == 0 && Stale.Count == 0;
    }

    /// <summary>Runs the gate: prints progress, the table and the figures to <paramref name="console"/>.</summary>
    /// <exception cref="GateInputException">The kernel or the scenario folder is missing, or the registry is malformed.</exception>
    public static async Task<Report> RunAsync(Options options, GateBoots observe, IAnsiConsole console, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (!File.Exists(options.Kernel))
            throw new GateInputException($"kernel {options.Kernel} does not exist (build the port with `make kernel`)");
        Harness.Elf.ElfImage.Load(options.Kernel, requireSymbols: true);
        if (!Directory.Exists(options.ScenariosDir))
            throw new GateInputException($"no scenario folder {options.ScenariosDir}");
        DivergenceRegistry registry;
        string? registryPath = File.Exists(options.RegistryPath) ? options.RegistryPath : null;
        try { registry = registryPath is null ? DivergenceRegistry.Empty : DivergenceRegistry.Load(registryPath); }
        catch (RegistryFormatException e) { throw new GateInputException(e.Message, e); }

        var (scenarios, loadFailures) = LoadEach(options.ScenariosDir);
        var pending = PendingList.Load(options.PendingPath
                                       ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.ScenariosDir).TrimEnd('/'))!, PendingList.FileName));
        pending.CheckNames(scenarios.Select(s => s.Name).Concat(loadFailures.Select(f => f.Name)));
        bool Selected(string name) => options.Only.Count == 0 || options.Only.Any(p => p.Matches(name));
        scenarios = scenarios.Where(s => Selected(s.Name)).ToList();
        loadFailures = loadFailures.Where(f => Selected(f.Name)).ToList();
        if (scenarios.Count == 0 && loadFailures.Count == 0)
            throw new GateInputException(options.Only.Count > 0
                ? $"no scenario in {options.ScenariosDir} matches --only {string.Join(",", options.Only)}"
                : $"no scenario in {options.ScenariosDir}");

        console.MarkupLine($"[bold]gate[/]: {scenarios.Count + loadFailures.Count} scenario(s) from {E(options.ScenariosDir)}, kernel {E(options.Kernel)}, " +
                           $"{options.Jobs} at a time{(options.UpdatePortTraces ? $", updating the port baselines in {E(options.BaselineDir)}" : "")}");
        foreach (var f in loadFailures)
            console.MarkupLine($"[red]failed to load[/] {E(f.Name)}: {E(f.Message!)}");
        // A scenario with an initfs runs only on a kernel built with that folder: the others are left out of this run,
        // said here, not counted as failures.
        if (observe.NotRunnable is { } notRunnable)
        {
            var notRun = scenarios.Select(s => (Scenario: s, Why: notRunnable(s))).Where(x => x.Why is not null).ToList();
            scenarios = scenarios.Except(notRun.Select(x => x.Scenario)).ToList();
            foreach (var group in notRun.GroupBy(x => x.Why!))
                console.MarkupLine($"[yellow]not run[/]: {E(string.Join(", ", group.Select(x => x.Scenario.Name)))}: {E(group.Key)}");
        }

        var outcomes = await RunAll(console, scenarios, options, observe, registry, pending, clock, ct);
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
                           $"[blue]pending {Count(Verdict.Pending)}[/], [red]diverged {Count(Verdict.Diverged)}[/], [magenta]incomplete {Count(Verdict.Incomplete)}[/], " +
                           $"[red]failed-to-load {Count(Verdict.FailedToLoad)}[/], [red]failed {Count(Verdict.Failed)}[/]");

        // Stale over the whole run: entries of the registry that accepted nothing in any reference diff. An entry is judged
        // only when it applies to a scenario that ran against its reference: one scoped to scenarios left out of this run
        // (--only, an initfs no kernel embeds, a smaller scenario folder) or pending is not judged by it.
        var referenceResults = outcomes.Where(o => o.UsedRegistry && o.Result is not null).Select(o => o.Result!).ToList();
        var stale = registry.Stale(referenceResults)
            .Where(e => outcomes.Any(o => o.UsedRegistry && o.Verdict != Verdict.Pending && e.AppliesTo(o.Name)))
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

        var report = new Report(outcomes, stale);
        WriteSummary(Path.Combine(options.OutputDir, SummaryFile), report);
        var why = new List<string>();
        if (report.Failed > 0) why.Add($"{report.Failed} scenario(s) did not pass");
        if (stale.Count > 0) why.Add($"{stale.Count} stale registry entr{(stale.Count == 1 ? "y" : "ies")}");
        console.MarkupLine(report.Passed ? "[green bold]gate passed[/]" : $"[red bold]gate FAILED[/]: {string.Join(", ", why)}");
        return report;
    }

    /// <summary>The run's outcomes as tab-separated text in the output folder (read by tools/mutants.sh).</summary>
    public const string SummaryFile = "gate-summary.tsv";

    /// <summary>
    /// Writes one line per scenario: name, verdict, baseline, first divergence or failure; then one <c>stale</c> line per
    /// stale registry entry. Tabs and newlines inside a message become spaces.
    /// </summary>
    public static void WriteSummary(string path, Report report)
    {
        static string Clean(string? s) => (s ?? "").Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
        var lines = report.Outcomes.Select(o => $"{o.Name}\t{o.Verdict.Word()}\t{o.Baseline}\t{Clean(o.Message)}")
            .Concat(report.Stale.Select(e => $"stale\t{e.Id}\t{e.Location}\t"));
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllLines(path, lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The table on the terminal is the gate's answer; the summary file is a convenience.
        }
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
        GateBoots observe, DivergenceRegistry registry, PendingList pending, Stopwatch clock, CancellationToken ct)
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
                var o = pending.Apply(await RunScenario(s, options, observe, registry, status, ct));
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
    private static async Task<Outcome> RunScenario(Scenario s, Options options, GateBoots observe, DivergenceRegistry registry,
        Action<string> status, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var baseline = observe.Original is not null ? "original (live)" : s.Reference is { } r ? $"reference:{r}" : "port baseline";
        Outcome Fail(Verdict v, string message, DiffResult? result = null, bool usedRegistry = false, string? html = null) => new()
        {
            Name = s.Name, Verdict = v, Baseline = baseline, Message = FirstLine(message),
            Detail = message.Contains('\n') ? message : null, Result = result, UsedRegistry = usedRegistry, Html = html, Elapsed = clock.Elapsed,
        };

        // 0. kernel_slot = "original": the live original's size, or the size its recording was booted with.
        try { s = observe.ForComparison(s); }
        catch (GateSetupException e) { return Fail(Verdict.Failed, e.Message); }
        if (observe.Original is null && SetupChecks.MissingBaseline(s, options.ReferenceDir, options.BaselineDir, options.UpdatePortTraces) is { } missing)
            return Fail(Verdict.Failed, missing); // before the boot: it could be compared with nothing

        // 0'. The original, observed live (with --original).
        string? livePath = null;
        if (observe.Original is { } original)
        {
            livePath = Path.Combine(options.OutputDir, "traces", "original", s.Name + ".jsonl");
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(livePath)!);
                File.Delete(livePath);
                File.Delete(livePath + ".partial");
                var live = await original(s, livePath, t => status("original: " + t), ct);
                if (!live.Complete)
                    return Fail(Verdict.Incomplete, $"the original's boot did not complete: {live.Error ?? live.How}");
            }
            catch (Exception e) when (e is GateSetupException or ScenarioException or ObserverException or Harness.Elf.ElfException or IOException)
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
            observed = await observe.Port(s, tracePath, status, ct);
        }
        catch (Exception e) when (e is GateSetupException or ScenarioException or ObserverException or Harness.Elf.ElfException or IOException)
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
            var kernelA = usedRegistry && a.Header.Kernel.Handlers.Count == 0 && options.OriginalHandlers is { } oh
                          && string.Equals(oh.Sha256, a.Header.Kernel.Sha256, StringComparison.OrdinalIgnoreCase)
                ? a.Header.Kernel with { Handlers = oh.Handlers }
                : null;
            var result = TraceDiffer.Compare(a, b, new DiffOptions { CompareIncompletePrefix = !a.IsComplete || !b.IsComplete, KernelA = kernelA },
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
        {
            // A divergence in the part both sides recorded is a finding of its own, whatever ended the boot afterwards.
            if (res.FirstDivergence is { } d)
                return Fail(Verdict.Diverged, $"{d.Observable} @ {d.Checkpoint}: {d.Path}: A {d.A ?? "(none)"} | B {d.B ?? "(none)"} " +
                                              $"(then the boot did not complete: {FirstLine(observed.Error ?? observed.How)})", res, usedRegistry, html);
            return Fail(Verdict.Incomplete, $"the boot did not complete: {observed.Error ?? observed.How}", res, usedRegistry, html);
        }
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
        Verdict.Pending => "pending",
        Verdict.Diverged => "diverged",
        Verdict.Incomplete => "incomplete",
        Verdict.Failed => "failed",
        _ => "failed-to-load",
    };

    private static string Colour(Verdict v) => v switch
    {
        Verdict.Equal => "green",
        Verdict.Accepted => "yellow",
        Verdict.Pending => "blue",
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
