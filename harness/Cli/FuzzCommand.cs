using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Diff;
using Harness.Fuzz;
using Harness.Unicorn;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>
/// <c>harness fuzz</c>: generated E820 maps through the port and the original in-process (harness/Fuzz), every
/// difference shrunk to a scenario file; <c>harness corpus record|check</c>: the committed corpus of maps with the
/// original's outcomes.
/// </summary>
public static class FuzzCommand
{
    public const string CorpusPath = "traces/corpus/e820-maps.jsonl";

    public static IEnumerable<Command> Build()
    {
        var kernel = new Option<string>("--kernel") { Description = "The port's kernel ELF (fuzz without --original: any kernel, the original too, with its observation map)", DefaultValueFactory = _ => "build/kernel.elf" };
        var original = new Option<string?>("--original") { Description = "An original Redox 0.3.5 kernel ELF (fuzz: compare with it; without it only the port's invariants are checked)" };
        var maps = new Option<long>("--maps") { Description = "How many generated maps", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "The generator's stream (the same seed and index give the same map)", DefaultValueFactory = _ => 2018 };
        var first = new Option<long>("--first") { Description = "Index of the first map in the stream", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Worker threads (one engine per kernel each)", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var outDir = new Option<string>("--out-dir") { Description = "Where shrunk differences go as scenario files", DefaultValueFactory = _ => "build/fuzz" };
        var summary = new Option<string?>("--summary") { Description = "Also write the figures as JSON to this file" };
        var minutes = new Option<double?>("--minutes") { Description = "Time budget: start no new map after this many minutes, then report the maps done" };
        var show = new Option<long?>("--show") { Description = "Only write map number N of the stream as a scenario file (into --out-dir) and print it" };
        var noFullDiff = new Option<bool>("--outcomes-only") { Description = "Compare the outcomes' digests only, not the whole traces with the Diff stage" };

        var fuzz = new Command("fuzz", "Run generated E820 maps in-process under Unicorn through the port (and the original: --original), compare each map's two runs up to heap_done, shrink every difference to a minimal map written as a scenario file; figures: maps per minute, outcomes, invariants");
        foreach (var o in new Option[] { kernel, original, maps, seed, first, threads, outDir, summary, noFullDiff, show, minutes }) fuzz.Options.Add(o);
        fuzz.SetAction(parse => Guard(() =>
        {
            if (parse.GetValue(show) is { } index)
            {
                var m = E820Maps.Generate(parse.GetValue(seed), index);
                var name = $"fuzz-{parse.GetValue(seed)}-{index}";
                Directory.CreateDirectory(parse.GetValue(outDir)!);
                var mapFile = Path.Combine(parse.GetValue(outDir)!, name + ".toml");
                File.WriteAllText(mapFile, new DifferentialFuzzer(new FuzzSetup { PortKernel = "", PortMap = "" })
                    .ScenarioToml(name, $"map {index} of stream {parse.GetValue(seed)} ({string.Join(", ", m.Features)})", m.Areas));
                AnsiConsole.MarkupLine($"map {index} [[{Markup.Escape(string.Join(", ", m.Features))}]]: {m.Areas.Count} areas -> {Markup.Escape(mapFile)}");
                return ExitCodes.Ok;
            }
            var setup = Setup(parse.GetValue(kernel)!, parse.GetValue(original)) with { FullDiff = !parse.GetValue(noFullDiff) };
            var fuzzer = new DifferentialFuzzer(setup);
            var n = parse.GetValue(maps);
            var t = parse.GetValue(threads);
            AnsiConsole.MarkupLine($"[grey]fuzz: {n} maps from index {parse.GetValue(first)} of stream {parse.GetValue(seed)} on {t} thread(s); port {Markup.Escape(setup.PortKernel)}" +
                $"{(setup.OriginalKernel is { } o ? ", original " + Markup.Escape(o) : " alone")}; load average {LoadAverage()}[/]");
            // --minutes: no new map after that; the maps done so far are reported (and summarised) as usual.
            using var stop = parse.GetValue(minutes) is { } budget ? new CancellationTokenSource(TimeSpan.FromMinutes(budget)) : new CancellationTokenSource();
            var report = fuzzer.Run(parse.GetValue(seed), parse.GetValue(first), n, t, line => AnsiConsole.MarkupLine("[grey]" + Markup.Escape(line) + "[/]"), stop.Token);
            if (stop.IsCancellationRequested) AnsiConsole.MarkupLine($"[yellow]stopped by --minutes after {report.Maps} of {n} maps[/]");
            Print(report);
            var dir = parse.GetValue(outDir)!;
            foreach (var d in report.Differences)
            {
                Directory.CreateDirectory(dir);
                var name = $"fuzz-{parse.GetValue(seed)}-{d.Index}";
                var file = Path.Combine(dir, name + ".toml");
                File.WriteAllText(file, fuzzer.ScenarioToml(name, $"found by harness fuzz (seed {parse.GetValue(seed)}, map {d.Index}, {string.Join(", ", d.Map.Features)}): {d.What}", d.Shrunk));
                AnsiConsole.MarkupLine($"  map {d.Index}: {Markup.Escape(d.What)} -> {Markup.Escape(file)} ({d.Shrunk.Count} areas)");
            }
            if (parse.GetValue(summary) is { } path)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                File.WriteAllText(path, Summary(report, setup, parse.GetValue(seed), parse.GetValue(first)).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            }
            return report.Differences.Count == 0 && !report.Invariants.Keys.Any(k => k.StartsWith("VIOLATION", StringComparison.Ordinal)) ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        yield return fuzz;

        var corpus = new Command("corpus", "The committed corpus of generated maps with the original's outcomes (traces/corpus/e820-maps.jsonl)");
        var file = new Option<string>("--file") { Description = "The corpus file", DefaultValueFactory = _ => CorpusPath };
        var count = new Option<int>("--count") { Description = "Maps to record", DefaultValueFactory = _ => 500 };
        var record = new Command("record", "Run maps 0 … count-1 of the generator through the original in-process and write their outcomes");
        record.Options.Add(original);
        record.Options.Add(file);
        record.Options.Add(count);
        record.Options.Add(seed);
        record.Options.Add(threads);
        record.SetAction(parse => Guard(() =>
        {
            var orig = parse.GetValue(original) ?? throw new UsageException("corpus record needs --original ORIGINAL.elf");
            var setup = Setup(parse.GetValue(kernel)!, orig, portOptional: true);
            var path = parse.GetValue(file)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Corpus.Record(path, setup, parse.GetValue(seed), parse.GetValue(count), parse.GetValue(threads), line => AnsiConsole.MarkupLine("[grey]" + Markup.Escape(line) + "[/]"));
            AnsiConsole.MarkupLine($"{parse.GetValue(count)} maps recorded from the original into {Markup.Escape(path)} ({new FileInfo(path).Length / 1024} KiB) in {clock.Elapsed.TotalSeconds:0.0} s");
            return ExitCodes.Ok;
        }));
        var check = new Command("check", "Run the port on every map of the corpus and compare its outcome with the original's recorded one");
        check.Options.Add(kernel);
        check.Options.Add(file);
        check.Options.Add(threads);
        check.SetAction(parse => Guard(() =>
        {
            var setup = Setup(parse.GetValue(kernel)!, null);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (n, mismatches) = Corpus.Check(parse.GetValue(file)!, setup, parse.GetValue(threads), line => AnsiConsole.MarkupLine("[grey]" + Markup.Escape(line) + "[/]"));
            AnsiConsole.MarkupLine($"corpus {Markup.Escape(parse.GetValue(file)!)}: {n} maps, {n - mismatches.Count} as the original, {mismatches.Count} different ({clock.Elapsed.TotalSeconds:0.0} s)");
            foreach (var m in mismatches.Take(20))
                AnsiConsole.MarkupLine($"  map {m.Index} [[{Markup.Escape(string.Join(", ", m.Features))}]]: {Markup.Escape(string.Join("; ", m.What))}");
            return mismatches.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        corpus.Subcommands.Add(record);
        corpus.Subcommands.Add(check);
        yield return corpus;
    }

    private static FuzzSetup Setup(string kernel, string? original, bool portOptional = false)
    {
        if (UnicornInfo.Unavailable() is { } why) throw new UsageException(why);
        if (!portOptional && !File.Exists(kernel)) throw new UsageException($"kernel {kernel} does not exist (build the port with `make kernel`)");
        if (original is not null && !File.Exists(original)) throw new UsageException($"original kernel {original} does not exist");
        return new FuzzSetup
        {
            PortKernel = kernel,
            PortMap = File.Exists(kernel) && UnicornCommand.LooksLikeRust(kernel) ? RecordCommand.OriginalMap : RecordCommand.PortMap,
            OriginalKernel = original,
            OriginalMap = original is null ? null : RecordCommand.OriginalMap,
            FirmwareDirectory = Directory.Exists(UnicornCommand.FirmwareDirectory) ? UnicornCommand.FirmwareDirectory : null,
            Registry = File.Exists("traces/divergences.toml") ? DivergenceRegistry.Load("traces/divergences.toml") : DivergenceRegistry.Empty,
        };
    }

    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private static void Print(FuzzReport r)
    {
        AnsiConsole.MarkupLine($"[bold]{r.Maps} maps[/] in {r.Wall.TotalSeconds:0.0} s wall ({r.MapsPerMinute:0} maps/min on {r.Threads} thread(s); {r.MapsPerMinuteAfterWarmup:0} maps/min after a {r.Warmup.TotalSeconds:0.0} s warm-up), {r.Cpu.TotalSeconds:0.0} s CPU " +
            $"({r.Cpu.TotalMilliseconds / Math.Max(1, r.PortRuns + r.OriginalRuns):0.0} ms CPU per run); port runs {r.PortRuns}, original runs {r.OriginalRuns}; load average now {LoadAverage()}");
        if (r.OriginalRuns > 0)
            AnsiConsole.MarkupLine($"equal {r.Equal}, different {r.Differences.Count}, unsupported by the runner {r.Unsupported}");
        AnsiConsole.MarkupLine("outcomes: " + Markup.Escape(string.Join(", ", r.Outcomes.Select(kv => $"{kv.Key} {kv.Value}"))));
        AnsiConsole.MarkupLine("features: " + Markup.Escape(string.Join(", ", r.Features.Select(kv => $"{kv.Key} {kv.Value}"))));
        AnsiConsole.MarkupLine("invariants: " + (r.Invariants.Count == 0 ? "all held" : Markup.Escape(string.Join("; ", r.Invariants.Select(kv => $"{kv.Key}: {kv.Value} maps (e.g. map {r.InvariantExamples.GetValueOrDefault(kv.Key)})")))));
    }

    private static JsonObject Summary(FuzzReport r, FuzzSetup setup, ulong seed, long first) => new()
    {
        ["command"] = $"harness fuzz --maps {r.Maps} --seed {seed} --first {first} --threads {r.Threads}{(setup.OriginalKernel is null ? "" : " --original ORIGINAL.elf")}",
        ["port_sha256"] = Sha(setup.PortKernel),
        ["original_sha256"] = setup.OriginalKernel is { } o ? Sha(o) : null,
        ["unicorn"] = UnicornInfo.Version,
        ["stop_at"] = setup.StopAt,
        ["maps"] = r.Maps,
        ["port_runs"] = r.PortRuns,
        ["original_runs"] = r.OriginalRuns,
        ["equal"] = r.Equal,
        ["different"] = r.Differences.Count,
        ["unsupported"] = r.Unsupported,
        ["wall_s"] = Math.Round(r.Wall.TotalSeconds, 1),
        ["cpu_s"] = Math.Round(r.Cpu.TotalSeconds, 1),
        ["maps_per_minute"] = Math.Round(r.MapsPerMinute),
        ["maps_per_minute_after_warmup"] = Math.Round(r.MapsPerMinuteAfterWarmup),
        ["warmup_s"] = Math.Round(r.Warmup.TotalSeconds, 1),
        ["cpu_ms_per_run"] = Math.Round(r.Cpu.TotalMilliseconds / Math.Max(1, r.PortRuns + r.OriginalRuns), 2),
        ["threads"] = r.Threads,
        ["load_average_at_end"] = LoadAverage(),
        ["outcomes"] = new JsonObject(r.Outcomes.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["features"] = new JsonObject(r.Features.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["invariants"] = new JsonObject(r.Invariants.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["differences"] = new JsonArray(r.Differences.Select(d => (JsonNode?)new JsonObject
        {
            ["map"] = d.Index, ["features"] = string.Join(", ", d.Map.Features), ["what"] = d.What, ["shrunk_areas"] = d.Shrunk.Count,
        }).ToArray()),
    };

    private static string Sha(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    private static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is UsageException or Harness.Observe.Map.ObservationMapException or Harness.Elf.ElfException or FirmwareMissingException or InvalidDataException)
        {
            Console.Error.WriteLine("harness: " + e.Message);
            return ExitCodes.BadInput;
        }
    }
}
