using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Harness.Qemu;
using Harness.Tests.Loader;
using Xunit.Abstractions;

namespace Harness.Tests.Qemu;

/// <summary>Every way a run can end, with real QEMU and the test kernels.</summary>
public sealed class QemuRunnerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Isa_debug_exit_ends_the_run_with_its_value_and_streams_com1()
    {
        var lines = new ConcurrentQueue<string>();
        var outcome = await Boot.RunAsync(TestKernels.Config("exit"), onSerialLine: lines.Enqueue);

        var exited = Assert.IsType<BootOutcome.ExitedClean>(outcome);
        Assert.Equal(0x2A, exited.Code);
        Assert.Equal(0x55, exited.QemuStatus);
        Assert.Equal(0x55, outcome.Transcript.ExitStatus);
        Assert.Equal(["exit kernel: hello", "exit kernel: leaving with 0x2a"], lines.ToArray());
        Assert.Equal("exit kernel: hello\nexit kernel: leaving with 0x2a\n", outcome.Transcript.SerialText);
        Assert.NotNull(outcome.Transcript.FirstSerialByte);
        Assert.Equal(QemuRunner.DefaultExecutable, Path.GetFileName(outcome.Transcript.CommandLine[0]));
        output.WriteLine($"QEMU start to first COM1 byte: {outcome.Transcript.FirstSerialByte!.Value.TotalMilliseconds:0} ms; whole run {outcome.Transcript.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_panic_line_ends_the_run_after_the_grace_period()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("panic"), o => o with { PanicGrace = TimeSpan.FromMilliseconds(300) });

        var panic = Assert.IsType<BootOutcome.Panic>(outcome);
        Assert.Equal("PANIC: deliberate test panic", panic.Line);
        Assert.Equal(["FILE: panic.asm", "LINE: 9"], panic.Following);
        Assert.Null(outcome.Transcript.ExitStatus); // the runner stopped QEMU
        // Ended by the panic, not the run's timeout (QEMU's start alone may take seconds on a loaded machine).
        Assert.True(outcome.Transcript.Elapsed < Boot.DefaultTimeout, $"took {outcome.Transcript.Elapsed}");
    }

    [Fact]
    public async Task A_kernel_that_spins_times_out_with_the_serial_tail()
    {
        using var dir = new TempDir();
        var clock = Stopwatch.StartNew();
        var outcome = await Boot.RunAsync(TestKernels.Config("spin"), o => o with
        {
            Timeout = TimeSpan.FromSeconds(2),
            TailLines = 2,
        });
        clock.Stop();

        var timeout = Assert.IsType<BootOutcome.Timeout>(outcome);
        Assert.Equal(TimeSpan.FromSeconds(2), timeout.After);
        Assert.Equal(["spin kernel: line 2", "spin kernel: spinning now"], timeout.LastLines);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"returned after {clock.Elapsed}");
        Assert.True(clock.Elapsed < Boot.DefaultTimeout, $"returned after {clock.Elapsed}");
        Assert.Null(outcome.Transcript.ExitStatus);
    }

    [Fact]
    public async Task A_triple_fault_is_reported_as_such_never_as_a_pass()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("triple"));

        var fault = Assert.IsType<BootOutcome.TripleFault>(outcome);
        Assert.Contains("triple kernel: loading an empty IDT", fault.Detail);
        Assert.DoesNotContain("still alive", outcome.Transcript.SerialText);
    }

    [Fact]
    public async Task A_reset_request_ends_the_run_as_a_reset()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("reset"));

        Assert.IsType<BootOutcome.Reset>(outcome);
        Assert.Equal(0, outcome.Transcript.ExitStatus);
    }

    [Fact]
    public async Task An_ACPI_power_off_ends_the_run_as_a_power_off_never_as_a_reset()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("poweroff"));

        var off = Assert.IsType<BootOutcome.PowerOff>(outcome);
        Assert.Contains("guest's shutdown request", off.Detail);
        Assert.Contains("poweroff kernel: SLP_EN to PM1a_CNT", outcome.Transcript.SerialText);
        Assert.Equal(0, outcome.Transcript.ExitStatus);
    }

    [Fact]
    public async Task A_qemu_that_refuses_its_arguments_died()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("exit"), o => o with { ExtraArgs = ["-no-such-option"] });

        var died = Assert.IsType<BootOutcome.QemuDied>(outcome);
        Assert.Equal(1, died.ExitStatus);
        Assert.Contains("no-such-option", died.Stderr);
    }

    [Fact]
    public async Task Qemu_missing_from_the_path_names_the_debian_package()
    {
        Assert.NotNull(QemuRunner.FindExecutable(QemuRunner.DefaultExecutable));
        var stripped = string.Join(Path.PathSeparator,
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Where(d => !File.Exists(Path.Combine(d, QemuRunner.DefaultExecutable))));

        var outcome = await Boot.RunAsync(TestKernels.Config("exit"), o => o with { SearchPath = stripped });

        var missing = Assert.IsType<BootOutcome.QemuMissing>(outcome);
        Assert.Contains("qemu-system-x86_64", missing.Message);
        Assert.Contains("qemu-system-x86`", missing.Message);
    }

    [Fact]
    public async Task Cancelling_stops_qemu_and_throws()
    {
        using var dir = new TempDir();
        var image = Harness.Loader.DiskImageBuilder.Build(TestKernels.Config("spin"), dir.File("spin.img"));
        using var cts = new CancellationTokenSource();
        var run = QemuRunner.RunAsync(
            new QemuOptions { DiskImage = image.Path, Timeout = TimeSpan.FromSeconds(60), WorkDirectory = dir.File("run") },
            line => { if (line.Contains("spinning", StringComparison.Ordinal)) cts.Cancel(); },
            cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(QemuProcessesUsing(image.Path));
    }

    /// <summary>
    /// A QEMU killed from outside ends with status 137 = (0x44 &lt;&lt; 1) | 1, the status an
    /// isa-debug-exit of 0x44 would give: it must be reported as QEMU dying, never as a clean exit.
    /// </summary>
    [Fact]
    public async Task Qemu_killed_by_a_signal_died_and_is_never_a_clean_exit()
    {
        using var dir = new TempDir();
        var image = Harness.Loader.DiskImageBuilder.Build(TestKernels.Config("spin"), dir.File("spin.img"));
        var run = QemuRunner.RunAsync(
            new QemuOptions { DiskImage = image.Path, Timeout = TimeSpan.FromSeconds(60), WorkDirectory = dir.File("run") },
            line =>
            {
                if (line.Contains("spinning", StringComparison.Ordinal))
                {
                    foreach (var pid in QemuProcessesUsing(image.Path))
                        Process.GetProcessById(pid).Kill();
                }
            });

        var outcome = await run;
        var died = Assert.IsType<BootOutcome.QemuDied>(outcome);
        Assert.Equal(137, died.ExitStatus);
        Assert.Contains("signal 9", died.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throwing_line_callback_stops_qemu_and_comes_out()
    {
        using var dir = new TempDir();
        var image = Harness.Loader.DiskImageBuilder.Build(TestKernels.Config("spin"), dir.File("spin.img"));
        var clock = Stopwatch.StartNew();
        var run = QemuRunner.RunAsync(
            new QemuOptions { DiskImage = image.Path, Timeout = TimeSpan.FromSeconds(60), WorkDirectory = dir.File("run") },
            _ => throw new InvalidOperationException("callback failed"));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("callback failed", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Empty(QemuProcessesUsing(image.Path));
    }

    [Fact]
    public async Task Timeout_leaves_no_qemu_behind()
    {
        using var dir = new TempDir();
        var image = Harness.Loader.DiskImageBuilder.Build(TestKernels.Config("spin"), dir.File("spin.img"));
        var outcome = await QemuRunner.RunAsync(new QemuOptions
        {
            DiskImage = image.Path,
            Timeout = TimeSpan.FromSeconds(1),
            WorkDirectory = dir.File("run"),
        });

        Assert.IsType<BootOutcome.Timeout>(outcome);
        Assert.Empty(QemuProcessesUsing(image.Path));
    }

    [Fact]
    public async Task Paused_with_a_gdb_stub_the_stub_accepts_a_connection_and_the_guest_stays_silent()
    {
        var port = FreeTcpPort();
        var connected = false;
        var run = Boot.RunAsync(TestKernels.Config("exit"), o => o with
        {
            Gdb = new GdbEndpoint.Tcp(port),
            StartPaused = true,
            Timeout = TimeSpan.FromSeconds(3),
        });
        for (var i = 0; i < 50 && !connected; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                connected = true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        var outcome = await run;

        Assert.True(connected, "no gdb stub listened on the port");
        var timeout = Assert.IsType<BootOutcome.Timeout>(outcome);
        Assert.Empty(timeout.LastLines);
        Assert.Equal(0, outcome.Transcript.Serial.Length);
    }

    [Fact]
    public async Task A_gdb_stub_on_a_unix_socket_listens_there()
    {
        using var dir = new TempDir();
        var socket = dir.File("gdb.sock");
        var run = Boot.RunAsync(TestKernels.Config("exit"), o => o with
        {
            Gdb = new GdbEndpoint.UnixSocket(socket),
            StartPaused = true,
            Timeout = TimeSpan.FromSeconds(3),
        });
        var connected = false;
        for (var i = 0; i < 50 && !connected; i++)
        {
            try
            {
                using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await client.ConnectAsync(new UnixDomainSocketEndPoint(socket));
                connected = true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        var outcome = await run;

        Assert.True(connected, "no gdb stub listened on the socket");
        Assert.IsType<BootOutcome.Timeout>(outcome);
    }

    [Fact]
    public void Version_reads_the_installed_qemu()
    {
        var version = QemuRunner.Version();

        Assert.True(version.Major >= 7, version.Text);
        Assert.StartsWith("QEMU emulator version", version.Text);
    }

    [Fact]
    public void Version_parses_debian_text()
    {
        var version = QemuRunner.ParseVersion("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n");

        Assert.Equal(new QemuVersion(7, 2, 22, "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)"), version);
        Assert.Null(QemuRunner.ParseVersion("something else"));
    }

    [Fact]
    public void Version_of_a_missing_qemu_names_the_debian_package()
    {
        var e = Assert.Throws<QemuMissingException>(() => QemuRunner.Version("qemu-system-that-is-not-there"));
        Assert.Contains("qemu-system-x86", e.Message);
    }

    private static int FreeTcpPort()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Running processes whose command line names the image.</summary>
    private static List<int> QemuProcessesUsing(string image)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains(image, StringComparison.Ordinal) && cmdline.Contains("qemu", StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
