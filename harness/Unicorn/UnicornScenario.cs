using Harness.Scenarios;

namespace Harness.Unicorn;

/// <summary>A scenario's inputs for the in-process runner: its machine's firmware capture, slot, environment and E820 map.</summary>
public static class UnicornScenario
{
    /// <summary>A machine for <paramref name="kernel"/> set up as the scenario's loader would leave it, and the options of its run.</summary>
    public static (UnicornMachine Machine, UnicornRunOptions Options) Prepare(UnicornKernel kernel, Scenario scenario,
        string? stopAt = "heap_done", string? firmwareDirectory = null)
    {
        var firmware = Firmware.For(scenario, firmwareDirectory);
        var machine = new UnicornMachine(kernel, firmware, scenario.Boot.KernelSlot, scenario.Boot.EnvBytes);
        return (machine, new UnicornRunOptions { Scenario = scenario.Name, E820 = E820Of(scenario, firmware), StopAt = stopAt });
    }

    /// <summary>What the loader stores at 0x500: the scenario's explicit map, or the BIOS's from the capture.</summary>
    public static IReadOnlyList<E820Area> E820Of(Scenario scenario, Firmware firmware) =>
        scenario.E820.Source == E820Source.Explicit ? scenario.E820.Areas : firmware.BiosE820;
}
