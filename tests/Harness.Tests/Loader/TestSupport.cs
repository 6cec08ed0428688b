using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Harness.Loader;
using Harness.Qemu;

namespace Harness.Tests.Loader;

/// <summary>Builds the test kernels of tests/testdata/kernels (nasm + ld), once per test run.</summary>
internal static class TestKernels
{
    private static readonly string OutputDir = Path.Combine(
        Path.GetTempPath(), $"harness-test-kernels-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Built = new();

    static TestKernels()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(OutputDir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
    }

    public static string SourceDir { get; } = FindSourceDir();

    /// <summary>The linked ELF of tests/testdata/kernels/<paramref name="name"/>.asm.</summary>
    public static byte[] Bytes(string name) =>
        Built.GetOrAdd(name, n => new Lazy<byte[]>(() => BuildNow(n))).Value;

    public static KernelFile File(string name) => new($"{name}.elf", Bytes(name));

    public static LoaderConfig Config(string name) => new() { Kernel = File(name) };

    private static string FindSourceDir([CallerFilePath] string thisFile = "")
    {
        var dir = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "testdata", "kernels"));
        if (!System.IO.File.Exists(Path.Combine(dir, "kernel.ld")))
            throw new InvalidOperationException($"test kernel sources not found at {dir}");
        return dir;
    }

    private static byte[] BuildNow(string name)
    {
        Directory.CreateDirectory(OutputDir);
        var source = Path.Combine(SourceDir, name + ".asm");
        var obj = Path.Combine(OutputDir, name + ".o");
        var elf = Path.Combine(OutputDir, name + ".elf");
        Run("nasm", "-f", "elf64", "-I", SourceDir + Path.DirectorySeparatorChar, "-o", obj, source);
        Run("ld", "-T", Path.Combine(SourceDir, "kernel.ld"), "-nostdlib", "-static",
            "-z", "max-page-size=0x1000", "-z", "noseparate-code", "--no-warn-rwx-segments", "-o", elf, obj);
        return System.IO.File.ReadAllBytes(elf);
    }

    private static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is needed to build the test kernels (Debian: nasm, binutils): {e.Message}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {stdout.Result}{stderr.Result}");
        }
    }
}

/// <summary>A fresh temporary folder, removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "harness-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Builds a disk image and boots it under QEMU.</summary>
internal static class Boot
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<BootOutcome> RunAsync(
        LoaderConfig config,
        Func<QemuOptions, QemuOptions>? adjust = null,
        Action<string>? onSerialLine = null,
        CancellationToken cancellationToken = default)
    {
        using var dir = new TempDir();
        var image = DiskImageBuilder.Build(config, dir.File("disk.img"));
        var options = new QemuOptions
        {
            DiskImage = image.Path,
            Timeout = DefaultTimeout,
            WorkDirectory = dir.File("run"),
        };
        if (adjust is not null)
            options = adjust(options);
        return await QemuRunner.RunAsync(options, onSerialLine, cancellationToken);
    }

    /// <summary>Boot the probe kernel and read its report.</summary>
    public static async Task<ProbeReport> ProbeAsync(LoaderConfig config, Func<QemuOptions, QemuOptions>? adjust = null) =>
        ProbeReport.From(await RunAsync(config, adjust));
}

/// <summary>What probe.asm printed: key=hex values, the E820 entries, the environment bytes.</summary>
internal sealed record ProbeReport(
    IReadOnlyDictionary<string, string> Values,
    IReadOnlyList<E820Entry> E820,
    byte[] Environment,
    BootOutcome Outcome)
{
    public const int ExitCode = 0x10;

    public ulong this[string key] => Values.TryGetValue(key, out var value)
        ? ulong.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : throw new KeyNotFoundException($"probe printed no '{key}'");

    public static ProbeReport From(BootOutcome outcome, int exitCode = ExitCode, string doneLine = "probe: done")
    {
        var text = outcome.Transcript.SerialText;
        if (outcome is not BootOutcome.ExitedClean { Code: var code } || code != exitCode || !text.Contains(doneLine, StringComparison.Ordinal))
            Assert.Fail($"the test kernel did not finish: {outcome.Describe()}\n--- serial ---\n{text}\n--- debugcon ---\n{outcome.Transcript.Debugcon}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var e820 = new List<E820Entry>();
        byte[] env = [];
        foreach (var line in text.Split('\n'))
        {
            var eq = line.IndexOf('=');
            if (eq < 0)
                continue;
            var key = line[..eq];
            var value = line[(eq + 1)..].Trim();
            switch (key)
            {
                case "e820":
                    var f = value.Split(' ');
                    e820.Add(new E820Entry(Hex(f[0]), Hex(f[1]), (uint)Hex(f[2]), (uint)Hex(f[3])));
                    break;
                case "env":
                    env = Convert.FromHexString(value);
                    break;
                default:
                    values[key] = value;
                    break;
            }
        }
        return new ProbeReport(values, e820, env, outcome);
    }

    private static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
