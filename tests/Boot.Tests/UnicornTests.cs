using Harness.Diff;
using Harness.Fuzz;
using Harness.Observe.Map;
using Harness.Scenarios;
using Harness.Trace;
using Harness.Unicorn;
using Harness.Unicorn.Native;

namespace Boot.Tests;

/// <summary>Skipped, saying why, unless REDOX_KERNEL names an original Redox 0.3.5 kernel ELF.</summary>
public sealed class OriginalTheoryAttribute : TheoryAttribute
{
    public OriginalTheoryAttribute()
    {
        if (UnicornTests.Original is null)
            Skip = "REDOX_KERNEL is not set: these cases run the original Redox 0.3.5 kernel (e.g. REDOX_KERNEL=build/original/kernel.elf)";
    }
}

/// <summary>
/// The early boot in-process under Unicorn (harness/Unicorn), driven by the same observation maps as the QEMU
/// observer: its trace must equal the QEMU trace of the same scenario up to heap_done — the reference
/// (the original under QEMU) for every scenario that has one (today: every scenario), for the port and for
/// the original.
/// </summary>
public sealed class UnicornTests
{
    private const string Stop = "heap_done";

    public static string? Original =>
        Environment.GetEnvironmentVariable("REDOX_KERNEL") is { Length: > 0 } k ? Path.GetFullPath(k, Repo.Root) : null;

    private static readonly Lazy<UnicornKernel> PortKernel = new(() =>
        UnicornKernel.Load(Repo.Kernel, ObservationMapLoader.Load(Path.Combine(Repo.Root, "csharp-kernel", "observe.toml"))));

    private static readonly Lazy<UnicornKernel> OriginalKernel = new(() =>
        UnicornKernel.Load(Original!, ObservationMapLoader.Load(Path.Combine(Repo.Root, "redox-0.3.5", "observe.toml"))));

    public static TheoryData<string> ReferenceScenarios()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(Repo.Root, "traces", "reference")).Order(StringComparer.Ordinal))
            if (File.Exists(Path.Combine(Repo.Scenarios, Path.GetFileName(dir) + ".toml")))
                data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceScenarios))]
    public void The_port_under_Unicorn_equals_the_originals_QEMU_reference_up_to_heap_done(string scenario) =>
        AssertEqualUpToStop(PortKernel.Value, scenario, TraceReader.Read(Repo.Reference(scenario)));

    [OriginalTheory]
    [MemberData(nameof(ReferenceScenarios))]
    public void The_original_under_Unicorn_equals_its_QEMU_reference_up_to_heap_done(string scenario) =>
        AssertEqualUpToStop(OriginalKernel.Value, scenario, TraceReader.Read(Repo.Reference(scenario)));

    [Fact]
    public void A_reused_engine_gives_the_same_trace_as_a_fresh_one()
    {
        var s = ScenarioLoader.Load(Path.Combine(Repo.Scenarios, "q35-2g-slot4m.toml"));
        var (machine, options) = UnicornScenario.Prepare(PortKernel.Value, s);
        using (machine)
        {
            var first = machine.Run(options);
            // Another map in between: different frames, different aliases, a panic.
            var panics = machine.Run(options with { E820 = [new E820Area(0, 0x9fc00, 1, 0), new E820Area(0x100000, 0x400000, 1, 0)] });
            var again = machine.Run(options);
            Assert.Equal(UnicornHow.Stop, first.How);
            Assert.Equal(UnicornHow.Panic, panics.How);
            Assert.Contains("PANIC", System.Text.Encoding.Latin1.GetString(panics.Serial));
            var diff = TraceDiffer.Compare(first.Trace, again.Trace);
            Assert.True(diff.Status == CellStatus.Equal, $"a reused engine differs: {diff.FirstDivergence?.Sentence ?? diff.Status.ToString()}");
            Assert.Equal(first.Serial, again.Serial);
        }
    }

    /// <summary>
    /// Stores on the generated code's fast path (LibraryPatches: TLB_NOTDIRTY no longer set) change nothing a run does:
    /// the same traces, serial logs and outcomes as with 2.0.1's store path, on generated maps (panics, odd maps
    /// included) run one after another on one engine each way.
    /// </summary>
    [Fact]
    public void Fast_stores_give_the_same_runs_as_the_librarys_store_path()
    {
        Assert.Null(UnicornInfo.Unavailable());
        var fuzzer = new DifferentialFuzzer(Setup(false));
        var s = ScenarioLoader.Load(Path.Combine(Repo.Scenarios, "q35-2g-slot4m.toml"));
        var maps = Enumerable.Range(0, 24).Select(i => E820Maps.Generate(2018, i)).ToList();
        List<UnicornRun> RunAll()
        {
            var (machine, _) = UnicornScenario.Prepare(PortKernel.Value, s);
            using (machine) return maps.Select(m => machine.Run(fuzzer.Options(m.Areas))).ToList();
        }
        var was = FastStores.Enabled;
        try
        {
            FastStores.Enabled = false;
            var slow = RunAll();
            FastStores.Enabled = true;
            var fast = RunAll();
            Assert.Contains(slow, r => r.How == UnicornHow.Panic);
            for (var i = 0; i < maps.Count; i++)
            {
                Assert.Equal(slow[i].How, fast[i].How);
                Assert.Equal(slow[i].Serial, fast[i].Serial);
                var diff = TraceDiffer.Compare(slow[i].Trace, fast[i].Trace);
                Assert.True(diff.Status == CellStatus.Equal, $"map {i}: {diff.FirstDivergence?.Sentence ?? diff.Status.ToString()}");
            }
        }
        finally
        {
            FastStores.Enabled = was;
        }
    }

    private static FuzzSetup Setup(bool withOriginal) => new()
    {
        PortKernel = Repo.Kernel,
        PortMap = Path.Combine(Repo.Root, "csharp-kernel", "observe.toml"),
        OriginalKernel = withOriginal ? Original : null,
        OriginalMap = withOriginal ? Path.Combine(Repo.Root, "redox-0.3.5", "observe.toml") : null,
        Registry = DivergenceRegistry.Load(Path.Combine(Repo.Root, "traces", "divergences.toml")),
    };

    /// <summary>CI's check of the port against the original without an original ELF: the committed corpus of maps and the original's outcomes.</summary>
    [Fact]
    public void The_port_has_the_originals_outcome_on_every_map_of_the_corpus()
    {
        var (n, mismatches) = Corpus.Check(Path.Combine(Repo.Root, "traces", "corpus", "e820-maps.jsonl"), Setup(false), threads: 2);
        Assert.True(n >= 500, $"the corpus holds {n} maps");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10).Select(m => $"map {m.Index} [{string.Join(", ", m.Features)}]: {string.Join("; ", m.What)}")));
    }

    [OriginalFact]
    public void The_port_and_the_original_do_the_same_on_generated_maps()
    {
        var report = new DifferentialFuzzer(Setup(true)).Run(seed: 7, first: 0, count: 40, threads: 2);
        Assert.Equal(40, report.Maps);
        Assert.True(report.Differences.Count == 0, string.Join("\n", report.Differences.Select(d => $"map {d.Index}: {d.What}")));
        Assert.Equal(40, report.Equal + report.Unsupported);
    }

    [Fact]
    public void The_generator_is_deterministic_and_reaches_every_quirk_it_names()
    {
        Assert.Equal(E820Maps.Generate(2018, 123).Areas, E820Maps.Generate(2018, 123).Areas);
        Assert.NotEqual(E820Maps.Generate(2018, 123).Areas, E820Maps.Generate(2018, 124).Areas);
        var maps = Enumerable.Range(0, 400).Select(i => E820Maps.Generate(2018, i)).ToList();
        foreach (var feature in new[] { "zero-length", "overlap", "unsorted", "inside-kernel", "many-entries", "acpi", "huge-above-4g", "wrap", "unaligned", "free-in-low-memory" })
            Assert.Contains(maps, m => m.Features.Contains(feature));
        Assert.Contains(maps, m => m.Areas.Count == 512);
        Assert.Contains(maps, m => m.Areas.Count > 512);
        Assert.Contains(maps, m => m.Areas.Any(a => a.Length == 0 && a.Base == 0));
        Assert.Contains(maps, m => m.Areas.Any(a => a.Type is 3 or 4));
        Assert.Contains(maps, m => m.Areas.Any(a => a.Base >= 1UL << 32 && a.Length >= 1UL << 36));
        Assert.Contains(maps, m => m.Areas.Any(a => a.Type == 1 && a.Base == 0x100000 && a.Length < 0x400000 + 600 * 0x1000));
    }

    [Fact]
    public void A_zero_length_free_area_at_base_0_is_reported_as_quirk_M2_not_as_a_violation()
    {
        var setup = Setup(false);
        var fuzzer = new DifferentialFuzzer(setup);
        var (machine, _) = UnicornScenario.Prepare(PortKernel.Value, ScenarioLoader.Load(Path.Combine(Repo.Scenarios, "zero-length-wrap.toml")));
        using (machine)
        {
            var map = ScenarioLoader.Load(Path.Combine(Repo.Scenarios, "zero-length-wrap.toml")).E820.Areas;
            var run = machine.Run(fuzzer.Options(map));
            var found = Invariants.Check(run, map).ToList();
            Assert.Contains(found, f => f.StartsWith("quirk M2", StringComparison.Ordinal));
            Assert.DoesNotContain(found, f => f.StartsWith("VIOLATION", StringComparison.Ordinal));
        }
    }

    private static void AssertEqualUpToStop(UnicornKernel kernel, string scenarioName, Trace qemu)
    {
        // kernel_slot = "original": the slot the reference was booted with.
        var scenario = ScenarioLoader.Load(Path.Combine(Repo.Scenarios, scenarioName + ".toml")).WithOriginalSize(qemu.Header.Args!.KernelSize);
        var (machine, options) = UnicornScenario.Prepare(kernel, scenario, Stop);
        using (machine)
        {
            var run = machine.Run(options);
            Assert.True(run.Complete, $"{scenarioName} ({kernel.Which}) under Unicorn: {run.How} {run.Detail}");
            var a = TracePrefix.UpTo(qemu, Stop, run.Serial);
            var b = TracePrefix.UpTo(run.Trace, Stop, null);
            var diff = TraceDiffer.Compare(TracePrefix.StatesAsIn(a, b), TracePrefix.StatesAsIn(b, a));
            var cells = string.Join("; ", diff.Cells.Where(c => c.Status != CellStatus.Equal && !(c.Status == CellStatus.NotObserved && !c.OneSided))
                .Select(c => $"{c.Observable} @ {c.Checkpoint}: {c.Status.Name()} {c.Note}"));
            Assert.True(diff.Status == CellStatus.Equal,
                $"{scenarioName} ({kernel.Which}): Unicorn vs QEMU up to {Stop}: {diff.Status.Name()}; first divergence: {diff.FirstDivergence?.Sentence ?? "none"}; cells: {cells}");
            Assert.Equal(run.Trace.Checkpoints.Count, b.Checkpoints.Count);
            Assert.True(diff.EventsCompared == diff.EventsEqual && diff.EventsCompared == run.Trace.Events.Count,
                $"{diff.EventsEqual} of {diff.EventsCompared} events equal, the run has {run.Trace.Events.Count}");
        }
    }
}
