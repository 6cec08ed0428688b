using System.Text;
using Harness.Scenarios;

namespace Harness.Cli;

/// <summary>
/// A scenario that names an initfs folder boots only a kernel built with that folder: the original built with
/// INITFS_FOLDER=FOLDER (its build.rs include_bytes! the files into .rodata, byte for byte) or the port built
/// with `make kernel INITFS=FOLDER` (its generated Kernel.scheme.initfs.Gen holds each file as a string
/// literal: one UTF-16 char per byte). The kernel is only an ELF here: the check is that each file of the
/// folder of at least <see cref="MinFileBytes"/> bytes appears in the ELF's bytes in one of those two forms.
/// </summary>
public static class InitFsCheck
{
    /// <summary>Shorter files prove nothing (a few bytes match anywhere).</summary>
    public const int MinFileBytes = 64;

    /// <summary>The line for the user when the check fails, naming both ways to build the kernel.</summary>
    public static string HowToBuild(string folder) =>
        $"build the port with `make kernel INITFS={folder}`, or the original with " +
        $"`MIRROR=<folder of its git mirrors> INITFS_FOLDER={folder} ../shared/tools/original/build.sh OUTDIR`";

    /// <summary>Throws <see cref="UsageException"/> when the folder is missing or the kernel lacks one of its files.</summary>
    public static void Verify(Scenario scenario, string kernelPath)
    {
        if (scenario.InitFs is not { } folder)
            return;
        if (!Directory.Exists(folder))
            throw new UsageException(
                $"{scenario.SourcePath}: initfs folder {folder} does not exist (the project's programs: `make userspace`)");
        var image = File.ReadAllBytes(kernelPath);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var data = File.ReadAllBytes(file);
            if (data.Length < MinFileBytes)
                continue;
            if (!Contains(image, data))
                throw new UsageException(
                    $"kernel {kernelPath} does not embed scenario {scenario.Name}'s initfs {folder}: " +
                    $"{Path.GetRelativePath(folder, file)} ({data.Length} bytes) is not in it; {HowToBuild(folder)}");
        }
    }

    /// <summary>The scenario has no initfs, or its folder exists and the kernel embeds it.</summary>
    public static bool Embeds(Scenario scenario, string kernelPath)
    {
        try
        {
            Verify(scenario, kernelPath);
            return true;
        }
        catch (UsageException)
        {
            return false;
        }
    }

    /// <summary>The bytes, raw or widened to UTF-16LE (each byte a char), occur in the image.</summary>
    public static bool Contains(ReadOnlySpan<byte> image, ReadOnlySpan<byte> data)
    {
        if (image.IndexOf(data) >= 0)
            return true;
        var wide = new byte[data.Length * 2];
        for (var i = 0; i < data.Length; i++)
            wide[2 * i] = data[i];
        return image.IndexOf(wide) >= 0;
    }
}
