using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Boot.Tests.Faults;

/// <summary>
/// One run of the real harness (harness.dll, a process) under faults, in a sandbox of its own: its TMPDIR is a fresh
/// folder whose name is a unique marker — every work folder, disk image and gdb socket of the run is under it, so
/// this run's QEMU is found by the marker in its command line (never by a broad name) — and its outputs go to a
/// fresh folder. Disposing kills any QEMU of the run that is still alive (by PID) and removes both folders.
/// </summary>
internal sealed class Sandbox : IDisposable
{
    public Sandbox()
    {
        Marker = "faultrun" + Guid.NewGuid().ToString("N")[..12];
        Tmp = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), Marker)).FullName;
        Out = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), Marker + "-out")).FullName;
    }

    /// <summary>The unique name in this run's paths.</summary>
    public string Marker { get; }

    /// <summary>The harness's TMPDIR: empty again once the harness is gone and its work folders were removed (or swept).</summary>
    public string Tmp { get; }

    /// <summary>A folder for the run's outputs (traces, reports, scenarios).</summary>
    public string Out { get; }

    /// <summary>PATH for the harness (null: this process's).</summary>
    public string? SearchPath { get; set; }

    private readonly List<Process> _started = [];

    /// <summary>
    /// Whether the harness starts with SIGINT ignored, as a script's background job (<c>harness … &amp;</c> without job
    /// control) does. False (the default): SIGINT, SIGHUP and SIGTERM have their default dispositions, as in a
    /// terminal, whatever this test process inherited. The .NET runtime keeps an inherited ignored signal ignored (its
    /// registration is then never called): a test run started as <c>nohup make test &amp;</c> (SIGHUP and SIGINT
    /// ignored) would otherwise see a harness that neither ends.
    /// </summary>
    public bool SigintIgnored { get; set; }

    /// <summary>Starts the harness with <paramref name="args"/>; its output is collected into <paramref name="output"/>.</summary>
    public Process Start(StringBuilder output, params string[] args)
    {
        // env(1) sets the signals' dispositions and execs dotnet: the process keeps its PID, so signals reach the harness.
        var psi = new ProcessStartInfo(Which("env") ?? "/usr/bin/env") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        psi.ArgumentList.Add(SigintIgnored ? "--default-signal=HUP,TERM" : "--default-signal=HUP,INT,TERM");
        if (SigintIgnored)
            psi.ArgumentList.Add("--ignore-signal=INT");
        psi.ArgumentList.Add(DotnetPath);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "harness.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["TMPDIR"] = Tmp;
        psi.Environment["COLUMNS"] = "200";
        // No diagnostics IPC files of the .NET runtime in TMPDIR (a SIGKILLed runtime cannot remove them): what is
        // left there is the harness's own.
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        if (SearchPath is not null)
            psi.Environment["PATH"] = SearchPath;
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _started.Add(p);
        return p;
    }

    /// <summary>Runs the harness to its end (at most <paramref name="limitSeconds"/>).</summary>
    public (int Status, string Output) Run(int limitSeconds, params string[] args)
    {
        var output = new StringBuilder();
        using var p = Start(output, args);
        if (!p.WaitForExit(limitSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"harness {string.Join(' ', args)} did not finish in {limitSeconds} s:\n{output}");
        }
        p.WaitForExit();
        lock (output) return (p.ExitCode, output.ToString());
    }

    public (int Status, string Output) Run(params string[] args) => Run(180, args);

    /// <summary>The PIDs of the QEMU processes of this run (their command line holds the marker).</summary>
    public List<int> Qemus()
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("qemu-system", StringComparison.Ordinal) && cmdline.Contains(Marker, StringComparison.Ordinal)
                    && !File.ReadAllText(Path.Combine(dir, "stat")).Contains(") Z", StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Waits (polling, at most <paramref name="limitSeconds"/>) until <paramref name="condition"/> holds; false if it never did.</summary>
    public static bool WaitFor(Func<bool> condition, int limitSeconds = 120)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(limitSeconds))
        {
            if (condition()) return true;
            Thread.Sleep(50);
        }
        return condition();
    }

    /// <summary>Everything left in the sandbox's TMPDIR (work folders, QEMU's files).</summary>
    public string[] TmpLeftovers() => Directory.EnumerateFileSystemEntries(Tmp, "*", SearchOption.AllDirectories).ToArray();

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/> (that process only, not its group).</summary>
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>A folder holding links to every program the harness needs but QEMU (for "QEMU is not installed").</summary>
    public string PathWithoutQemu()
    {
        var bin = Directory.CreateDirectory(Path.Combine(Out, "bin-without-qemu")).FullName;
        foreach (var tool in new[] { "nasm", "setpriv", "strip", "objcopy" })
            if (Which(tool) is { } path)
                File.CreateSymbolicLink(Path.Combine(bin, tool), path);
        return bin;
    }

    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string DotnetPath => Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
        ? self
        : Which("dotnet") ?? "dotnet";

    /// <summary>A copy of the committed scenario <paramref name="name"/> in a folder of its own under Out, with lines replaced.</summary>
    public string ScenarioDir(string name, string newName, params (string From, string To)[] edits)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Out, "scenarios")).FullName;
        var text = File.ReadAllText(Path.Combine(Repo.Scenarios, name + ".toml")).Replace($"name = \"{name}\"", $"name = \"{newName}\"");
        foreach (var (from, to) in edits)
        {
            Assert.Contains(from, text);
            text = text.Replace(from, to);
        }
        File.WriteAllText(Path.Combine(dir, newName + ".toml"), text);
        return dir;
    }

    /// <summary>
    /// The committed scenario <paramref name="name"/> with a 300 s timeout, as <paramref name="newName"/>, in the
    /// sandbox's scenario folder: on a loaded machine an observed boot may take longer than its usual 30 s.
    /// </summary>
    public string Patient(string name, string newName) => ScenarioDir(name, newName, ("timeout_s = 30", "timeout_s = 300"));

    public void Dispose()
    {
        foreach (var p in _started)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        foreach (var pid in Qemus())
        {
            try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        foreach (var dir in new[] { Tmp, Out })
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
