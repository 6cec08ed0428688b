using Harness.Cli;
using Harness.Scenarios;

namespace Boot.Tests;

/// <summary>harness/Cli/InitFsCheck: a scenario's initfs folder against the kernel ELF's bytes (no QEMU).</summary>
public sealed class InitFsCheckTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("initfs-check-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private Scenario WithInitFs(string? folder) =>
        new Scenario("t", "", null, Path.Combine(dir, "t.toml"), MachineSpec.Default,
            new BootSpec(null, BootSpec.DefaultVbe, "", 30), E820Spec.Bios) { InitFs = folder };

    /// <summary>n pseudo-random bytes (a fixed seed): no file's bytes occur inside another's.</summary>
    private static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private string Folder(params (string Name, byte[] Data)[] files)
    {
        var folder = Path.Combine(dir, "fs");
        foreach (var (name, data) in files)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, data);
        }
        return folder;
    }

    private string Kernel(params byte[][] parts)
    {
        var path = Path.Combine(dir, "kernel.elf");
        File.WriteAllBytes(path, [.. Bytes(100, 1), .. parts.SelectMany(p => p), .. Bytes(100, 2)]);
        return path;
    }

    private static byte[] Wide(byte[] data) => data.SelectMany(b => new[] { b, (byte)0 }).ToArray();

    [Fact]
    public void No_initfs_needs_nothing()
    {
        InitFsCheck.Verify(WithInitFs(null), Kernel());
        Assert.True(InitFsCheck.Embeds(WithInitFs(null), Kernel()));
    }

    [Fact]
    public void The_original_embeds_files_raw_and_the_port_as_one_utf16_char_per_byte()
    {
        var init = Bytes(300, 3);
        var other = Bytes(80, 4);
        var folder = Folder(("bin/init", init), ("etc/x", other), ("tiny", [1, 2, 3]));
        InitFsCheck.Verify(WithInitFs(folder), Kernel(init, other));             // the original's include_bytes!
        InitFsCheck.Verify(WithInitFs(folder), Kernel(Wide(init), Wide(other))); // the port's Gen literals
    }

    [Fact]
    public void A_kernel_without_a_file_is_refused_naming_it_and_how_to_build()
    {
        var init = Bytes(300, 3);
        var folder = Folder(("bin/init", init), ("etc/x", Bytes(80, 4)));
        var e = Assert.Throws<UsageException>(() => InitFsCheck.Verify(WithInitFs(folder), Kernel(init)));
        Assert.Contains("etc/x (80 bytes) is not in it", e.Message);
        Assert.Contains($"make kernel INITFS={folder}", e.Message);
        Assert.Contains($"INITFS_FOLDER={folder}", e.Message);
        Assert.False(InitFsCheck.Embeds(WithInitFs(folder), Kernel(init)));
    }

    [Fact]
    public void A_missing_folder_says_make_userspace()
    {
        var missing = Path.Combine(dir, "nowhere");
        var e = Assert.Throws<UsageException>(() => InitFsCheck.Verify(WithInitFs(missing), Kernel()));
        Assert.Contains($"initfs folder {missing} does not exist", e.Message);
        Assert.Contains("make userspace", e.Message);
    }

    [Fact]
    public void Contains_finds_raw_and_widened_bytes_only()
    {
        byte[] data = [9, 8, 7, 6];
        Assert.True(InitFsCheck.Contains([0, 9, 8, 7, 6, 0], data));
        Assert.True(InitFsCheck.Contains([0, 9, 0, 8, 0, 7, 0, 6, 0], data));
        Assert.False(InitFsCheck.Contains([9, 8, 7, 5, 9, 0, 8, 0, 7, 0], data));
    }
}
