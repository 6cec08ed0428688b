using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Gdb;
using Harness.Observe.Map;
using Harness.Qemu;
using Harness.Trace;
using Harness.Unicorn;
using Harness.Unicorn.Native;
using GdbEndpoint = Harness.Qemu.GdbEndpoint;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>
/// <c>harness unicorn</c>: the early boot in-process under Unicorn (harness/Unicorn), written as a trace; and
/// <c>harness unicorn-firmware</c>: capture what QEMU's firmware leaves in low memory for it.
/// </summary>
public static class UnicornCommand
{
    public const string FirmwareDirectory = "harness/Unicorn/firmware";

    public static IEnumerable<Command> Build(Option<string> scenariosDir)
    {
        var kernel = new Option<string>("--kernel") { Description = "Kernel ELF (the port's build/kernel.elf, or an original Redox kernel)", Required = true };
        var scenario = new Option<string>("--scenario") { Description = "Scenario name (traces/scenarios/NAME.toml) or path", DefaultValueFactory = _ => "q35-2g-slot4m" };
        var map = new Option<string?>("--map") { Description = $"Observation map (default: {RecordCommand.PortMap}, or {RecordCommand.OriginalMap} for a Rust kernel)" };
        var stopAt = new Option<string>("--stop-at") { Description = "Checkpoint to stop at", DefaultValueFactory = _ => "heap_done" };
        var output = new Option<string?>("--out") { Description = "Trace to write (default: build/traces/unicorn/KERNEL/SCENARIO.jsonl)" };
        var runs = new Option<int>("--runs") { Description = "Run it this many times on the same engine and print the time per run (wall and CPU)", DefaultValueFactory = _ => 1 };
        var versus = new Option<string?>("--vs") { Description = "Also run this other kernel ELF (the original) in-process on the same scenario and diff the two runs (A = it, B = --kernel)" };
        var against = new Option<string?>("--diff") { Description = "Also diff the run, up to the stop point, against this QEMU trace (a file or a folder such as traces/reference/NAME)" };
        var run = new Command("unicorn", "Run a kernel's early boot in-process under Unicorn (no QEMU) with a scenario's inputs, observed by the same map, to a checkpoint; write the trace");
        run.Options.Add(kernel);
        run.Options.Add(scenario);
        run.Options.Add(map);
        run.Options.Add(stopAt);
        run.Options.Add(output);
        run.Options.Add(against);
        run.Options.Add(versus);
        run.Options.Add(runs);
        run.SetAction(parse => Guard(() =>
        {
            // kernel_slot = "original": the live original's size (--vs), else its reference recording's kernel_size.
            var s = BootPlan.ForComparison(BootPlan.FindScenario(parse.GetValue(scenario)!, parse.GetValue(scenariosDir)!), parse.GetValue(versus), "traces/reference");
            var k = LoadKernel(parse.GetValue(kernel)!, parse.GetValue(map));
            var (machine, options) = UnicornScenario.Prepare(k, s, parse.GetValue(stopAt), FirmwareDirectory);
            using (machine)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var result = machine.Run(options);
                var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                if (parse.GetValue(runs) > 1)
                {
                    var n = parse.GetValue(runs) - 1;
                    var clock = Stopwatch.StartNew();
                    var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
                    var (chunks0, lookups0) = machine.MemoryCounters;
                    for (var i = 0; i < n; i++) machine.Run(options);
                    var c = Process.GetCurrentProcess().TotalProcessorTime - cpu1;
                    var (chunks1, lookups1) = machine.MemoryCounters;
                    AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                        $"per run: {(chunks1 - chunks0) / (double)n:0.#} blocks above 64 GiB, {(lookups1 - lookups0) / (double)n:0} region lookups translated; translation cache flushes {machine.TranslationFlushes}; fast stores {FastStores.Status}"));
                    AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                        $"{n} more runs on the same engine: {clock.Elapsed.TotalMilliseconds / n:0.00} ms wall, {c.TotalMilliseconds / n:0.00} ms CPU per run (load average {FuzzCommand.LoadAverage()})"));
                }
                var outPath = parse.GetValue(output) ?? Path.Combine("build", "traces", "unicorn", k.Which, s.Name + ".jsonl");
                TraceCopier.Copy(result.Trace, outPath);
                AnsiConsole.MarkupLine($"{Markup.Escape(s.Name)} ({k.Which}): [bold]{Markup.Escape(result.How)}[/] {Markup.Escape(result.Detail ?? "")}");
                AnsiConsole.MarkupLine($"[grey]{result.Trace.Checkpoints.Count} checkpoints, {result.Trace.Events.Count} events, {result.Serial.Length} serial bytes, " +
                    $"{result.EmuStarts} emulation starts; {result.Wall.TotalMilliseconds:0.0} ms wall, {used.TotalMilliseconds:0} ms CPU (with setup); trace {Markup.Escape(outPath)}[/]");
                if (!result.Complete) return ExitCodes.Aborted;
                if (parse.GetValue(versus) is { } other)
                {
                    var ok = LoadKernel(other, null);
                    var (m2, o2) = UnicornScenario.Prepare(ok, s, parse.GetValue(stopAt), FirmwareDirectory);
                    using (m2)
                    {
                        var otherRun = m2.Run(o2);
                        AnsiConsole.MarkupLine($"{Markup.Escape(ok.Which)}: [bold]{Markup.Escape(otherRun.How)}[/] {Markup.Escape(otherRun.Detail ?? "")}");
                        var fuzzer = new Harness.Fuzz.DifferentialFuzzer(new Harness.Fuzz.FuzzSetup { PortKernel = k.Path, PortMap = "", StopAt = parse.GetValue(stopAt)! });
                        Report(fuzzer.Diff(result, otherRun), other, parse.GetValue(stopAt)!);
                        return fuzzer.Diff(result, otherRun).Passed ? ExitCodes.Ok : ExitCodes.Failed;
                    }
                }
                if (parse.GetValue(against) is { } qemuPath)
                {
                    var diff = DiffUpTo(result, TraceReader.Read(qemuPath), parse.GetValue(stopAt)!);
                    Report(diff, qemuPath, parse.GetValue(stopAt)!);
                    return diff.Passed ? ExitCodes.Ok : ExitCodes.Failed;
                }
                return ExitCodes.Ok;
            }
        }));
        yield return run;

        var outDir = new Option<string>("--out-dir") { Description = "Where the capture goes", DefaultValueFactory = _ => FirmwareDirectory };
        var all = new Option<bool>("--all") { Description = "Every scenario's machine not captured yet" };
        var capture = new Command("unicorn-firmware", "Boot QEMU from the project's loader to the kernel's entry and save what the firmware left in low memory that the in-process runner needs (interrupt table, E820 map, VBE info) as a small JSON with its provenance");
        capture.Options.Add(kernel);
        capture.Options.Add(scenario);
        capture.Options.Add(outDir);
        capture.Options.Add(all);
        capture.SetAction(async (parse, ct) =>
        {
            try
            {
                var dir = parse.GetValue(outDir)!;
                var scenarios = parse.GetValue(all)
                    ? Harness.Scenarios.ScenarioLoader.LoadAll(parse.GetValue(scenariosDir)!).ToList()
                    : [BootPlan.FindScenario(parse.GetValue(scenario)!, parse.GetValue(scenariosDir)!)];
                var done = new HashSet<string>();
                foreach (var s in scenarios)
                {
                    var key = Firmware.KeyOf(s);
                    if (!done.Add(key) || (parse.GetValue(all) && File.Exists(Path.Combine(dir, key + ".json")))) continue;
                    var fw = await CaptureAsync(parse.GetValue(kernel)!, s, ct);
                    Directory.CreateDirectory(dir);
                    await File.WriteAllTextAsync(Path.Combine(dir, key + ".json"), fw.ToJson(), ct);
                    AnsiConsole.MarkupLine($"{Markup.Escape(key)}: {fw.BiosE820.Count} E820 entries -> {Markup.Escape(Path.Combine(dir, key + ".json"))}");
                }
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is UsageException or Harness.Scenarios.ScenarioException or Harness.Elf.ElfException or GdbException or TimeoutException)
            {
                Console.Error.WriteLine("harness: " + e.Message);
                return e is UsageException or Harness.Scenarios.ScenarioException or Harness.Elf.ElfException ? ExitCodes.BadInput : ExitCodes.Aborted;
            }
        });
        yield return capture;
        foreach (var c in FuzzCommand.Build()) yield return c;
    }

    public static UnicornKernel LoadKernel(string kernel, string? mapPath)
    {
        if (!File.Exists(kernel))
            throw new UsageException($"kernel {kernel} does not exist (build the port with `make kernel`)");
        mapPath ??= LooksLikeRust(kernel) ? RecordCommand.OriginalMap : RecordCommand.PortMap;
        if (!File.Exists(mapPath))
            throw new UsageException($"observation map {mapPath} does not exist (give one with --map)");
        if (UnicornInfo.Unavailable() is { } why)
            throw new UsageException(why);
        return UnicornKernel.Load(kernel, ObservationMapLoader.Load(mapPath));
    }

    private static void Report(Harness.Diff.DiffResult diff, string against, string stop)
    {
        AnsiConsole.MarkupLine($"against {Markup.Escape(against)} up to {Markup.Escape(stop)}: [bold]{diff.Status}[/], {diff.EventsEqual}/{diff.EventsCompared} events equal");
        foreach (var c in diff.Cells.Where(c => c.Status is not (Harness.Diff.CellStatus.Equal or Harness.Diff.CellStatus.NotObserved)))
            AnsiConsole.MarkupLine($"  {Markup.Escape(c.Observable)} @ {Markup.Escape(c.Checkpoint)}: {c.Status} {Markup.Escape(c.Note ?? "")}");
        foreach (var d in diff.Divergences.Take(12))
            AnsiConsole.MarkupLine($"  {Markup.Escape(d.Checkpoint)} {Markup.Escape(d.Path)}: A {Markup.Escape(d.A ?? "-")} | B {Markup.Escape(d.B ?? "-")}");
        foreach (var n in diff.Notes.Take(5)) AnsiConsole.MarkupLine($"  [grey]{Markup.Escape(n)}[/]");
    }

    /// <summary>A QEMU trace (A) against an in-process run (B), both cut at <paramref name="stop"/>; no registry: equal means equal.</summary>
    public static Harness.Diff.DiffResult DiffUpTo(UnicornRun run, Trace.Trace qemu, string stop) =>
        Harness.Diff.TraceDiffer.Compare(TracePrefix.UpTo(qemu, stop, run.Serial), TracePrefix.UpTo(run.Trace, stop, null));

    /// <summary>True when the ELF has Rust-mangled symbols (an original Redox kernel), as `record` decides.</summary>
    public static bool LooksLikeRust(string kernel) =>
        Harness.Elf.ElfImage.Load(kernel).Symbols.Any(s => s.Name.StartsWith("_ZN6kernel", StringComparison.Ordinal) || s.Name.StartsWith("_RN", StringComparison.Ordinal));

    private static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is UsageException or Harness.Scenarios.ScenarioException or Harness.Elf.ElfException
                                      or ObservationMapException or FirmwareMissingException or InvalidDataException)
        {
            Console.Error.WriteLine("harness: " + e.Message);
            return ExitCodes.BadInput;
        }
        catch (UnicornException e)
        {
            Console.Error.WriteLine("harness: " + e.Message);
            return ExitCodes.Aborted;
        }
    }

    /// <summary>Boots <paramref name="kernel"/> under QEMU to its entry (a hardware breakpoint) and reads what the firmware left.</summary>
    public static async Task<Firmware> CaptureAsync(string kernel, Harness.Scenarios.Scenario scenario, CancellationToken ct)
    {
        var elf = Harness.Elf.ElfImage.Load(kernel, requireSymbols: true);
        var entry = elf.Lookup("kstart")?.Value ?? throw new UsageException($"{kernel} has no symbol kstart");
        var socketDir = Directory.CreateTempSubdirectory("harness-fw-").FullName;
        var plan = BootPlan.Prepare(scenario, kernel, gdb: new GdbEndpoint.UnixSocket(Path.Combine(socketDir, "gdb.sock")), paused: true);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var qemu = QemuRunner.RunAsync(plan.Qemu with { StartPaused = true }, _ => { }, cts.Token);
        try
        {
            await using var gdb = await GdbClient.ConnectAsync(Harness.Gdb.GdbEndpoint.Unix(Path.Combine(socketDir, "gdb.sock")),
                new GdbClientOptions { ConnectTimeout = TimeSpan.FromSeconds(20), CommandTimeout = TimeSpan.FromSeconds(20) }, ct);
            await gdb.InsertBreakpointAsync(BreakpointKind.Hardware, entry, ct);
            await gdb.ContinueAsync(TimeSpan.FromSeconds(60), ct);
            var ivt = await gdb.ReadMemoryAsync(Firmware.IvtAddress, Firmware.IvtLength, ct);
            var e820 = await gdb.ReadMemoryAsync(0x500, 0x5000 - 0x500, ct);
            var card = await gdb.ReadMemoryAsync(Firmware.VbeCardAddress, Firmware.VbeCardLength, ct);
            var mode = await gdb.ReadMemoryAsync(Firmware.VbeModeAddress, Firmware.VbeModeLength, ct);
            var version = QemuRunner.Version(plan.Qemu.Executable).Text;
            var provenance = new JsonObject
            {
                ["captured_by"] = "harness unicorn-firmware",
                ["captured_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["how"] = "the scenario's machine booted from the project's loader (harness/Loader) under QEMU, stopped by a hardware breakpoint at the kernel's entry (kstart); memory read through QEMU's gdb stub",
                ["qemu"] = version,
                ["qemu_args"] = new JsonArray("-machine", scenario.Machine.Type, "-m", scenario.Machine.MemoryMib.ToString(CultureInfo.InvariantCulture),
                    "-vga", scenario.Machine.Vga),
                ["vbe"] = scenario.Boot.VbeText,
                ["scenario"] = scenario.Name,
                ["kernel_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(kernel, ct))),
                ["e820_source"] = scenario.E820.Source == Harness.Scenarios.E820Source.Bios ? "bios" : "explicit (the BIOS's map is not in this capture)",
            };
            var biosMap = scenario.E820.Source == Harness.Scenarios.E820Source.Bios ? Firmware.DecodeE820(e820) : [];
            return new Firmware(Firmware.KeyOf(scenario), ivt, biosMap, card, mode, provenance);
        }
        finally
        {
            await cts.CancelAsync();
            try { await qemu; } catch (OperationCanceledException) { }
            try { Directory.Delete(socketDir, recursive: true); } catch (IOException) { }
            try { Directory.Delete(plan.WorkDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
