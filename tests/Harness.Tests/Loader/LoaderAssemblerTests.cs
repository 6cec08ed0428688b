using Harness.Loader;

namespace Harness.Tests.Loader;

/// <summary>The assembled loader's fixed addresses, without QEMU.</summary>
public sealed class LoaderAssemblerTests
{
    private static int At(ulong physical) => (int)(physical - LoaderLayout.BootAddress);

    [Fact]
    public void Loader_is_a_boot_sector_and_stage_two_of_the_documented_size()
    {
        var loader = LoaderAssembler.Assemble();

        Assert.Equal(LoaderLayout.LoaderSize, loader.Length);
        Assert.Equal(0x55, loader[510]);
        Assert.Equal(0xAA, loader[511]);
    }

    [Fact]
    public void Trampoline_area_is_512_zero_bytes_at_0x7E00()
    {
        var loader = LoaderAssembler.Assemble();

        Assert.All(loader.AsSpan(At(0x7E00), 512).ToArray(), b => Assert.Equal(0, b));
        Assert.NotEqual(0, loader[At(0x8000)]); // the AP entry follows
    }

    [Fact]
    public void Args_sit_at_0x804E_with_kernel_base_preset()
    {
        var loader = LoaderAssembler.Assemble();

        Assert.Equal(0x100000UL, BitConverter.ToUInt64(loader, At(0x804E)));
        Assert.All(loader.AsSpan(At(0x804E) + 8, 40).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Kernel_call_returns_to_0x87F4()
    {
        var loader = LoaderAssembler.Assemble();

        Assert.Equal(new byte[] { 0xFF, 0x50, 0x18 }, loader.AsSpan(At(0x87F1), 3).ToArray()); // call [rax+0x18]
    }

    [Fact]
    public void Gdt_sits_at_0x8840_with_the_off_by_one_limit()
    {
        var loader = LoaderAssembler.Assemble();

        Assert.Equal(0x19, BitConverter.ToUInt16(loader, At(0x8836)));
        Assert.Equal(0x8840UL, BitConverter.ToUInt64(loader, At(0x8838)));
        Assert.Equal(0UL, BitConverter.ToUInt64(loader, At(0x8840)));
        Assert.Equal(0x0020980000000000UL, BitConverter.ToUInt64(loader, At(0x8848)));
        Assert.Equal(0x0000920000000000UL, BitConverter.ToUInt64(loader, At(0x8850)));
    }

    [Fact]
    public void Sources_are_embedded_and_have_no_binary()
    {
        var sources = LoaderAssembler.Sources();

        Assert.Contains("loader.asm", sources.Keys);
        Assert.Contains("layout.inc", sources.Keys);
        Assert.All(sources.Values, text => Assert.DoesNotContain('\0', text));
    }

    [Fact]
    public void A_missing_nasm_names_the_debian_package()
    {
        var e = Assert.Throws<LoaderException>(() => LoaderAssembler.Assemble("nasm-that-is-not-installed"));
        Assert.Contains("nasm", e.Message);
        Assert.Contains("Debian package `nasm`", e.Message);
    }

    [Fact]
    public void Assembling_twice_gives_the_same_bytes()
    {
        Assert.Equal(LoaderAssembler.Assemble(), LoaderAssembler.Assemble(LoaderAssembler.DefaultNasm));
    }
}
