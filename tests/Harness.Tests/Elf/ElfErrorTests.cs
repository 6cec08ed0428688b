using Harness.Elf;

namespace Harness.Tests.Elf;

/// <summary>Files that are not ELF64 x86-64 images with symbols: each error names the file and the problem.</summary>
public class ElfErrorTests(TestKernelImage images) : IClassFixture<TestKernelImage>
{
    [Fact]
    public void A_text_file_is_not_an_elf()
    {
        var error = Assert.Throws<ElfException>(() => ElfImage.Load(images.TextFile));
        Assert.Equal(images.TextFile, error.File);
        Assert.StartsWith(images.TextFile + ": ", error.Message);
        Assert.Contains("not an ELF file", error.Message);
    }

    [Fact]
    public void A_32_bit_elf_is_the_wrong_class()
    {
        var error = Assert.Throws<ElfException>(() => ElfImage.Load(images.ThirtyTwoBit));
        Assert.Contains(images.ThirtyTwoBit, error.Message);
        Assert.Contains("32-bit", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_reported_as_truncated()
    {
        var table = Assert.Throws<ElfException>(() => ElfImage.Load(images.TruncatedTable));
        Assert.Contains(images.TruncatedTable, table.Message);
        Assert.Contains("truncated", table.Message);
        Assert.Contains("section header table", table.Message);

        var header = Assert.Throws<ElfException>(() => ElfImage.Load(images.TruncatedHeader));
        Assert.Contains("truncated", header.Message);
        Assert.Contains("64-byte", header.Message);
    }

    [Fact]
    public void A_stripped_file_has_no_symbol_table_unless_symbols_are_optional()
    {
        var error = Assert.Throws<ElfException>(() => ElfImage.Load(images.Stripped));
        Assert.Equal($"{images.Stripped}: has no symbol table (stripped?)", error.Message);

        var image = ElfImage.Load(images.Stripped, requireSymbols: false);
        Assert.Empty(image.Symbols);
        Assert.Equal(ElfImage.Load(images.Kernel).Entry, image.Entry);
        Assert.Equal($"0x{image.Entry:x}", image.Symbolize(image.Entry));
    }

    [Fact]
    public void A_wrong_machine_and_a_missing_file_are_named()
    {
        var bytes = File.ReadAllBytes(images.Kernel);
        bytes[18] = 183; // EM_AARCH64
        var machine = Assert.Throws<ElfException>(() => ElfImage.Parse(bytes, "arm.elf"));
        Assert.Equal("arm.elf: is not an x86-64 ELF (e_machine 183; expected 62)", machine.Message);

        var missing = Assert.Throws<ElfException>(() => ElfImage.Load(images.Kernel + ".missing"));
        Assert.Contains("cannot be read", missing.Message);
    }

    [Fact]
    public void Missing_binutils_is_reported_with_its_debian_package()
    {
        Assert.Null(Binutils.Locate("as", ""));
        Assert.Contains("binutils", Binutils.MissingMessage("as"));
    }
}
