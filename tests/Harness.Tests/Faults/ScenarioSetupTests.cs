using Harness.Scenarios;
using Harness.Tests.Trace;

namespace Harness.Tests.Faults;

/// <summary>Issue 12, item 5: scenarios whose kernel cannot be loaded are refused at load, naming file and line.</summary>
public class ScenarioSetupTests
{
    private static ScenarioException Refused(string toml)
    {
        using var dir = new TempDir();
        var path = dir.File("t.toml");
        File.WriteAllText(path, toml);
        return Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path));
    }

    [Fact]
    public void A_machine_with_no_memory_above_1_MiB_is_refused()
    {
        var e = Refused("name = \"t\"\n[machine]\nmemory_mib = 1\n");
        Assert.Equal(3, e.First.Line);
        Assert.Contains("memory_mib 1", e.First.Text);
    }

    [Theory]
    [InlineData("q35", 65536, "0xFFF00000")]
    [InlineData("q35", 4096, "0x80000000")]
    [InlineData("pc", 8192, "0xC0000000")]
    public void A_kernel_slot_past_the_RAM_below_the_PCI_hole_is_refused(string machine, int mib, string slot)
    {
        var e = Refused($"name = \"t\"\n[machine]\ntype = \"{machine}\"\nmemory_mib = {mib}\n[boot]\nkernel_slot = {slot}\n");
        Assert.Equal(6, e.First.Line);
        Assert.Contains("PCI hole", e.First.Text);
    }

    [Theory]
    [InlineData("q35", 2048, "0x7FF00000")]
    [InlineData("q35", 4096, "0x7FF00000")]
    [InlineData("pc", 3000, "0xBB700000")]
    public void A_kernel_slot_that_ends_in_low_RAM_is_accepted(string machine, int mib, string slot)
    {
        using var dir = new TempDir();
        var path = dir.File("t.toml");
        File.WriteAllText(path, $"name = \"t\"\n[machine]\ntype = \"{machine}\"\nmemory_mib = {mib}\n[boot]\nkernel_slot = {slot}\n");
        Assert.NotNull(ScenarioLoader.Load(path).Boot.KernelSlot);
    }
}
