using Harness.Cli;
using Harness.Qemu;

namespace Boot.Tests;

/// <summary>The port booted under real QEMU from the project's loader, compared with what the original printed.</summary>
public class PortBootTests
{
    private static async Task<BootCommand.Result> Boot(string scenario)
    {
        // Booted as it is compared: kernel_slot = "original" (q35-2g) is the kernel_size its reference was recorded with.
        var s = BootPlan.ForComparison(BootPlan.FindScenario(scenario, Repo.Scenarios), null, Path.Combine(Repo.Root, "traces", "reference"));
        var plan = BootPlan.Prepare(s, Repo.Kernel);
        try
        {
            return await BootCommand.RunAsync(plan, null, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(plan.WorkDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Port_prints_the_originals_first_lines_on_q35_2g_slot4m()
    {
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "q35-2g-slot4m.serial-prefix.txt"));
        Assert.Equal(12, expected.Length);
        Assert.Equal("Kernel: 100000:500000", expected[0]);

        var result = await Boot("q35-2g-slot4m");

        // With the empty initfs the port, like the original, ends in the init panic (src/lib.rs:142).
        Assert.True(result.Outcome is BootOutcome.Panic, result.Outcome.Describe());
        Assert.Equal(expected, result.Serial.Take(expected.Length));
    }

    /// <summary>No free frame above the kernel slot: the original panics in paging::init, and so must the port — never a hang, never a pass.</summary>
    [Fact]
    public async Task No_free_frame_above_the_kernel_panics_in_paging_init_as_the_original()
    {
        var result = await Boot("no-free-above-kernel");
        var panic = Assert.IsType<BootOutcome.Panic>(result.Outcome);
        Assert.Equal("PANIC: no more frames in paging::init new_table", panic.Line);
        Assert.Contains("FILE: src/arch/x86_64/paging/mod.rs", result.Serial);
        Assert.Contains("LINE: 116", result.Serial);
        Assert.Equal("HALT", result.Serial[^1]);
    }

    /// <summary>Free memory ends at 0x800000: the heap growth for graphical debug's offscreen buffer runs out of frames, as in the original.</summary>
    [Fact]
    public async Task Out_of_frames_during_a_heap_growth_panics_as_the_original()
    {
        var result = await Boot("out-of-frames-heap");
        var panic = Assert.IsType<BootOutcome.Panic>(result.Outcome);
        Assert.Equal("PANIC: out of frames", panic.Line);
        Assert.Contains("FILE: src/arch/x86_64/paging/mapper.rs", result.Serial);
        Assert.Contains("LINE: 117", result.Serial);
        Assert.Equal("Starting graphical debug", result.Serial[result.Serial.ToList().IndexOf("PANIC: out of frames") - 1]);
        Assert.Equal("HALT", result.Serial[^1]);
    }

    [Fact]
    public async Task Without_a_slot_the_port_reports_its_own_file_size()
    {
        var size = new FileInfo(Repo.Kernel).Length;
        var dir = Directory.CreateTempSubdirectory("noslot-").FullName;
        try
        {
            var scenario = Path.Combine(dir, "no-slot.toml");
            File.WriteAllText(scenario, "name = \"no-slot\"\n");
            var plan = BootPlan.Prepare(BootPlan.FindScenario(scenario, Repo.Scenarios), Repo.Kernel);
            var result = await BootCommand.RunAsync(plan, null, CancellationToken.None);
            Directory.Delete(plan.WorkDirectory, recursive: true);
            Assert.True(result.Outcome is BootOutcome.Panic, result.Outcome.Describe()); // the init panic, as the original's
            Assert.Equal($"Kernel: 100000:{0x100000 + size:X}", result.Serial[0]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Every scenario recorded from the original: what the port prints is, line for line, the
    /// beginning of what the original printed (the port ends earlier than the original for now).
    /// </summary>
    [Theory]
    [InlineData("q35-2g")]
    [InlineData("q35-2g-slot4m")]
    [InlineData("q35-2g-smp4")]
    [InlineData("q35-512m")]
    [InlineData("q35-128m")]
    [InlineData("q35-32m")]
    [InlineData("q35-2g-800x600")]
    [InlineData("q35-2g-novga")]
    [InlineData("seed-2018")]
    [InlineData("zero-length-wrap")]
    [InlineData("hole-above-kernel")]
    [InlineData("out-of-frames-heap")]
    [InlineData("no-free-above-kernel")]
    [InlineData("e820-512th-entry")]
    public async Task Port_serial_log_is_a_prefix_of_the_originals(string scenario)
    {
        var expected = Harness.Trace.TraceReader.Read(Repo.Reference(scenario)).Serial.Bytes is var bytes && bytes.Length > 0
            ? SerialLog.Lines(bytes)
            : throw new Xunit.Sdk.XunitException($"the reference {Repo.Reference(scenario)} recorded no serial output");
        var result = await Boot(scenario);

        Assert.True(result.Outcome is BootOutcome.ExitedClean or BootOutcome.Panic, result.Outcome.Describe());
        Assert.True(result.Serial.Count >= 3, "the port printed fewer than 3 lines");
        var comparison = SerialLog.Compare(expected, result.Serial);
        Assert.True(comparison.FirstDivergence is null,
            $"{scenario}: {comparison.Describe()}: original '{comparison.FirstDivergence?.Expected}', port '{comparison.FirstDivergence?.Actual}'");
    }
}
