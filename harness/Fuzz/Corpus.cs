using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Observe.Map;
using Harness.Scenarios;
using Harness.Unicorn;

namespace Harness.Fuzz;

/// <summary>One map of the corpus with the original's outcome.</summary>
public sealed record CorpusEntry(long Index, IReadOnlyList<string> Features, string MapSha256, IReadOnlyList<E820Area>? Areas, MapOutcome Original);

/// <summary>A map of the corpus on which the port's outcome is not the original's.</summary>
public sealed record CorpusMismatch(long Index, IReadOnlyList<string> Features, IReadOnlyList<string> What);

/// <summary>
/// <c>traces/corpus/e820-maps.jsonl</c>: generated maps with the original's outcomes (<see cref="MapOutcome"/>),
/// recorded in-process from an original ELF, so that CI checks the port against the original without one.
/// Line 1: the header (format, generator seed, provenance); then one line per map: its index in the
/// generator's stream, features, the map's sha256 (and the map itself when short), the original's outcome.
/// </summary>
public static class Corpus
{
    public const string Format = "redox-e820-corpus/1";
    public const int InlineAreas = 24;

    public static string MapSha(IReadOnlyList<E820Area> map)
    {
        var s = new StringBuilder();
        foreach (var a in map) s.Append(CultureInfo.InvariantCulture, $"{a.Base:x},{a.Length:x},{a.Type},{a.Acpi};");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s.ToString())))[..16];
    }

    /// <summary>Records maps 0 … count − 1 of stream <paramref name="seed"/> through the original (in parallel) into <paramref name="path"/>.</summary>
    public static void Record(string path, FuzzSetup setup, ulong seed, int count, int threads, Action<string>? progress = null)
    {
        if (setup.OriginalKernel is null) throw new ArgumentException("recording the corpus needs the original's ELF", nameof(setup));
        var kernelSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(setup.OriginalKernel)));
        var results = new CorpusEntry[count];
        var next = -1;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            var fw = Firmware.ByKey(setup.FirmwareKey, setup.FirmwareDirectory);
            using var machine = new UnicornMachine(UnicornKernel.Load(setup.OriginalKernel, ObservationMapLoader.Load(setup.OriginalMap!)), fw, setup.KernelSlot, []);
            var fuzzer = new DifferentialFuzzer(setup);
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var map = E820Maps.Generate(seed, i);
                var run = machine.Run(fuzzer.Options(map.Areas));
                results[i] = new CorpusEntry(i, map.Features, MapSha(map.Areas), map.Areas.Count <= InlineAreas ? map.Areas : null, MapOutcome.Of(run));
                if ((i + 1) % 100 == 0) progress?.Invoke($"{i + 1} maps recorded");
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());

        var header = new JsonObject
        {
            ["format"] = Format,
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["count"] = count,
            ["stop_at"] = setup.StopAt,
            ["machine"] = $"{setup.FirmwareKey}, kernel slot 0x{setup.KernelSlot:x}, no environment",
            ["provenance"] = new JsonObject
            {
                ["recorded_by"] = "harness corpus record (harness/Fuzz): each map run in-process under Unicorn (harness/Unicorn) from the original's ELF, observed by its map",
                ["original_sha256"] = kernelSha,
                ["original_map"] = setup.OriginalMap,
                ["unicorn"] = UnicornInfo.Version,
                ["recorded_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
        };
        using var w = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        w.WriteLine(header.ToJsonString());
        foreach (var e in results)
        {
            var o = new JsonObject
            {
                ["index"] = e.Index,
                ["features"] = new JsonArray(e.Features.Select(f => (JsonNode?)f).ToArray()),
                ["map_sha256"] = e.MapSha256,
            };
            if (e.Areas is { } areas)
                o["e820"] = new JsonArray(areas.Select(a => (JsonNode?)new JsonArray($"0x{a.Base:x}", $"0x{a.Length:x}", a.Type, a.Acpi)).ToArray());
            o["original"] = e.Original.ToJson();
            w.WriteLine(o.ToJsonString());
        }
    }

    /// <summary>Reads the corpus: its header and entries; errors name the file and line.</summary>
    public static (JsonObject Header, List<CorpusEntry> Entries) Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new InvalidDataException($"{path}: empty corpus");
        JsonObject Parse(int i)
        {
            try
            {
                return JsonNode.Parse(lines[i])!.AsObject();
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: not JSON ({e.Message})", e);
            }
        }
        var header = Parse(0);
        if ((string?)header["format"] != Format) throw new InvalidDataException($"{path}:1: format '{header["format"]}' is not {Format}");
        var entries = new List<CorpusEntry>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var o = Parse(i);
            try
            {
                IReadOnlyList<E820Area>? areas = o["e820"] is JsonArray arr
                    ? arr.Select(x => x!.AsArray()).Select(a => new E820Area(Hex(a[0]!), Hex(a[1]!), (uint)a[2]!, (uint)a[3]!)).ToList()
                    : null;
                entries.Add(new CorpusEntry((long)o["index"]!, o["features"]!.AsArray().Select(f => (string)f!).ToList(), (string)o["map_sha256"]!, areas,
                    MapOutcome.FromJson(o["original"]!.AsObject())));
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}:{i + 1}: {e.Message}", e);
            }
        }
        return (header, entries);
    }

    private static ulong Hex(JsonNode n) => ulong.Parse(((string)n!)[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>Runs the port on every map of the corpus and compares its outcome with the original's.</summary>
    public static (int Checked, List<CorpusMismatch> Mismatches) Check(string path, FuzzSetup setup, int threads, Action<string>? progress = null)
    {
        var (header, entries) = Read(path);
        var seed = ulong.Parse((string)header["seed"]!, CultureInfo.InvariantCulture);
        var mismatches = new System.Collections.Concurrent.ConcurrentBag<CorpusMismatch>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var next = -1;
        var done = 0;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            try
            {
                var fw = Firmware.ByKey(setup.FirmwareKey, setup.FirmwareDirectory);
                using var machine = new UnicornMachine(UnicornKernel.Load(setup.PortKernel, ObservationMapLoader.Load(setup.PortMap)), fw, setup.KernelSlot, []);
                var fuzzer = new DifferentialFuzzer(setup with { StopAt = (string?)header["stop_at"] ?? "heap_done" });
                int i;
                while ((i = Interlocked.Increment(ref next)) < entries.Count)
                {
                    var e = entries[i];
                    var map = E820Maps.Generate(seed, e.Index).Areas;
                    if (MapSha(map) != e.MapSha256)
                    {
                        map = e.Areas ?? throw new InvalidDataException(
                            $"{path}: map {e.Index} is not what the generator gives now (sha256 {MapSha(map)}, recorded {e.MapSha256}) and is not stored: re-record the corpus with `harness corpus record`");
                    }
                    var port = MapOutcome.Of(machine.Run(fuzzer.Options(map)));
                    var what = e.Original.Differences(port);
                    if (what.Count > 0) mismatches.Add(new CorpusMismatch(e.Index, e.Features, what));
                    if (Interlocked.Increment(ref done) % 100 == 0) progress?.Invoke($"{done} maps checked");
                }
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        if (!failures.IsEmpty) throw failures.First() is InvalidDataException d ? d : new AggregateException("a corpus worker failed", failures);
        return (entries.Count, mismatches.OrderBy(m => m.Index).ToList());
    }
}
