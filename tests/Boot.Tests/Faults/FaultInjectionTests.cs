using System.Diagnostics;
using System.Text;
using Harness.Trace;

namespace Boot.Tests.Faults;

/// <summary>
/// Faults injected into `harness record` of the port (the real harness, QEMU and kernel): QEMU killed at a random
/// point of the observed boot, a disk that fills up under the trace, the harness itself SIGKILLed at a random moment.
/// Each must end with a clear outcome, an incomplete trace (never a complete-looking one), no QEMU left and nothing
/// left in the temp folder. The random points come from a seed printed in every failure message.
/// </summary>
public class FaultInjectionTests
{
    private const string Scenario = "q35-2g-slot4m";

    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    private static int Seed => Environment.GetEnvironmentVariable("FAULT_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;

    /// <summary>Lines in the trace being written into <paramref name="dir"/> (the run's own file or its final one).</summary>
    private static int TraceLines(string dir)
    {
        var most = 0;
        foreach (var f in Directory.Exists(dir) ? Directory.GetFiles(dir) : [])
        {
            try
            {
                using var s = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var n = 0;
                var reader = new StreamReader(s);
                while (reader.ReadLine() is not null) n++;
                most = Math.Max(most, n);
            }
            catch (IOException) { }
        }
        return most;
    }

    private static void NoCompleteLookingTraceBut(string dir, string? allowedComplete, string context)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "*.jsonl*"))
        {
            Harness.Trace.Trace t;
            try { t = TraceReader.Read(f); }
            catch (TraceFormatException e)
            {
                Assert.True(f.EndsWith(".partial", StringComparison.Ordinal), $"{f} is named as a finished trace but does not read: {e.Message}\n{context}");
                continue;
            }
            if (t.IsComplete)
                Assert.True(f == allowedComplete, $"{f} looks complete\n{context}");
        }
    }

    [Fact]
    public void QEMU_killed_at_a_random_point_of_the_boot_ends_as_an_incomplete_trace()
    {
        var seed = Seed;
        var random = new Random(seed);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var box = new Sandbox();
            var path = Path.Combine(box.Out, "t.jsonl");
            var killAt = random.Next(3, attempt == 0 ? 900 : 200); // a full trace of this scenario has ~1000 lines
            var output = new StringBuilder();
            using var harness = box.Start(output, "record", "--kernel", Repo.Kernel, "--scenario", "fault-boot", "--scenarios-dir", box.Patient(Scenario, "fault-boot"), "--out", path);
            Sandbox.WaitFor(() => TraceLines(box.Out) >= killAt || harness.HasExited, 240);
            var qemus = box.Qemus();
            if (harness.HasExited || qemus.Count == 0)
            {
                harness.WaitForExit();
                continue; // the boot ended before the kill point: try an earlier one
            }
            foreach (var pid in qemus)
                Process.GetProcessById(pid).Kill();
            var context = $"seed {seed}, killed QEMU at trace line {killAt}:\n{output}";
            Assert.True(harness.WaitForExit(120_000), context);
            harness.WaitForExit();

            Assert.True(harness.ExitCode == 3, $"exit {harness.ExitCode}; {context}");
            Assert.Contains("incomplete", output.ToString());
            Assert.DoesNotContain("   at ", output.ToString());
            NoCompleteLookingTraceBut(box.Out, null, context);
            Assert.False(TraceReader.Read(File.Exists(path) ? path : path + ".partial").IsComplete, context);
            Assert.Empty(box.Qemus());
            Assert.True(box.TmpLeftovers().Length == 0, $"left behind: {string.Join(", ", box.TmpLeftovers())}; {context}");
            return;
        }
        Assert.Fail($"seed {seed}: the boot ended before every kill point (three attempts)");
    }

    [Fact]
    public void A_disk_that_fills_up_under_the_trace_leaves_no_complete_looking_trace()
    {
        using var box = new Sandbox();
        var small = Directory.CreateDirectory(Path.Combine(box.Out, "small")).FullName;
        using var mount = Tmpfs.Mount(small, "160k");
        var path = Path.Combine(small, "t.jsonl");
        var (status, wrapped) = box.Run(240, "record", "--kernel", Repo.Kernel, "--scenario", "fault-boot", "--scenarios-dir", box.Patient(Scenario, "fault-boot"), "--out", path);

        var output = Flat(wrapped); // the terminal table wraps long lines
        Assert.True(status == 3, $"exit {status}:\n{wrapped}");
        Assert.Contains("No space left on device", output);
        Assert.Contains("incomplete", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(File.Exists(path), $"a finished-looking {path} after a full disk:\n{output}");
        NoCompleteLookingTraceBut(small, null, output);
        Assert.All(Directory.GetFiles(small), f => Assert.Equal(path + ".partial", f)); // only the incomplete trace, no run's own file
        Assert.Empty(box.Qemus());
        Assert.True(box.TmpLeftovers().Length == 0, $"left behind: {string.Join(", ", box.TmpLeftovers())}");
    }

    [Fact]
    public void A_report_that_does_not_fit_on_the_disk_is_not_left_half_written()
    {
        using var box = new Sandbox();
        var small = Directory.CreateDirectory(Path.Combine(box.Out, "small")).FullName;
        using var mount = Tmpfs.Mount(small, "64k");
        var html = Path.Combine(small, "r.html");
        var reference = Repo.Reference(Scenario);
        var (status, wrapped) = box.Run(120, "report", reference, reference, "--html", html);
        var output = Flat(wrapped);

        Assert.True(status == 2, $"exit {status}:\n{output}");
        Assert.Contains("No space left on device", output);
        Assert.DoesNotContain("   at ", output);
        Assert.Empty(Directory.GetFiles(small));
    }

    [Fact]
    public void The_harness_SIGKILLed_at_a_random_moment_takes_its_QEMU_and_leaves_nothing_the_next_run_does_not_sweep()
    {
        var seed = Seed;
        var random = new Random(seed);
        using var box = new Sandbox();
        var path = Path.Combine(box.Out, "t.jsonl");
        var output = new StringBuilder();
        using var harness = box.Start(output, "record", "--kernel", Repo.Kernel, "--scenario", "fault-boot", "--scenarios-dir", box.Patient(Scenario, "fault-boot"), "--out", path);
        // A random moment: once QEMU runs, after a random part of the boot (or at once).
        Sandbox.WaitFor(() => box.Qemus().Count > 0 || harness.HasExited, 240);
        var lines = random.Next(0, 900);
        Sandbox.WaitFor(() => TraceLines(box.Out) >= lines || harness.HasExited, 240);
        var context = $"seed {seed}, SIGKILL at trace line {lines}:\n{output}";
        if (!harness.HasExited)
            Sandbox.Signal(harness.Id, Sandbox.SIGKILL);
        Assert.True(harness.WaitForExit(60_000), context);

        Assert.True(Sandbox.WaitFor(() => box.Qemus().Count == 0, 30), $"QEMU outlived the SIGKILLed harness; {context}");
        // The next run (here one that stops at once: no QEMU on its PATH) sweeps what the dead one left.
        box.SearchPath = box.PathWithoutQemu();
        var (status, again) = box.Run(60, "record", "--kernel", Repo.Kernel, "--scenario", "fault-boot", "--scenarios-dir", box.Patient(Scenario, "fault-boot"), "--out", path);
        Assert.True(status == 3, again);
        Assert.True(box.TmpLeftovers().Length == 0, $"left behind: {string.Join(", ", box.TmpLeftovers())}; {context}");
        // What is left is one run's whole trace (the kill came after its end) or an incomplete one.
        NoCompleteLookingTraceBut(box.Out, path, context);
        Assert.All(Directory.GetFiles(box.Out), f => Assert.True(f == path || f == path + ".partial", $"{f} left; {context}"));
    }
}

/// <summary>A small tmpfs mounted for one test (the harness runs as root here), unmounted on dispose.</summary>
internal sealed class Tmpfs : IDisposable
{
    private readonly string _path;

    private Tmpfs(string path) => _path = path;

    public static Tmpfs Mount(string path, string size)
    {
        var (status, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        Assert.True(status == 0, $"cannot mount a {size} tmpfs at {path} (the full-disk tests need root): {output}");
        return new Tmpfs(path);
    }

    public void Dispose() => Run("umount", _path);

    private static (int, string) Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, text);
    }
}
