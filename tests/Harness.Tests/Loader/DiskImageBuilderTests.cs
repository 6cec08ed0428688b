using System.Buffers.Binary;
using Harness.Loader;

namespace Harness.Tests.Loader;

/// <summary>The image layout and the checks on the inputs, without QEMU.</summary>
public sealed class DiskImageBuilderTests
{
    private const int Config = LoaderLayout.ConfigImageOffset;

    [Fact]
    public void Image_holds_loader_config_and_kernel_and_is_4_MiB()
    {
        var kernel = TestKernels.Bytes("exit");
        var (bytes, image) = DiskImageBuilder.BuildBytes(TestKernels.Config("exit") with
        {
            Environment = "A=1"u8.ToArray(),
            Vbe = new VbeResolution(800, 600),
            MemoryMap = [new E820Entry(0, 0x9FC00, 1), new E820Entry(0x100000, 0x7F00000, 1, 3)],
        });

        Assert.Equal(4L * 1024 * 1024, bytes.Length);
        Assert.Equal(bytes.Length, image.Size);
        Assert.Equal(0x55, bytes[510]);
        Assert.Equal(0xAA, bytes[511]);
        Assert.Equal(56u, image.KernelLba);
        Assert.Equal(kernel, bytes.AsSpan(0x7000, kernel.Length).ToArray());
        Assert.Equal(-1, bytes.AsSpan(0x7000 + kernel.Length).IndexOfAnyExcept((byte)0));

        var block = bytes.AsSpan(Config);
        Assert.True(block[..8].SequenceEqual("HXLDRCFG"u8));
        Assert.Equal(1u, U32(block, 0x08));
        Assert.Equal(3u, U32(block, 0x0C)); // VBE + explicit map
        Assert.Equal(56u, U32(block, 0x10));
        Assert.Equal((uint)((kernel.Length + 511) / 512), U32(block, 0x14));
        Assert.Equal((ulong)kernel.Length, BinaryPrimitives.ReadUInt64LittleEndian(block[0x18..]));
        Assert.Equal(800, BinaryPrimitives.ReadUInt16LittleEndian(block[0x20..]));
        Assert.Equal(600, BinaryPrimitives.ReadUInt16LittleEndian(block[0x22..]));
        Assert.Equal(3u, U32(block, 0x24));
        Assert.True(block.Slice(0x40, 3).SequenceEqual("A=1"u8));
        Assert.Equal(2u, U32(block, 0x28));
        Assert.Equal(0x100000UL, BinaryPrimitives.ReadUInt64LittleEndian(block[(0x1040 + 24)..]));
        Assert.Equal(0x7F00000UL, BinaryPrimitives.ReadUInt64LittleEndian(block[(0x1040 + 32)..]));
        Assert.Equal(1u, U32(block, 0x1040 + 40));
        Assert.Equal(3u, U32(block, 0x1040 + 44));
    }

    [Fact]
    public void Defaults_ask_the_bios_for_the_map_and_set_1024x768()
    {
        var (bytes, _) = DiskImageBuilder.BuildBytes(TestKernels.Config("exit"));
        var block = bytes.AsSpan(Config);

        Assert.Equal(1u, U32(block, 0x0C));
        Assert.Equal(1024, BinaryPrimitives.ReadUInt16LittleEndian(block[0x20..]));
        Assert.Equal(768, BinaryPrimitives.ReadUInt16LittleEndian(block[0x22..]));
        Assert.Equal(0u, U32(block, 0x24));
        Assert.Equal(0u, U32(block, 0x28));
    }

    [Fact]
    public void No_vbe_and_an_empty_explicit_map_are_flags_of_their_own()
    {
        var (bytes, _) = DiskImageBuilder.BuildBytes(TestKernels.Config("exit") with { Vbe = null, MemoryMap = [] });

        Assert.Equal(2u, U32(bytes.AsSpan(Config), 0x0C));
    }

    [Fact]
    public void Slot_pads_the_kernel_and_is_reported()
    {
        var kernel = TestKernels.Bytes("exit");
        var (bytes, image) = DiskImageBuilder.BuildBytes(TestKernels.Config("exit") with { KernelSlot = 0x400000 });

        Assert.Equal(0x400000UL, image.KernelSizeReported);
        Assert.Equal((ulong)kernel.Length, image.KernelFileSize);
        Assert.Equal(0x2000u, image.KernelSectors);
        Assert.Equal(0x7000 + 0x400000, bytes.Length);
        Assert.Equal(0x400000UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(Config + 0x18)));
    }

    [Fact]
    public void Build_writes_the_file()
    {
        using var dir = new TempDir();
        var path = dir.File("sub/disk.img");
        var image = DiskImageBuilder.Build(TestKernels.Config("exit"), path);

        Assert.Equal(Path.GetFullPath(path), image.Path);
        Assert.Equal(image.Size, new FileInfo(path).Length);
        Assert.Single(Directory.GetFiles(dir.File("sub")));
    }

    [Fact]
    public void A_file_that_is_not_elf_is_refused_by_name()
    {
        using var dir = new TempDir();
        var path = dir.File("kernel.txt");
        File.WriteAllText(path, "this is not a kernel, just some text that is long enough to have a header......");

        var e = Assert.Throws<LoaderException>(() => DiskImageBuilder.BuildBytes(new LoaderConfig { Kernel = KernelFile.Read(path) }));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an ELF file", e.Message);
    }

    [Fact]
    public void A_missing_kernel_file_is_named()
    {
        var e = Assert.Throws<LoaderException>(() => KernelFile.Read("/nonexistent/kernel.elf"));
        Assert.Contains("/nonexistent/kernel.elf", e.Message);
    }

    [Fact]
    public void An_elf_for_another_machine_is_refused()
    {
        var kernel = TestKernels.Bytes("exit").ToArray();
        kernel[0x12] = 0x28; // ARM
        var e = Assert.Throws<LoaderException>(() => DiskImageBuilder.BuildBytes(new LoaderConfig { Kernel = new("arm.elf", kernel) }));
        Assert.Contains("arm.elf", e.Message);
        Assert.Contains("x86-64", e.Message);
    }

    [Fact]
    public void A_32_bit_elf_is_refused()
    {
        var kernel = TestKernels.Bytes("exit").ToArray();
        kernel[4] = 1;
        var e = Assert.Throws<LoaderException>(() => DiskImageBuilder.BuildBytes(new LoaderConfig { Kernel = new("k32.elf", kernel) }));
        Assert.Contains("k32.elf", e.Message);
    }

    [Fact]
    public void A_slot_smaller_than_the_file_is_refused()
    {
        var e = Assert.Throws<LoaderException>(() => DiskImageBuilder.BuildBytes(TestKernels.Config("probe") with { KernelSlot = 0x1000 }));
        Assert.Contains("probe.elf", e.Message);
        Assert.Contains("smaller than the file", e.Message);
    }

    /// <summary>Any slot at least the file's size is handed over as kernel_size, e.g. the original's own file size 0xF21E8.</summary>
    [Fact]
    public void A_slot_of_any_size_is_reported_as_kernel_size()
    {
        var (bytes, image) = DiskImageBuilder.BuildBytes(TestKernels.Config("exit") with { KernelSlot = 0xF21E8 });
        Assert.Equal(0xF21E8UL, image.KernelSizeReported);
        Assert.True(image.KernelSectors * 512UL >= 0xF21E8UL);
        Assert.True(bytes.Length >= 4 << 20);
    }

    [Fact]
    public void An_environment_over_4_KiB_is_refused()
    {
        var e = Assert.Throws<LoaderException>(() => DiskImageBuilder.BuildBytes(TestKernels.Config("exit") with { Environment = new byte[4097] }));
        Assert.Contains("4096", e.Message);
    }

    [Fact]
    public void A_map_over_800_entries_is_refused()
    {
        var map = Enumerable.Repeat(new E820Entry(0, 0x1000, 1), 801).ToArray();
        var e = Assert.Throws<LoaderException>(() => DiskImageBuilder.BuildBytes(TestKernels.Config("exit") with { MemoryMap = map }));
        Assert.Contains("800", e.Message);
    }

    [Fact]
    public void A_zero_resolution_is_refused()
    {
        Assert.Throws<LoaderException>(() => DiskImageBuilder.BuildBytes(TestKernels.Config("exit") with { Vbe = new VbeResolution(0, 768) }));
    }

    private static uint U32(ReadOnlySpan<byte> block, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(block[offset..]);
}
