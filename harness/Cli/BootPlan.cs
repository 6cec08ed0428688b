using Harness.Loader;
using Harness.Qemu;
using Harness.Scenarios;
using BootSpec = Harness.Scenarios.BootSpec;

namespace Harness.Cli;

/// <summary>
/// Turns a scenario and a kernel into what the loader and QEMU stages take. The only place
/// that knows both the scenario schema and the downstream stages' inputs.
/// </summary>
public sealed record BootPlan(Scenario Scenario, string KernelPath, LoaderConfig Loader, QemuOptions Qemu, string WorkDirectory)
{
    /// <summary>Where the scenario files live, relative to the repository root.</summary>
    public const string ScenarioDirectory = "traces/scenarios";

    /// <summary>How long a silent COM1 ends an initfs scenario's unobserved boot as BootOutcome.Idle.</summary>
    public static readonly TimeSpan InitFsQuietEnd = TimeSpan.FromSeconds(15);

    /// <summary>kmain's first line (both kernels): the idle silence counts from there.</summary>
    public const string KmainFirstLine = "BSP: ";

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

    /// <summary>
    /// <paramref name="scenario"/> with <c>kernel_slot = "original"</c> made concrete for a comparison: the size of the
    /// live original ELF when one is given, else the <c>kernel_size</c> its reference recording (under
    /// <paramref name="referenceDirectory"/>) was booted with. Both kernels are then booted with that slot.
    /// </summary>
    public static Scenario ForComparison(Scenario scenario, string? originalKernel, string referenceDirectory)
    {
        if (!scenario.Boot.SlotFollowsOriginal || scenario.Boot.KernelSlot is not null) return scenario;
        if (originalKernel is not null)
            return File.Exists(originalKernel)
                ? scenario.WithOriginalSize((ulong)new FileInfo(originalKernel).Length)
                : throw new UsageException($"original kernel {originalKernel} does not exist");
        if (scenario.Reference is null)
            throw new UsageException($"scenario {scenario.Name} ({scenario.SourcePath}) has kernel_slot = \"original\" but no reference and no original kernel to take the size from");
        var path = Path.Combine(referenceDirectory, scenario.Reference);
        Harness.Trace.Trace trace;
        try { trace = Harness.Trace.TraceReader.Read(path); }
        catch (Harness.Trace.TraceFormatException e) { throw new UsageException($"scenario {scenario.Name} has kernel_slot = \"original\": {e.Message}"); }
        return trace.Header.Args is { } args
            ? scenario.WithOriginalSize(args.KernelSize)
            : throw new UsageException($"scenario {scenario.Name} has kernel_slot = \"original\", but the header of {path} has no kernel args (kernel_size)");
    }

    /// <summary>How many times the scenario's time limit an observed boot of the original gets (it makes ~3 stops per event).</summary>
    public const int OriginalTimeoutFactor = 3;

    /// <summary><paramref name="scenario"/> with the time limit of an observed boot of the original: <see cref="OriginalTimeoutFactor"/> × its own.</summary>
    public static Scenario ForOriginal(Scenario scenario) => scenario with
    {
        Boot = scenario.Boot with { TimeoutSeconds = Math.Min(scenario.Boot.TimeoutSeconds * OriginalTimeoutFactor, BootSpec.MaxTimeoutSeconds) },
    };

    /// <summary>Builds the disk image for <paramref name="kernelPath"/> under <paramref name="scenario"/> in a fresh work directory.</summary>
    public static BootPlan Prepare(Scenario scenario, string kernelPath, string? workDirectory = null, GdbEndpoint? gdb = null, bool paused = false)
    {
        if (!File.Exists(kernelPath))
            throw new UsageException($"kernel {kernelPath} does not exist (build the port with `make kernel`)");
        // An x86-64 ELF with its symbol table: the observer needs the symbols, and a kernel
        // without them is refused before anything boots (ElfException names the file).
        var elf = Harness.Elf.ElfImage.Load(kernelPath, requireSymbols: true);
        CheckIsKernel(elf, kernelPath);
        // A scenario with an initfs needs a kernel built with that folder.
        InitFsCheck.Verify(scenario, kernelPath);
        var fileSize = (ulong)new FileInfo(kernelPath).Length;
        var loaded = scenario.Boot.KernelSlot ?? fileSize;
        if (BootSpec.KernelBase + loaded > scenario.Machine.LowMemoryBytes)
            throw new UsageException(
                $"kernel {kernelPath} ({(scenario.Boot.KernelSlot is null ? "" : "slot ")}0x{loaded:x} bytes, loaded at 0x{BootSpec.KernelBase:x}) does not fit in " +
                $"scenario {scenario.Name}'s {scenario.Machine.MemoryMib} MiB ({scenario.SourcePath}: machine.memory_mib): nothing was booted");
        var work = workDirectory ?? WorkFolder.Create(scenario.Name);
        Directory.CreateDirectory(work);

        // kernel_slot = "original" not made concrete by a comparison: a kernel booted on its own gets its own size.
        scenario = scenario.WithOriginalSize((ulong)new FileInfo(kernelPath).Length);
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
        DiskImage image;
        try
        {
            image = DiskImageBuilder.Build(loader, Path.Combine(work, "disk.img"));
        }
        catch
        {
            if (workDirectory is null) WorkFolder.Delete(work);
            throw;
        }
        var qemu = new QemuOptions
        {
            DiskImage = image.Path,
            Machine = scenario.Machine.Type,
            MemoryMiB = scenario.Machine.MemoryMib,
            Cpus = scenario.Machine.Cpus,
            Vga = scenario.Machine.Vga,
            Timeout = TimeSpan.FromSeconds(scenario.Boot.TimeoutSeconds),
            // A boot that runs processes may end with none left to run: the idle loop, seen as a silent COM1
            // (not under the observer, whose breakpoints also silence it).
            QuietEnd = scenario.InitFs is not null && gdb is null ? InitFsQuietEnd : null,
            QuietAfter = KmainFirstLine,
            Gdb = gdb,
            StartPaused = paused,
            WorkDirectory = work,
        };
        return new BootPlan(scenario, kernelPath, loader, qemu, work);
    }

    /// <summary>The symbol both kernels (the original and the port) start at.</summary>
    public const string EntrySymbol = "kstart";

    /// <summary>
    /// Refuses an ELF that is not a kernel the loader can start: not an executable (ET_EXEC), one that asks for
    /// an interpreter (a userland program), or one without <see cref="EntrySymbol"/>.
    /// </summary>
    public static void CheckIsKernel(Harness.Elf.ElfImage elf, string kernelPath)
    {
        const ushort executable = 2; // ET_EXEC
        const uint interpreter = 3;  // PT_INTERP
        if (elf.Segments.Any(s => s.Type == interpreter))
            throw new UsageException($"{kernelPath} is not a kernel: it asks for a program interpreter (PT_INTERP), as a userland program does");
        if (elf.FileType != executable)
            throw new UsageException($"{kernelPath} is not a kernel: its ELF type is {elf.FileType} ({(elf.FileType == 3 ? "ET_DYN, a shared object or position-independent program" : "not ET_EXEC")}); a kernel is an ET_EXEC file");
        if (elf.Lookup(EntrySymbol) is null)
            throw new UsageException($"{kernelPath} is not a kernel: it has no '{EntrySymbol}' symbol, where the kernels this harness boots start");
    }
}

/// <summary>Bad input from the command line: printed as is, exit status 2.</summary>
public sealed class UsageException(string message) : Exception(message);
