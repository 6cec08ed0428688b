using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Harness.Diff;
using Harness.Observe.Map;
using Harness.Scenarios;
using Harness.Unicorn;

namespace Harness.Fuzz;

/// <summary>Where the kernels and their maps are, and the machine every generated map runs on.</summary>
public sealed record FuzzSetup
{
    public required string PortKernel { get; init; }

    public required string PortMap { get; init; }

    /// <summary>The original's ELF and map; null: the port alone (invariants and throughput).</summary>
    public string? OriginalKernel { get; init; }

    public string? OriginalMap { get; init; }

    /// <summary>The machine the maps run on: q35, 2 GiB, std VGA, 1024×768 (the firmware capture), 4 MiB slot, no environment.</summary>
    public string FirmwareKey { get; init; } = "q35-2048m-std-1024x768";

    public ulong KernelSlot { get; init; } = 0x400000;

    public string? FirmwareDirectory { get; init; }

    public DivergenceRegistry Registry { get; init; } = DivergenceRegistry.Empty;

    public string StopAt { get; init; } = "heap_done";

    /// <summary>Read the frame allocator's and heap's state at checkpoints even without the full diff (the corpus keeps its digest).</summary>
    public bool RecordState { get; init; } = true;

    /// <summary>Compare the whole traces with the Diff stage (page tables, descriptors, …) and not only the outcomes' digests.</summary>
    public bool FullDiff { get; init; } = true;
}

/// <summary>A map on which the two kernels differ, shrunk.</summary>
public sealed record FoundDifference(long Index, GeneratedMap Map, IReadOnlyList<E820Area> Shrunk, string What, int ShrinkRuns);

/// <summary>The figures of a fuzz run.</summary>
public sealed record FuzzReport
{
    public required long Maps { get; init; }
    public required long PortRuns { get; init; }
    public required long OriginalRuns { get; init; }
    public required long Equal { get; init; }
    public required long Unsupported { get; init; }
    public required IReadOnlyList<FoundDifference> Differences { get; init; }
    public required IReadOnlyDictionary<string, long> Outcomes { get; init; }
    public required IReadOnlyDictionary<string, long> Features { get; init; }
    public required IReadOnlyDictionary<string, long> Invariants { get; init; }
    public required IReadOnlyDictionary<string, long> InvariantExamples { get; init; }
    public required TimeSpan Wall { get; init; }
    public required TimeSpan Cpu { get; init; }
    public required int Threads { get; init; }

    /// <summary>Until every thread had finished its first map (engines opened, code compiled and translated).</summary>
    public TimeSpan Warmup { get; init; }

    public double MapsPerMinute => Maps / Wall.TotalMinutes;

    /// <summary>The rate after <see cref="Warmup"/>: what a long run sustains.</summary>
    public double MapsPerMinuteAfterWarmup => Maps > Threads && Wall > Warmup ? (Maps - Threads) / (Wall - Warmup).TotalMinutes : MapsPerMinute;
}

/// <summary>
/// Runs generated maps through the port (and the original) in-process, one engine per kernel per thread,
/// compares the two runs of each map (outcome digests, then the Diff stage up to the stop point), and shrinks
/// every difference to a minimal map.
/// </summary>
public sealed class DifferentialFuzzer(FuzzSetup setup)
{
    private sealed class Worker : IDisposable
    {
        public Worker(FuzzSetup setup)
        {
            var fw = Firmware.ByKey(setup.FirmwareKey, setup.FirmwareDirectory);
            Port = new UnicornMachine(UnicornKernel.Load(setup.PortKernel, ObservationMapLoader.Load(setup.PortMap)), fw, setup.KernelSlot, []);
            if (setup.OriginalKernel is { } o)
                Original = new UnicornMachine(UnicornKernel.Load(o, ObservationMapLoader.Load(setup.OriginalMap!)), fw, setup.KernelSlot, []);
        }

        public UnicornMachine Port { get; }

        public UnicornMachine? Original { get; }

        public void Dispose()
        {
            Port.Dispose();
            Original?.Dispose();
        }
    }

    public UnicornRunOptions Options(IReadOnlyList<E820Area> map) =>
        new() { Scenario = "fuzz", E820 = map, StopAt = setup.StopAt, Timeout = TimeSpan.FromSeconds(20), CheckpointState = setup.FullDiff || setup.RecordState, TablesAndDescriptors = setup.FullDiff };

    /// <summary>Maps <paramref name="first"/> … first + count − 1 of stream <paramref name="seed"/> on <paramref name="threads"/> threads.</summary>
    public FuzzReport Run(ulong seed, long first, long count, int threads, Action<string>? progress = null, CancellationToken ct = default)
    {
        var wall = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var next = first - 1;
        long portRuns = 0, originalRuns = 0, equal = 0, unsupported = 0, done = 0, warmupTicks = 0;
        var outcomes = new ConcurrentDictionary<string, long>();
        var features = new ConcurrentDictionary<string, long>();
        var invariants = new ConcurrentDictionary<string, long>();
        var examples = new ConcurrentDictionary<string, long>();
        var differences = new ConcurrentBag<FoundDifference>();
        var failures = new ConcurrentBag<Exception>();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            try
            {
                using var w = new Worker(setup);
                while (!ct.IsCancellationRequested)
                {
                    var index = Interlocked.Increment(ref next);
                    if (index >= first + count) break;
                    var map = E820Maps.Generate(seed, index);
                    foreach (var f in map.Features) features.AddOrUpdate(f, 1, (_, n) => n + 1);
                    var port = w.Port.Run(Options(map.Areas));
                    Interlocked.Increment(ref portRuns);
                    outcomes.AddOrUpdate(w.Port.Kernel.Which + " " + MapOutcome.HowKey(port), 1, (_, n) => n + 1);
                    foreach (var broken in Invariants.Check(port, map.Areas))
                    {
                        invariants.AddOrUpdate(broken, 1, (_, n) => n + 1);
                        examples.TryAdd(broken, index);
                    }
                    if (w.Original is { } o)
                    {
                        var original = o.Run(Options(map.Areas));
                        Interlocked.Increment(ref originalRuns);
                        outcomes.AddOrUpdate("original " + MapOutcome.HowKey(original), 1, (_, n) => n + 1);
                        if (port.How == UnicornHow.Unsupported || original.How == UnicornHow.Unsupported)
                        {
                            Interlocked.Increment(ref unsupported);
                        }
                        else if (Compare(port, original) is { } what)
                        {
                            var (shrunk, runs) = Shrink(w, map.Areas);
                            differences.Add(new FoundDifference(index, map, shrunk, what, runs));
                            progress?.Invoke($"map {index} [{string.Join(", ", map.Features)}]: DIFFERENT ({what}); shrunk to {shrunk.Count} areas in {runs} runs");
                        }
                        else
                        {
                            Interlocked.Increment(ref equal);
                        }
                    }
                    var d = Interlocked.Increment(ref done);
                    if (d == threads) Interlocked.Exchange(ref warmupTicks, wall.Elapsed.Ticks);
                    if (d % 500 == 0)
                        progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                            $"{d} maps, {d / wall.Elapsed.TotalMinutes:0} maps/min, {differences.Count} differences"));
                }
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        if (!failures.IsEmpty) throw new AggregateException("a fuzz worker failed", failures);
        return new FuzzReport
        {
            Maps = done, PortRuns = portRuns, OriginalRuns = originalRuns, Equal = equal, Unsupported = unsupported,
            Differences = differences.OrderBy(d => d.Index).ToList(),
            Outcomes = new SortedDictionary<string, long>(outcomes, StringComparer.Ordinal),
            Features = new SortedDictionary<string, long>(features, StringComparer.Ordinal),
            Invariants = new SortedDictionary<string, long>(invariants, StringComparer.Ordinal),
            InvariantExamples = new SortedDictionary<string, long>(examples, StringComparer.Ordinal),
            Wall = wall.Elapsed, Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0, Threads = threads,
            Warmup = TimeSpan.FromTicks(Interlocked.Read(ref warmupTicks)),
        };
    }

    /// <summary>Null when the two runs are the same up to the stop point; else what differs first.</summary>
    public string? Compare(UnicornRun port, UnicornRun original)
    {
        var a = MapOutcome.Of(original);
        var b = MapOutcome.Of(port);
        var outcome = a.Differences(b);
        if (outcome.Count > 0) return string.Join("; ", outcome);
        if (!setup.FullDiff) return null;
        var diff = Diff(port, original);
        if (diff.Passed) return null;
        // Both runs ended the same unclean way (an exception, a hang): their common prefix is what there is to compare.
        if (diff.Status == CellStatus.Incomplete && !port.Complete && !original.Complete && diff.Cells.All(c => c.Status != CellStatus.Diverged))
            return null;
        if (diff.FirstDivergence is { } first)
            return $"{first.Path} at {first.Checkpoint}: original {first.A ?? "-"}, port {first.B ?? "-"}";
        return $"diff status {diff.Status}: " + string.Join("; ", diff.Cells.Where(c => !c.Status.Equals(CellStatus.Equal) && !c.Status.Equals(CellStatus.NotObserved))
            .Select(c => $"{c.Observable} @ {c.Checkpoint} {c.Status} {c.Note}"));
    }

    /// <summary>The Diff stage on the original's run (A) and the port's (B), cut at the stop point, kernel images compared as runs.</summary>
    public DiffResult Diff(UnicornRun port, UnicornRun original)
    {
        var a = TracePrefix.WithoutSections(TracePrefix.UpTo(original.Trace, setup.StopAt, null));
        var b = TracePrefix.WithoutSections(TracePrefix.UpTo(port.Trace, setup.StopAt, original.Serial));
        if (original.How == UnicornHow.Panic && port.How == UnicornHow.Panic)
        {
            // A panic's stack trace is one binary's own (addresses, symbols, frames): compared up to it, as MapOutcome does.
            a = TracePrefix.WithSerialLog(a, MapOutcome.SerialUpToStackTrace(a.Serial.Bytes));
            b = TracePrefix.WithSerialLog(b, MapOutcome.SerialUpToStackTrace(b.Serial.Bytes));
        }
        return TraceDiffer.Compare(TracePrefix.StatesAsIn(a, b), TracePrefix.StatesAsIn(b, a), new DiffOptions { CompareIncompletePrefix = true }, setup.Registry);
    }

    private (IReadOnlyList<E820Area> Map, int Runs) Shrink(Worker w, IReadOnlyList<E820Area> map)
    {
        var runs = 0;
        bool Differs(IReadOnlyList<E820Area> m)
        {
            runs += 2;
            var p = w.Port.Run(Options(m));
            var o = w.Original!.Run(Options(m));
            return p.How != UnicornHow.Unsupported && o.How != UnicornHow.Unsupported && Compare(p, o) is not null;
        }
        return (Shrinker.Shrink(map, Differs, maxEvaluations: 400), runs);
    }

    /// <summary>The map as a scenario file for traces/scenarios/ (explicit E820 on the fuzz machine).</summary>
    public string ScenarioToml(string name, string description, IReadOnlyList<E820Area> map)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"name = \"{name}\"\n");
        s.Append(CultureInfo.InvariantCulture, $"description = \"{description.Replace("\"", "'", StringComparison.Ordinal)}\"\n\n");
        s.Append("[machine]\ntype = \"q35\"\nmemory_mib = 2048\ncpus = 1\nvga = \"std\"\n\n");
        s.Append(CultureInfo.InvariantCulture, $"[boot]\nkernel_slot = 0x{setup.KernelSlot:x}\nvbe = \"1024x768\"\nenv = \"\"\ntimeout_s = 30\n\n");
        s.Append("[e820]\nsource = \"explicit\"\nareas = [\n");
        foreach (var a in map)
            s.Append(CultureInfo.InvariantCulture, $"  {{ base = 0x{a.Base:x}, length = 0x{a.Length:x}, type = {a.Type}, acpi = {a.Acpi} }},\n");
        s.Append("]\n");
        return s.ToString();
    }
}

/// <summary>Delta debugging on a map: drop runs of entries (halves, quarters, … single ones), then simplify what is left.</summary>
public static class Shrinker
{
    public static IReadOnlyList<E820Area> Shrink(IReadOnlyList<E820Area> map, Func<IReadOnlyList<E820Area>, bool> stillFails, int maxEvaluations)
    {
        var current = map.ToList();
        var evaluations = 0;
        bool Try(List<E820Area> candidate)
        {
            if (evaluations >= maxEvaluations) return false;
            evaluations++;
            if (!stillFails(candidate)) return false;
            current = candidate;
            return true;
        }
        for (var chunk = Math.Max(1, current.Count / 2); chunk >= 1; chunk /= 2)
        {
            for (var start = 0; start < current.Count;)
            {
                var candidate = current.Take(start).Concat(current.Skip(start + chunk)).ToList();
                if (candidate.Count > 0 && Try(candidate)) continue;
                start += chunk;
            }
        }
        for (var i = 0; i < current.Count; i++)
        {
            var a = current[i];
            foreach (var simpler in new[] { a with { Acpi = 0 }, a with { Type = a.Type is 1 ? 1u : 2u }, a with { Base = a.Base & ~0xFFFUL }, a with { Length = a.Length & ~0xFFFUL } })
            {
                if (simpler == a) continue;
                var candidate = new List<E820Area>(current) { [i] = simpler };
                if (Try(candidate)) a = simpler;
            }
        }
        return current;
    }
}
