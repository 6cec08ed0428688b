using Harness.Trace;

namespace Harness.Tests.Trace;

/// <summary>How addresses and 4 KiB pages of a kernel image are classed by its section symbols.</summary>
public class KernelSectionsTests
{
    private const ulong O = 0xffffff0000000000;

    // The rebuild of the original (shared/tools/original): .got/.got.plt (no class) from 0x1C9000, tdata from 0x1C9390.
    private static readonly KernelSections Rebuild = new(new Dictionary<string, ulong>
    {
        ["__text_start"] = O + 0x101000, ["__text_end"] = O + 0x1b6000,
        ["__rodata_start"] = O + 0x1b6000, ["__rodata_end"] = O + 0x1bf000,
        ["__data_start"] = O + 0x1bf000, ["__data_end"] = O + 0x1c4000,
        ["__bss_start"] = O + 0x1c4000, ["__bss_end"] = O + 0x1c9000,
        ["__tdata_start"] = O + 0x1c9390, ["__tdata_end"] = O + 0x1ca000,
        ["__tbss_start"] = O + 0x1ca000, ["__tbss_end"] = O + 0x1cb000,
        ["__end"] = O + 0x1cb000,
    });

    [Fact]
    public void An_address_is_classed_by_the_range_that_holds_it()
    {
        Assert.Equal("bss", Rebuild.Classify(O + 0x1c8fff));
        Assert.Equal("other", Rebuild.Classify(O + 0x1c9000));      // .got
        Assert.Equal("tdata", Rebuild.Classify(O + 0x1c9390));
        Assert.Equal("tbss", Rebuild.Classify(O + 0x1ca000));
        Assert.Equal("other", Rebuild.Classify(O + 0x1cb000));
    }

    [Fact]
    public void A_page_holding_the_start_of_a_section_after_an_unclassed_gap_is_of_that_section()
    {
        Assert.Equal("tdata", Rebuild.ClassifyPage(O + 0x1c9000));
        Assert.Equal("tbss", Rebuild.ClassifyPage(O + 0x1ca000));
    }

    [Fact]
    public void A_page_that_starts_inside_a_section_keeps_its_class_even_when_another_starts_inside_it()
    {
        var s = new KernelSections(new Dictionary<string, ulong>
        {
            ["__text_start"] = O + 0x101000, ["__text_end"] = O + 0x102800,
            ["__rodata_start"] = O + 0x102800, ["__rodata_end"] = O + 0x104000,
        });
        Assert.Equal("text", s.ClassifyPage(O + 0x102000));   // the original maps it by its first byte: text
        Assert.Equal("rodata", s.ClassifyPage(O + 0x103000));
    }

    [Fact]
    public void Pages_outside_every_section_and_without_symbols_are_other()
    {
        Assert.Equal("other", Rebuild.ClassifyPage(O + 0x1cb000));
        Assert.Equal("other", Rebuild.ClassifyPage(O + 0x100000));
        Assert.Equal("other", KernelSections.Empty.ClassifyPage(O + 0x101000));
    }
}
