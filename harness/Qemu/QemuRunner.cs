using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Harness.Qemu;

/// <summary>QEMU's version, as <c>--version</c> prints it.</summary>
public sealed record QemuVersion(int Major, int Minor, int Micro, string Text)
{
    public override string ToString() => Text;
}

/// <summary>The QEMU executable is not installed.</summary>
public sealed class QemuMissingException(string message) : Exception(message);

/// <summary>Starts QEMU on a disk image, streams COM1, and tells how the run ended.</summary>
public static partial class QemuRunner
{
    public const string DefaultExecutable = "qemu-system-x86_64";
    public const string DebianPackage = "qemu-system-x86";

    /// <summary>The prefix of the loader's debugcon error line.</summary>
    public const string LoaderErrorPrefix = "loader:";

    /// <summary>A serial line starting with this is a kernel panic.</summary>
    public const string PanicPrefix = "PANIC:";

    /// <summary>What Redox prints as the last line of a panic; the run then ends at once.</summary>
    public const string PanicEndLine = "HALT";

    /// <summary>The QEMU version on PATH (or at <paramref name="executable"/>).</summary>
    /// <exception cref="QemuMissingException">QEMU is not installed.</exception>
    public static QemuVersion Version(string executable = DefaultExecutable)
    {
        var path = FindExecutable(executable) ?? throw new QemuMissingException(MissingMessage(executable));
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--version");
        using var process = Process.Start(psi) ?? throw new QemuMissingException(MissingMessage(executable));
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{path} --version did not answer");
        }
        return ParseVersion(stdout.Result) ?? throw new InvalidOperationException(
            $"cannot read a version from {path} --version: {(stdout.Result + stderr.Result).Trim()}");
    }

    /// <summary>Reads "QEMU emulator version 7.2.22 (Debian ...)".</summary>
    public static QemuVersion? ParseVersion(string text)
    {
        var match = VersionPattern().Match(text);
        if (!match.Success)
            return null;
        var line = text.Split('\n')[0].Trim();
        return new QemuVersion(
            int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
            line);
    }

    [GeneratedRegex(@"QEMU emulator version (\d+)\.(\d+)(?:\.(\d+))?")]
    private static partial Regex VersionPattern();

    /// <summary>
    /// Boot the disk image and watch the run until it ends: isa-debug-exit, a loader
    /// error, a kernel panic (plus <see cref="QemuOptions.PanicGrace"/>), a triple
    /// fault or reset, QEMU dying, or the timeout. QEMU is always stopped before this
    /// returns or throws; cancelling <paramref name="cancellationToken"/> stops it and
    /// throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="onSerialLine">Called with each COM1 line as it arrives (without the newline), on a reader thread.</param>
    public static async Task<BootOutcome> RunAsync(
        QemuOptions options,
        Action<string>? onSerialLine = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var executable = FindExecutable(options.Executable, options.SearchPath);
        if (executable is null)
            return new BootOutcome.QemuMissing(MissingMessage(options.Executable));
        if (!File.Exists(options.DiskImage))
            throw new FileNotFoundException($"disk image {options.DiskImage} does not exist", options.DiskImage);

        var ownWorkDir = options.WorkDirectory is null;
        var workDir = options.WorkDirectory ?? WorkFolder.Create("qemu");
        Directory.CreateDirectory(workDir);
        try
        {
            var files = QemuRunFiles.In(workDir);
            File.Delete(files.DebugconLog);
            File.Delete(files.QemuLog);
            var args = QemuCommandLine.Build(options with { DiskImage = Path.GetFullPath(options.DiskImage) }, files);
            return await RunProcessAsync(options, executable, args, files, onSerialLine, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (ownWorkDir)
                WorkFolder.Delete(workDir);
        }
    }

    private static async Task<BootOutcome> RunProcessAsync(
        QemuOptions options, string executable, IReadOnlyList<string> args, QemuRunFiles files,
        Action<string>? onSerialLine, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        // QEMU keeps the temporary file of -drive snapshot=on (vl.XXXXXX) in TMPDIR: the run's own folder, so that
        // a QEMU that is killed leaves nothing behind outside it.
        psi.Environment["TMPDIR"] = Path.GetDirectoryName(files.QemuLog)!;

        var clock = Stopwatch.StartNew();
        // Under the parent-death signal, from a thread that lives as long as the harness: QEMU never outlives it.
        using var process = ChildProcesses.Start(psi, options.Cpu);

        var serial = new SerialWatcher(options, clock, onSerialLine);
        var stderrTask = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var readerTask = Task.Run(() => serial.ReadAsync(process.StandardOutput.BaseStream), CancellationToken.None);
        var exitTask = process.WaitForExitAsync(CancellationToken.None);
        var stoppedByRunner = false;
        var idle = false;
        try
        {
            using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timeoutTask = Task.Delay(options.Timeout, timeoutCts.Token);
            var quietTask = options.QuietEnd is { } quiet ? WatchQuietAsync(serial, clock, quiet, timeoutCts.Token) : Task.Delay(Timeout.Infinite, timeoutCts.Token);
            var first = await Task.WhenAny(exitTask, serial.PanicComplete, timeoutTask, readerTask, quietTask).ConfigureAwait(false);
            // The reader ends at end of output (QEMU is exiting: wait for that) or when the
            // caller's line callback threw (stop QEMU; the exception comes out below).
            if (first == readerTask && !readerTask.IsFaulted)
                first = await Task.WhenAny(exitTask, serial.PanicComplete, timeoutTask, quietTask).ConfigureAwait(false);
            idle = first == quietTask && quietTask.IsCompletedSuccessfully && !exitTask.IsCompleted;
            timeoutCts.Cancel();
            if (first != exitTask && first != readerTask)
                cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            if (!process.HasExited)
            {
                stoppedByRunner = true;
                try { process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { }
            }
            await exitTask.ConfigureAwait(false);
        }

        await readerTask.ConfigureAwait(false);
        var stderr = await stderrTask.ConfigureAwait(false);
        clock.Stop();
        int? status = stoppedByRunner ? null : process.ExitCode;
        var debugcon = ReadAllTextShared(files.DebugconLog);
        var transcript = new RunTranscript
        {
            Serial = serial.Bytes,
            Debugcon = debugcon,
            Stderr = stderr,
            CommandLine = [executable, .. args],
            ExitStatus = status,
            Elapsed = clock.Elapsed,
            FirstSerialByte = serial.FirstByte,
            LastSerialByte = serial.LastByte,
            LongestSerialGap = serial.LongestGap,
        };
        var outcome = idle && serial.PanicLine is null && status is null
            ? new BootOutcome.Idle(options.QuietEnd!.Value, serial.Tail())
            : Classify(options, serial, status, debugcon, stderr, files);
        return outcome with { Transcript = transcript };
    }

    /// <summary>Completes once COM1 has been silent for <paramref name="quiet"/> after at least one byte (and after the QuietAfter line).</summary>
    private static async Task WatchQuietAsync(SerialWatcher serial, Stopwatch clock, TimeSpan quiet, CancellationToken token)
    {
        while (true)
        {
            if (!serial.QuietArmed)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
                continue;
            }
            var last = serial.LastByte;
            var wait = last is { } l ? l + quiet - clock.Elapsed : quiet;
            if (last is not null && wait <= TimeSpan.Zero)
                return;
            await Task.Delay(wait > TimeSpan.Zero ? wait : quiet, token).ConfigureAwait(false);
        }
    }

    private static BootOutcome Classify(
        QemuOptions options, SerialWatcher serial, int? status,
        string debugcon, string stderr, QemuRunFiles files)
    {
        if (serial.PanicLine is { } panic)
            return new BootOutcome.Panic(panic, serial.AfterPanic);

        var loaderLine = debugcon.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .FirstOrDefault(l => l.StartsWith(LoaderErrorPrefix, StringComparison.Ordinal));
        if (loaderLine is not null)
            return new BootOutcome.LoaderError(loaderLine, status is { } s && (s & 1) == 1 ? s >> 1 : -1);

        // Stopped by the runner without a panic: the time was up.
        if (status is not { } exit)
            return new BootOutcome.Timeout(options.Timeout, serial.Tail());

        if (HasTripleFault(files.QemuLog))
            return new BootOutcome.TripleFault(
                "QEMU logged \"Triple fault\"" + (serial.LastLine is { } last ? $"; last serial line: {last}" : ""));

        if (exit == 0 && HasGuestShutdown(files.QemuLog))
            return new BootOutcome.PowerOff(
                "QEMU exited with status 0 after the guest's shutdown request (ACPI S5)" + (serial.LastLine is { } off ? $"; last serial line: {off}" : ""));

        if (exit == 0)
            return new BootOutcome.Reset(
                "QEMU exited with status 0, no triple fault and no power-off: the guest reset the machine");

        // 128 + N is how a process killed by signal N ends (SIGKILL: 137). isa-debug-exit values
        // of 0x40 and more would end QEMU with those same statuses; neither the port nor the
        // loader uses them, so such a status is a QEMU that was killed, never a clean exit.
        if (exit > 128)
            return new BootOutcome.QemuDied(exit, $"QEMU was killed by signal {exit - 128}" + (stderr.Length > 0 ? "\n" + stderr : ""));

        if ((exit & 1) == 1 && !HasQemuError(stderr, options.Executable))
            return new BootOutcome.ExitedClean(exit >> 1);

        return new BootOutcome.QemuDied(exit, stderr);
    }

    /// <summary>QEMU's own error lines ("qemu-system-x86_64: ..." other than warnings).</summary>
    private static bool HasQemuError(string stderr, string executable)
    {
        var name = Path.GetFileName(executable);
        return stderr.Split('\n').Any(line =>
            line.StartsWith(name + ":", StringComparison.Ordinal)
            && !line.Contains("warning:", StringComparison.Ordinal));
    }

    /// <summary>The trace event QEMU's command line enables: logged (to -D) by a power-off, never by a reset.</summary>
    public const string ShutdownTraceEvent = "qemu_system_shutdown_request";

    /// <summary>QEMU's log holds the shutdown request of a guest power-off (reason 6: SHUTDOWN_CAUSE_GUEST_SHUTDOWN).</summary>
    private static bool HasGuestShutdown(string log)
    {
        if (!File.Exists(log))
            return false;
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        while (reader.ReadLine() is { } line)
        {
            // "qemu_system_shutdown_request reason=6", with "PID@TIME:" before it when QEMU logs timestamps
            var at = line.IndexOf(ShutdownTraceEvent + " reason=6", StringComparison.Ordinal);
            if (at >= 0 && (at == 0 || line[at - 1] is ':' or ' '))
                return true;
        }
        return false;
    }

    private static bool HasTripleFault(string log)
    {
        if (!File.Exists(log))
            return false;
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith("Triple fault", StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static string ReadAllTextShared(string path)
    {
        if (!File.Exists(path))
            return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return reader.ReadToEnd();
    }

    /// <summary>What a missing QEMU is reported as (names the Debian package).</summary>
    public static string MissingMessage(string executable) =>
        $"{executable} not found on PATH: install the Debian package `{DebianPackage}` (apt-get install {DebianPackage})";

    /// <summary>The full path of <paramref name="name"/> on the search path (PATH when null), or null.</summary>
    public static string? FindExecutable(string name, string? searchPath = null)
    {
        if (name.Contains(Path.DirectorySeparatorChar))
            return File.Exists(name) ? name : null;
        var path = searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
