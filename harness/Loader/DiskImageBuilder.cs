using System.Buffers.Binary;

namespace Harness.Loader;

/// <summary>What <see cref="DiskImageBuilder"/> wrote.</summary>
public sealed record DiskImage(
    string Path,
    long Size,
    uint KernelLba,
    uint KernelSectors,
    ulong KernelFileSize,
    ulong KernelSizeReported);

/// <summary>
/// Lays out a bootable raw disk: the loader (boot sector and stage two with its
/// config block filled in), then the kernel, then zeros up to at least 4 MiB.
/// See harness/Loader/README.md for the layout.
/// </summary>
public static class DiskImageBuilder
{
    private const ushort MachineX8664 = 0x3E;

    /// <summary>Build the image and write it to <paramref name="outputPath"/> (replacing it atomically).</summary>
    public static DiskImage Build(LoaderConfig config, string outputPath)
    {
        var (bytes, image) = BuildBytes(config);
        var full = System.IO.Path.GetFullPath(outputPath);
        var dir = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
        return image with { Path = full };
    }

    /// <summary>Build the image in memory; the returned record's Path is empty.</summary>
    public static (byte[] Bytes, DiskImage Image) BuildBytes(LoaderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var kernel = config.Kernel.Bytes.Span;
        var name = config.Kernel.Name;
        ValidateElf(kernel, name);

        var fileSize = (ulong)kernel.Length;
        var loadBytes = fileSize;
        if (config.KernelSlot is { } slot)
        {
            if (slot < fileSize)
                throw new LoaderException($"kernel {name}: slot 0x{slot:X} is smaller than the file (0x{fileSize:X} bytes)");
            loadBytes = slot;
        }
        var sectors = (loadBytes + LoaderLayout.SectorSize - 1) / LoaderLayout.SectorSize;
        if (sectors > uint.MaxValue - LoaderLayout.KernelLba)
            throw new LoaderException($"kernel {name}: 0x{loadBytes:X} bytes is more than the loader can read");

        var env = config.Environment.Span;
        if (env.Length > LoaderLayout.EnvironmentMax)
            throw new LoaderException($"environment block is {env.Length} bytes; the loader takes at most {LoaderLayout.EnvironmentMax}");

        var map = config.MemoryMap;
        if (map is { Count: > LoaderLayout.E820MaxEntries })
            throw new LoaderException($"explicit E820 map has {map.Count} entries; 0x500..0x5000 holds at most {LoaderLayout.E820MaxEntries}");

        if (config.Vbe is { } vbe && (vbe.Width == 0 || vbe.Height == 0))
            throw new LoaderException($"VBE resolution {vbe.Width}x{vbe.Height} has a zero side; use no VBE instead");

        var kernelEnd = LoaderLayout.KernelImageOffset + (long)sectors * LoaderLayout.SectorSize;
        var imageSize = Math.Max(LoaderLayout.MinimumImageSize, kernelEnd);
        imageSize = (imageSize + LoaderLayout.SectorSize - 1) / LoaderLayout.SectorSize * LoaderLayout.SectorSize;
        if (imageSize > Array.MaxLength)
            throw new LoaderException($"kernel {name}: disk image of {imageSize} bytes is too large");

        var bytes = new byte[imageSize];
        LoaderAssembler.Assemble().CopyTo(bytes, 0);
        kernel.CopyTo(bytes.AsSpan(LoaderLayout.KernelImageOffset));

        var block = bytes.AsSpan(LoaderLayout.ConfigImageOffset, LoaderLayout.ConfigSize);
        uint flags = 0;
        if (config.Vbe is { } mode)
        {
            flags |= LoaderLayout.Config.FlagVbe;
            BinaryPrimitives.WriteUInt16LittleEndian(block[LoaderLayout.Config.VbeXOffset..], mode.Width);
            BinaryPrimitives.WriteUInt16LittleEndian(block[LoaderLayout.Config.VbeYOffset..], mode.Height);
        }
        if (map is not null)
        {
            flags |= LoaderLayout.Config.FlagExplicitE820;
            BinaryPrimitives.WriteUInt32LittleEndian(block[LoaderLayout.Config.E820CountOffset..], (uint)map.Count);
            var entries = block[LoaderLayout.Config.E820Offset..];
            for (var i = 0; i < map.Count; i++)
            {
                var entry = entries.Slice(i * LoaderLayout.E820EntrySize, LoaderLayout.E820EntrySize);
                BinaryPrimitives.WriteUInt64LittleEndian(entry, map[i].Base);
                BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], map[i].Length);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], map[i].Type);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], map[i].Acpi);
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(block[LoaderLayout.Config.FlagsOffset..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(block[LoaderLayout.Config.KernelLbaOffset..], LoaderLayout.KernelLba);
        BinaryPrimitives.WriteUInt32LittleEndian(block[LoaderLayout.Config.KernelSectorsOffset..], (uint)sectors);
        BinaryPrimitives.WriteUInt64LittleEndian(block[LoaderLayout.Config.KernelSizeOffset..], loadBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(block[LoaderLayout.Config.EnvSizeOffset..], (uint)env.Length);
        env.CopyTo(block[LoaderLayout.Config.EnvOffset..]);

        return (bytes, new DiskImage("", imageSize, LoaderLayout.KernelLba, (uint)sectors, fileSize, loadBytes));
    }

    private static void ValidateElf(ReadOnlySpan<byte> file, string name)
    {
        if (file.Length < 64 || file[0] != 0x7F || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
            throw new LoaderException($"kernel {name}: not an ELF file");
        if (file[4] != 2 || file[5] != 1)
            throw new LoaderException($"kernel {name}: not a 64-bit little-endian ELF file");
        var machine = BinaryPrimitives.ReadUInt16LittleEndian(file[0x12..]);
        if (machine != MachineX8664)
            throw new LoaderException($"kernel {name}: ELF machine 0x{machine:X}, expected x86-64 (0x3E)");
    }
}
