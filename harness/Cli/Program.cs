using System.CommandLine;
using Harness.Cli;
using Harness.Qemu;
using Harness.Scenarios;
using Spectre.Console;

var scenariosDir = new Option<string>("--scenarios-dir")
{
    Description = "Folder of scenario files",
    DefaultValueFactory = _ => BootPlan.ScenarioDirectory,
    Recursive = true,
};

var root = new RootCommand(
    """
    The differential harness of the C# port of Redox 0.3.5: boots kernels under QEMU from the
    project's loader, observes them, and compares them with the original.

    Environment:
      HARNESS_PIN=0  do not pin. By default one observed run on the machine at a time (the one that
                     takes the lock on /tmp/harness-cpu-pin.lock, and is alone in its process) pins
                     QEMU to one CPU and the observer's reader to another, which polls for QEMU's
                     replies: a stop costs about a fifth less. record's table says where a run ran.


    """ + ExitCodes.Help);
root.Options.Add(scenariosDir);

// ---- harness boot -------------------------------------------------------------------------
var kernelOption = new Option<string>("--kernel") { Description = "Kernel ELF to boot (the port's build/kernel.elf, or an original Redox kernel)", Required = true };
var scenarioOption = new Option<string>("--scenario") { Description = "Scenario name (traces/scenarios/NAME.toml) or path", DefaultValueFactory = _ => "q35-2g" };
var gdbOption = new Option<int?>("--gdb") { Description = "Open QEMU's gdb stub on this TCP port (127.0.0.1)" };
var pausedOption = new Option<bool>("--paused") { Description = "Start with the CPU stopped, for a debugger (needs --gdb)" };
var keepOption = new Option<bool>("--keep") { Description = "Keep the work folder (disk image, QEMU logs) and print its path" };
var boot = new Command("boot", "Boot a kernel under QEMU with a scenario's inputs and stream its serial log; report how the boot ended");
boot.Options.Add(kernelOption);
boot.Options.Add(scenarioOption);
boot.Options.Add(gdbOption);
boot.Options.Add(pausedOption);
boot.Options.Add(keepOption);
boot.SetAction(async (parse, ct) => await Run(async () =>
{
    var port = parse.GetValue(gdbOption);
    if (port is { } gp && gp is < 1 or > 65535)
        throw new UsageException($"--gdb {gp}: a TCP port is 1..65535");
    if (parse.GetValue(pausedOption) && port is null)
        throw new UsageException("--paused needs --gdb PORT: without a debugger nothing would ever start the CPU");
    var scenario = BootPlan.FindScenario(parse.GetValue(scenarioOption)!, parse.GetValue(scenariosDir)!);
    var plan = BootPlan.Prepare(scenario, parse.GetValue(kernelOption)!,
        gdb: port is { } p ? new GdbEndpoint.Tcp(p) : null, paused: parse.GetValue(pausedOption));
    AnsiConsole.MarkupLine($"[grey]scenario {Markup.Escape(scenario.Name)}: {Markup.Escape(scenario.Summary)}[/]");
    try
    {
        var result = await BootCommand.RunAsync(plan, Console.WriteLine, ct);
        BootCommand.PrintOutcome(result.Outcome, result.Elapsed);
        return BootCommand.ExitCodeOf(result.Outcome);
    }
    finally
    {
        if (parse.GetValue(keepOption))
        {
            WorkFolder.Keep(plan.WorkDirectory);
            AnsiConsole.MarkupLine($"[grey]work folder kept: {Markup.Escape(plan.WorkDirectory)}[/]");
        }
        else
            WorkFolder.Delete(plan.WorkDirectory);
    }
}));
root.Subcommands.Add(boot);

// ---- harness scenarios --------------------------------------------------------------------
var scenarios = new Command("scenarios", "List the scenarios in a table: name, inputs, reference, what each exercises");
scenarios.SetAction(parse => RunSync(() =>
{
    var all = ScenarioLoader.LoadAll(parse.GetValue(scenariosDir)!);
    var table = new Table().AddColumns("scenario", "inputs", "reference", "what it exercises");
    table.Columns[0].NoWrap();
    table.Columns[2].NoWrap();
    foreach (var s in all.OrderBy(s => s.Name, StringComparer.Ordinal))
        table.AddRow(Markup.Escape(s.Name), Markup.Escape(s.Summary), Markup.Escape(s.Reference ?? "-"), Markup.Escape(s.Description));
    AnsiConsole.Write(table);
    return ExitCodes.Ok;
}));
root.Subcommands.Add(scenarios);

// ---- harness diff-boot --------------------------------------------------------------------
var originalOption = new Option<string?>("--original") { Description = "An original Redox 0.3.5 kernel ELF to boot and observe instead of the recorded reference" };
var referenceDir = new Option<string>("--reference-dir") { Description = "Folder of reference traces", DefaultValueFactory = _ => "traces/reference" };
var diffBoot = new Command("diff-boot", "Boot the port observed on a scenario and diff it against the original: the scenario's recorded reference, or an original kernel booted the same way (--original); writes build/traces/ and build/reports/SCENARIO.html");
diffBoot.Options.Add(kernelOption);
diffBoot.Options.Add(scenarioOption);
diffBoot.Options.Add(originalOption);
diffBoot.Options.Add(referenceDir);
var outOption = new Option<string?>("--out") { Description = "Folder for the traces (traces/) and the HTML report (reports/) [default: build]" };
diffBoot.Options.Add(outOption);
diffBoot.SetAction(async (parse, ct) => await Run(() =>
    DiffBootCommand.RunAsync(parse.GetValue(kernelOption)!, parse.GetValue(scenarioOption)!, parse.GetValue(scenariosDir)!,
        parse.GetValue(referenceDir)!, parse.GetValue(originalOption), parse.GetValue(outOption), ct)));
root.Subcommands.Add(diffBoot);

// ---- harness bench ------------------------------------------------------------------------
var runsOption = new Option<int>("--runs") { Description = "Boots to time (the median is reported)", DefaultValueFactory = _ => 5 };
var bench = new Command("bench", "Time unobserved boots of a kernel: QEMU start to the first serial line and to the end of the boot (median of several runs)");
bench.Options.Add(kernelOption);
bench.Options.Add(scenarioOption);
bench.Options.Add(runsOption);
bench.SetAction(async (parse, ct) => await Run(() =>
    BenchCommand.RunAsync(parse.GetValue(kernelOption)!, parse.GetValue(scenarioOption)!, parse.GetValue(scenariosDir)!, parse.GetValue(runsOption), ct)));
root.Subcommands.Add(bench);
root.Subcommands.Add(RecordCommand.Build(scenariosDir));
root.Subcommands.Add(DiffCommand.Build());
root.Subcommands.Add(ReportCommand.Build());
root.Subcommands.Add(GateCommand.Build(scenariosDir));
root.Subcommands.Add(ReferencesCommand.Build(scenariosDir));
foreach (var c in UnicornCommand.Build(scenariosDir)) root.Subcommands.Add(c); // harness/Unicorn, harness/Fuzz

// ---- harness import-references -----------------------------------------------------------
var importFrom = new Option<string>("--from") { Description = "Folder of recordings of the original, one folder per boot (e.g. ../shared/reference)", Required = true };
var importTo = new Option<string>("--to") { Description = "Where the project keeps them", DefaultValueFactory = _ => "traces/reference" };
var import = new Command("import-references", "Copy recordings of the original (observations.jsonl, serial.log, PROVENANCE.md, e820.json) into traces/reference/, each with a SOURCE.md of where it came from and its files' sha256; each is read back as a trace first");
import.Options.Add(importFrom);
import.Options.Add(importTo);
import.SetAction(parse => RunSync(() =>
{
    var from = parse.GetValue(importFrom)!;
    if (!Directory.Exists(from))
        throw new UsageException($"--from {from}: no such folder");
    var table = new Table().AddColumns("scenario", "imported to", "bytes");
    foreach (var result in Harness.Trace.Import.ReferenceImporter.ImportAll(from, parse.GetValue(importTo)!))
        table.AddRow(Markup.Escape(result.Scenario), Markup.Escape(result.Destination), result.TotalBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    AnsiConsole.Write(table);
    return ExitCodes.Ok;
}));
root.Subcommands.Add(import);

return await Invocation.RunAsync(root, args);

static async Task<int> Run(Func<Task<int>> body)
{
    try
    {
        return await body();
    }
    catch (Harness.Observe.ObserverException e)
    {
        Console.Error.WriteLine("harness: " + e.Message);
        return ExitCodes.Aborted;
    }
    catch (Exception e) when (BadInput(e) is { } message)
    {
        Console.Error.WriteLine("harness: " + message);
        return ExitCodes.BadInput;
    }
}

static int RunSync(Func<int> body) => Run(() => Task.FromResult(body())).GetAwaiter().GetResult();

static string? BadInput(Exception e) => e switch
{
    ScenarioException s => s.Message,
    UsageException u => u.Message,
    Harness.Loader.LoaderException l => l.Message,
    Harness.Elf.ElfException elf => elf.Message,
    Harness.Observe.Map.ObservationMapException map => map.Message,
    Harness.Report.ReportInputException report => report.Message,
    Harness.Trace.TraceFormatException trace => trace.Message,
    FileNotFoundException f => f.Message,
    Harness.Trace.OutputPathException o => o.Message,
    _ => null,
};
