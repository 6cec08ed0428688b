using Harness.Loader;
using Harness.Qemu;
using Harness.Scenarios;

namespace Harness.Cli;

/// <summary>
/// Turns a scenario and a kernel into what the loader and QEMU stages take. The only place
/// that knows both the scenario schema and the downstream stages' inputs.
/// </summary>
public sealed record BootPlan(Scenario Scenario, string KernelPath, LoaderConfig Loader, QemuOptions Qemu, string WorkDirectory)
{
    /// <summary>Where the scenario files live, relative to the repository root.</summary>
    public const string ScenarioDirectory = "traces/scenarios";

    public static Scenario FindScenario(string nameOrPath, string scenarioDirectory)
    {
        var path = File.Exists(nameOrPath) ? nameOrPath : Path.Combine(scenarioDirectory, nameOrPath + ".toml");
        if (!File.Exists(path))
        {
            var known = Directory.Exists(scenarioDirectory)
                ? string.Join(", ", Directory.GetFiles(scenarioDirectory, "*.toml").Select(Path.GetFileNameWithoutExtension).Order())
                : "(no scenario directory)";
            throw new UsageException($"no scenario '{nameOrPath}': {path} does not exist. Known scenarios: {known}");
        }
        return ScenarioLoader.Load(path);
    }

    /// <summary>Builds the disk image for <paramref name="kernelPath"/> under <paramref name="scenario"/> in a fresh work directory.</summary>
    public static BootPlan Prepare(Scenario scenario, string kernelPath, string? workDirectory = null, GdbEndpoint? gdb = null, bool paused = false)
    {
        if (!File.Exists(kernelPath))
            throw new UsageException($"kernel {kernelPath} does not exist (build the port with `make kernel`)");
        // An x86-64 ELF with its symbol table: the observer needs the symbols, and a kernel
        // without them is refused before anything boots (ElfException names the file).
        Harness.Elf.ElfImage.Load(kernelPath, requireSymbols: true);
        var work = workDirectory ?? Path.Combine(Path.GetTempPath(), $"harness-{scenario.Name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);

        var loader = new LoaderConfig
        {
            Kernel = KernelFile.Read(kernelPath),
            KernelSlot = scenario.Boot.KernelSlot,
            Vbe = scenario.Boot.Vbe is { } v ? new VbeResolution((ushort)v.Width, (ushort)v.Height) : null,
            Environment = scenario.Boot.EnvBytes,
            MemoryMap = scenario.E820.Source == E820Source.Explicit
                ? scenario.E820.Areas.Select(a => new E820Entry(a.Base, a.Length, a.Type, a.Acpi)).ToList()
                : null,
        };
        var image = DiskImageBuilder.Build(loader, Path.Combine(work, "disk.img"));
        var qemu = new QemuOptions
        {
            DiskImage = image.Path,
            Machine = scenario.Machine.Type,
            MemoryMiB = scenario.Machine.MemoryMib,
            Cpus = scenario.Machine.Cpus,
            Vga = scenario.Machine.Vga,
            Timeout = TimeSpan.FromSeconds(scenario.Boot.TimeoutSeconds),
            Gdb = gdb,
            StartPaused = paused,
            WorkDirectory = work,
        };
        return new BootPlan(scenario, kernelPath, loader, qemu, work);
    }
}

/// <summary>Bad input from the command line: printed as is, exit status 2.</summary>
public sealed class UsageException(string message) : Exception(message);
