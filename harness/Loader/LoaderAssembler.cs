using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;

namespace Harness.Loader;

/// <summary>
/// Builds the loader binary (boot sector + stage two, <see cref="LoaderLayout.LoaderSize"/>
/// bytes) from the nasm sources embedded in this assembly. The result is kept for the
/// life of the process.
/// </summary>
public static class LoaderAssembler
{
    private const string ResourcePrefix = "Harness.Loader.asm.";
    private const string MainSource = "loader.asm";
    private static readonly object Gate = new();
    private static byte[]? cached;

    /// <summary>The nasm executable <see cref="Assemble()"/> runs (looked up on PATH).</summary>
    public const string DefaultNasm = "nasm";

    /// <summary>The assembled loader, built once per process with nasm from PATH; a fresh copy on each call.</summary>
    public static byte[] Assemble()
    {
        lock (Gate)
        {
            cached ??= Assemble(DefaultNasm);
            return (byte[])cached.Clone();
        }
    }

    /// <summary>The embedded sources: file name → text.</summary>
    public static IReadOnlyDictionary<string, string> Sources()
    {
        var assembly = typeof(LoaderAssembler).Assembly;
        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            sources[name[ResourcePrefix.Length..]] = reader.ReadToEnd();
        }
        if (!sources.ContainsKey(MainSource))
            throw new LoaderException($"loader sources missing from {assembly.GetName().Name} (no {MainSource})");
        return sources;
    }

    /// <summary>Assemble the loader now with the given nasm (a name on PATH, or a path); nothing is cached.</summary>
    public static byte[] Assemble(string nasmExecutable)
    {
        var nasm = FindExecutable(nasmExecutable) ?? throw new LoaderException(
            $"cannot assemble the loader: '{nasmExecutable}' not found on PATH; install the Debian package `nasm` (apt-get install nasm)");
        var dir = Path.Combine(Path.GetTempPath(), "harness-loader-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var (name, text) in Sources())
                File.WriteAllText(Path.Combine(dir, name), text);
            var output = Path.Combine(dir, "loader.bin");
            var psi = new ProcessStartInfo(nasm)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = dir,
            };
            foreach (var arg in new[] { "-f", "bin", "-I", dir + Path.DirectorySeparatorChar, "-o", output, Path.Combine(dir, MainSource) })
                psi.ArgumentList.Add(arg);
            using var process = Process.Start(psi) ?? throw new LoaderException($"cannot start {nasm}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            var messages = (stdout.Result + stderr.Result).Trim();
            if (process.ExitCode != 0)
                throw new LoaderException($"nasm failed on the loader (exit {process.ExitCode}): {messages}");
            var bytes = File.ReadAllBytes(output);
            Check(bytes);
            return bytes;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Hex SHA-256 of the assembled loader (for provenance records).</summary>
    public static string Sha256() => Convert.ToHexStringLower(SHA256.HashData(Assemble()));

    private static void Check(byte[] bytes)
    {
        if (bytes.Length != LoaderLayout.LoaderSize)
            throw new LoaderException($"assembled loader is {bytes.Length} bytes, expected {LoaderLayout.LoaderSize}");
        if (bytes[510] != 0x55 || bytes[511] != 0xAA)
            throw new LoaderException("assembled loader has no boot signature");
        var config = bytes.AsSpan(LoaderLayout.ConfigImageOffset);
        if (!config[..8].SequenceEqual(LoaderLayout.Config.Magic)
            || BitConverter.ToUInt32(config[LoaderLayout.Config.VersionOffset..]) != LoaderLayout.Config.Version)
            throw new LoaderException($"assembled loader has no config block at offset 0x{LoaderLayout.ConfigImageOffset:X}");
    }

    internal static string? FindExecutable(string name)
    {
        if (name.Contains(Path.DirectorySeparatorChar))
            return File.Exists(name) ? name : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
