using Harness.Loader;
using Harness.Observe;
using Harness.Observe.Map;
using Harness.Qemu;
using Harness.Scenarios;
using Harness.Tests.Trace;
using LoaderE820 = Harness.Loader.E820Entry;

namespace Harness.Tests.Observe;

/// <summary>Paths and boot plans for the observer's tests.</summary>
internal static class ObserveFixtures
{
    /// <summary>The port's kernel: $HARNESS_TEST_KERNEL, else build/kernel.elf (built by `make kernel`, which `make test` runs first).</summary>
    public static string PortKernel
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("HARNESS_TEST_KERNEL") is { Length: > 0 } env
                ? env
                : Path.Combine(RepoPaths.Root, "build", "kernel.elf");
            if (!File.Exists(path))
                Assert.Fail($"{path} does not exist: build the port first (`make kernel`), or point HARNESS_TEST_KERNEL at a kernel.elf");
            return path;
        }
    }

    public static string PortMap => Path.Combine(RepoPaths.Root, "csharp-kernel", "observe.toml");

    public static string OriginalMap => Path.Combine(RepoPaths.Root, "redox-0.3.5", "observe.toml");

    public static string ReferenceObservations(string scenario) =>
        Path.Combine(RepoPaths.Root, "..", "shared", "reference", scenario, "observations.jsonl") is var shared && File.Exists(shared)
            ? shared
            : RepoPaths.Reference(scenario);  // the project's own recording (trace.jsonl) when the first ones are not beside the repository

    /// <summary>
    /// What the scenario's boot timeout is multiplied by when a test names none (the gate's --timeout-factor,
    /// as make mutants passes it): an observed boot runs beside the other test projects' QEMUs, and the
    /// scenario's 30 s were seen to run out in ACPI init on a loaded machine. It only bounds a broken boot.
    /// </summary>
    public const int TimeoutFactor = 4;

    /// <summary>
    /// The disk image and QEMU options for <paramref name="kernel"/> under a scenario, with the gdb stub on a unix
    /// socket in <paramref name="work"/> (as harness/Cli's BootPlan builds them).
    /// </summary>
    public static QemuOptions Plan(string scenarioName, string kernel, string work, TimeSpan? timeout = null)
    {
        var scenario = ScenarioLoader.Load(Path.Combine(RepoPaths.Root, "traces", "scenarios", scenarioName + ".toml"));
        var loader = new LoaderConfig
        {
            Kernel = KernelFile.Read(kernel),
            KernelSlot = scenario.Boot.KernelSlot,
            Vbe = scenario.Boot.Vbe is { } v ? new VbeResolution((ushort)v.Width, (ushort)v.Height) : null,
            Environment = scenario.Boot.EnvBytes,
            MemoryMap = scenario.E820.Source == E820Source.Explicit
                ? scenario.E820.Areas.Select(a => new LoaderE820(a.Base, a.Length, a.Type, a.Acpi)).ToList()
                : null,
        };
        var image = DiskImageBuilder.Build(loader, Path.Combine(work, "disk.img"));
        return new QemuOptions
        {
            DiskImage = image.Path,
            Machine = scenario.Machine.Type,
            MemoryMiB = scenario.Machine.MemoryMib,
            Cpus = scenario.Machine.Cpus,
            Vga = scenario.Machine.Vga,
            Timeout = timeout ?? TimeSpan.FromSeconds(scenario.Boot.TimeoutSeconds * TimeoutFactor),
            Gdb = new Harness.Qemu.GdbEndpoint.UnixSocket(Path.Combine(work, "gdb.sock")),
            StartPaused = true,
            WorkDirectory = work,
        };
    }

    public static ObserveRequest Request(string kernel, QemuOptions qemu, string trace, string scenario, Action<ObserveProgress>? progress = null) => new()
    {
        KernelPath = kernel,
        Map = ObservationMapLoader.Load(PortMap),
        Qemu = qemu,
        TracePath = trace,
        Scenario = scenario,
        KernelSlot = 0x400000,
        Progress = progress,
    };

    /// <summary>The pid of the QEMU whose command line names <paramref name="needle"/> (its own gdb socket), or null.</summary>
    public static int? FindQemu(string needle)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("qemu-system", StringComparison.Ordinal) && cmdline.Contains(needle, StringComparison.Ordinal))
                    return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }
}
