using System.Diagnostics;

namespace Harness.Tests.Elf;

/// <summary>
/// Builds real ELF test inputs with the machine's GNU binutils (<c>as</c>, <c>ld</c>, <c>strip</c>).
/// A missing tool fails the test with the Debian package to install (binutils).
/// </summary>
internal static class Binutils
{
    public const string DebianPackage = "binutils";

    /// <summary>The full path of <paramref name="tool"/> on <paramref name="pathVariable"/>, or null.</summary>
    public static string? Locate(string tool, string? pathVariable) =>
        (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    public static string MissingMessage(string tool) =>
        $"'{tool}' is not on PATH; the ELF reader's tests build their inputs with it: install the Debian package {DebianPackage} (apt-get install {DebianPackage})";

    /// <summary>Assembles <paramref name="source"/> and links it (with a linker script if given) into <paramref name="directory"/>/<paramref name="name"/>.</summary>
    public static string Build(string directory, string name, string source, string? linkerScript = null, bool thirtyTwoBit = false)
    {
        var sourcePath = Path.Combine(directory, name + ".s");
        var objectPath = Path.Combine(directory, name + ".o");
        var output = Path.Combine(directory, name);
        File.WriteAllText(sourcePath, source);
        Run("as", thirtyTwoBit ? ["--32", sourcePath, "-o", objectPath] : [sourcePath, "-o", objectPath]);
        var link = new List<string>();
        if (thirtyTwoBit)
        {
            link.AddRange(["-m", "elf_i386"]);
        }
        if (linkerScript is not null)
        {
            var scriptPath = Path.Combine(directory, name + ".ld");
            File.WriteAllText(scriptPath, linkerScript);
            link.AddRange(["-T", scriptPath]);
        }
        link.AddRange(["-o", output, objectPath]);
        Run("ld", [.. link]);
        return output;
    }

    /// <summary>A stripped copy of <paramref name="path"/> (no .symtab).</summary>
    public static string Strip(string path, string output)
    {
        Run("strip", ["-o", output, path]);
        return output;
    }

    private static void Run(string tool, string[] arguments)
    {
        var executable = Locate(tool, Environment.GetEnvironmentVariable("PATH"));
        if (executable is null)
        {
            Assert.Fail(MissingMessage(tool));
        }
        var info = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr}");
        }
    }
}
