using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Harness.Gdb;

namespace Harness.Tests.Gdb;

/// <summary>
/// One QEMU started for a test: q35, 64 MiB, no devices, stopped at reset (<c>-S</c>),
/// its gdb stub on a free loopback port or a unix socket. Disposing kills this process.
/// </summary>
internal sealed class QemuUnderTest : IAsyncDisposable
{
    public const string Executable = "qemu-system-x86_64";
    public const string DebianPackage = "qemu-system-x86";

    private readonly Process _process;
    private readonly string? _socketDirectory;

    private QemuUnderTest(Process process, GdbEndpoint endpoint, string? socketDirectory)
    {
        _process = process;
        Endpoint = endpoint;
        _socketDirectory = socketDirectory;
    }

    public GdbEndpoint Endpoint { get; }

    public bool HasExited => _process.HasExited;

    public static GdbClientOptions Options { get; } = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        CommandTimeout = TimeSpan.FromSeconds(10),
        ContinueTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>The full path of qemu-system-x86_64 on <paramref name="pathVariable"/>, or null.</summary>
    public static string? Locate(string? pathVariable) =>
        (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, Executable))
            .FirstOrDefault(File.Exists);

    public static string MissingMessage =>
        $"{Executable} is not on PATH; the gdb client's tests need it: install the Debian package {DebianPackage} (apt-get install {DebianPackage})";

    /// <summary>Starts QEMU with its stub on TCP (a free port) or on a unix socket.</summary>
    public static async Task<QemuUnderTest> StartAsync(bool unixSocket = false)
    {
        var qemu = Locate(Environment.GetEnvironmentVariable("PATH"));
        if (qemu is null)
        {
            Assert.Fail(MissingMessage);
        }
        for (var attempt = 0; ; attempt++)
        {
            string? directory = null;
            GdbEndpoint endpoint;
            string gdbOption;
            if (unixSocket)
            {
                directory = Directory.CreateTempSubdirectory("gdbtest-").FullName;
                var path = Path.Combine(directory, "gdb.sock");
                endpoint = GdbEndpoint.Unix(path);
                gdbOption = $"unix:{path},server=on,wait=off";
            }
            else
            {
                var port = FreePort();
                endpoint = GdbEndpoint.Loopback(port);
                gdbOption = $"tcp:127.0.0.1:{port}";
            }
            var process = Start(qemu, gdbOption);
            // A port taken between FreePort and QEMU's bind makes QEMU exit at once: try another.
            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(150));
            if (!process.HasExited)
            {
                return new QemuUnderTest(process, endpoint, directory);
            }
            var stderr = await process.StandardError.ReadToEndAsync();
            process.Dispose();
            if (attempt >= 4 || !stderr.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"QEMU exited at start ({gdbOption}): {stderr}");
            }
        }
    }

    public Task<GdbClient> ConnectAsync(GdbClientOptions? options = null) =>
        GdbClient.ConnectAsync(Endpoint, options ?? Options);

    /// <summary>Kills this QEMU (by its own process handle) and waits for it to go.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
            if (_socketDirectory is not null)
            {
                Directory.Delete(_socketDirectory, recursive: true);
            }
        }
    }

    private static Process Start(string qemu, string gdbOption)
    {
        var info = new ProcessStartInfo(qemu)
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "-machine", "q35", "-m", "64", "-display", "none", "-S", "-no-reboot", "-nodefaults",
                     "-monitor", "none", "-serial", "none", "-gdb", gdbOption,
                 })
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start QEMU");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
