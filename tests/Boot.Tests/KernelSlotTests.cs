using Harness.Cli;
using Harness.Scenarios;

namespace Boot.Tests;

/// <summary><c>kernel_slot = "original"</c> made concrete for a comparison: the live original's size, else its reference's kernel_size.</summary>
public class KernelSlotTests
{
    private static Scenario Q35_2g => ScenarioLoader.Load(Path.Combine(Repo.Scenarios, "q35-2g.toml"));

    private static string References => Path.Combine(Repo.Root, "traces", "reference");

    [Fact]
    public void Without_an_original_the_slot_is_the_kernel_size_the_reference_was_recorded_with()
    {
        var reference = Harness.Trace.TraceReader.Read(Path.Combine(References, "q35-2g"));
        var s = BootPlan.ForComparison(Q35_2g, null, References);
        Assert.Equal(reference.Header.Args!.KernelSize, s.Boot.KernelSlot);
        Assert.Equal(reference.Header.KernelSlot, s.Boot.KernelSlot);
    }

    [Fact]
    public void With_a_live_original_the_slot_is_its_file_size()
    {
        var elf = Path.Combine(Path.GetTempPath(), $"original-{Guid.NewGuid():N}.elf");
        File.WriteAllBytes(elf, new byte[0xF3380]);
        try
        {
            Assert.Equal(0xF3380UL, BootPlan.ForComparison(Q35_2g, elf, References).Boot.KernelSlot);
        }
        finally
        {
            File.Delete(elf);
        }
    }

    [Fact]
    public void A_fixed_slot_is_left_alone_and_a_missing_source_of_the_size_is_named()
    {
        var slot4m = ScenarioLoader.Load(Path.Combine(Repo.Scenarios, "q35-2g-slot4m.toml"));
        Assert.Same(slot4m, BootPlan.ForComparison(slot4m, null, References));

        var noReference = Q35_2g with { Reference = null };
        var e = Assert.Throws<UsageException>(() => BootPlan.ForComparison(noReference, null, References));
        Assert.Contains("kernel_slot = \"original\" but no reference and no original kernel", e.Message);

        var e2 = Assert.Throws<UsageException>(() => BootPlan.ForComparison(Q35_2g, "/no/such/original.elf", References));
        Assert.Contains("/no/such/original.elf does not exist", e2.Message);

        var empty = Directory.CreateTempSubdirectory("no-references-").FullName;
        try
        {
            var e3 = Assert.Throws<UsageException>(() => BootPlan.ForComparison(Q35_2g, null, empty));
            Assert.Contains("q35-2g", e3.Message);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
