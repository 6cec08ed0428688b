using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Boot.Tests.Faults;

/// <summary>
/// Issue 12, items 3 to 6: bad output paths, usage errors, setup checks and a missing QEMU are each refused at once —
/// exit status 2 (or 3 for QEMU), one clear line naming the culprit, no stack trace, nothing booted, nothing left.
/// </summary>
public partial class SetupTests
{
    private const string Scenario = "q35-2g-slot4m";

    private static void Refused(Sandbox box, (int Status, string Output) run, int status, params string[] mentions)
    {
        Assert.True(run.Status == status, $"exit {run.Status}, expected {status}:\n{run.Output}");
        foreach (var m in mentions)
            Assert.Contains(m, run.Output);
        Assert.DoesNotContain("   at ", run.Output); // no stack trace
        Assert.DoesNotContain("Unhandled exception", run.Output);
        Assert.Empty(box.Qemus());
        Assert.True(box.TmpLeftovers().Length == 0, $"left behind: {string.Join(", ", box.TmpLeftovers())}");
    }

    // ---- item 3: output paths are checked before anything boots ---------------------------------

    [Fact]
    public void Record_out_a_folder_is_refused_before_the_boot()
    {
        using var box = new Sandbox();
        var run = box.Run(60, "record", "--kernel", Repo.Kernel, "--scenario", Scenario, "--out", box.Out);
        Refused(box, run, 2, box.Out, "folder");
        Assert.Empty(Directory.EnumerateFiles(box.Out, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Record_out_under_proc_is_refused_before_the_boot()
    {
        using var box = new Sandbox();
        var run = box.Run(60, "record", "--kernel", Repo.Kernel, "--scenario", Scenario, "--out", "/proc/harness-fault-test.jsonl");
        Refused(box, run, 2, "/proc/harness-fault-test.jsonl");
    }

    [Fact]
    public void Record_out_in_an_unwritable_folder_is_refused_before_the_boot()
    {
        using var box = new Sandbox();
        var blocked = Path.Combine(box.Out, "not-a-folder");
        File.WriteAllText(blocked, "a file where a folder should be\n");
        var run = box.Run(60, "record", "--kernel", Repo.Kernel, "--scenario", Scenario, "--out", Path.Combine(blocked, "t.jsonl"));
        Refused(box, run, 2, blocked);
    }

    [Fact]
    public void Diff_boot_and_report_check_their_outputs_first()
    {
        using var box = new Sandbox();
        File.WriteAllText(Path.Combine(box.Out, "reports"), "a file where the reports folder should be\n");
        Refused(box, box.Run(60, "diff-boot", "--kernel", Repo.Kernel, "--scenario", Scenario, "--out", box.Out), 2, "reports");
        var reference = Repo.Reference(Scenario);
        Refused(box, box.Run(60, "report", reference, reference, "--html", box.Out), 2, box.Out, "folder");
    }

    // ---- item 4: usage errors exit 2, and --help says what every status means ------------------

    [Theory]
    [InlineData("boot --kernel build/kernel.elf --no-such-option", "--no-such-option")]
    [InlineData("boot --scenario q35-2g", "--kernel")]
    [InlineData("gate --kernel build/kernel.elf --jobs abc", "abc")]
    [InlineData("no-such-command", "no-such-command")]
    [InlineData("record --kernel", "--kernel")]
    public void Usage_errors_exit_2(string commandLine, string mention)
    {
        using var box = new Sandbox();
        Refused(box, box.Run(60, commandLine.Split(' ')), 2, mention);
    }

    [Fact]
    public void Help_names_every_exit_status_the_harness_uses()
    {
        using var box = new Sandbox();
        var (status, help) = box.Run(60, "--help");
        Assert.Equal(0, status);
        var paragraph = help[help.IndexOf("Exit status:", StringComparison.Ordinal)..];
        var documented = StatusPattern().Matches(paragraph).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var constants = typeof(Harness.Cli.ExitCodes).GetFields().Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!).ToHashSet();
        // 143 (SIGTERM) is named inside 130's entry; every other constant has its own.
        Assert.Subset(documented.Append(143).ToHashSet(), constants);
        Assert.Contains(4, documented);
        Assert.Matches(@"\n\s*2  bad input: a usage error", paragraph);
        Assert.Matches(@"\n\s*4  a bug in the harness", paragraph);
    }

    [GeneratedRegex(@"\n\s*(\d+)  ")]
    private static partial Regex StatusPattern();

    // ---- item 5: setup checks before the boot ----------------------------------------------------

    [Fact]
    public void Memory_too_small_for_the_kernel_is_refused_at_load()
    {
        using var box = new Sandbox();
        var dir = Directory.CreateDirectory(Path.Combine(box.Out, "scenarios")).FullName;
        File.WriteAllText(Path.Combine(dir, "tiny.toml"), "name = \"tiny\"\n\n[machine]\nmemory_mib = 1\n"); // no kernel_slot
        Refused(box, box.Run(60, "boot", "--kernel", Repo.Kernel, "--scenario", "tiny", "--scenarios-dir", dir), 2, "tiny.toml:", "memory_mib 1");
    }

    [Fact]
    public void Paused_without_gdb_and_a_gdb_port_out_of_range_are_refused()
    {
        using var box = new Sandbox();
        Refused(box, box.Run(60, "boot", "--kernel", Repo.Kernel, "--scenario", Scenario, "--paused"), 2, "--paused", "--gdb");
        Refused(box, box.Run(60, "boot", "--kernel", Repo.Kernel, "--scenario", Scenario, "--gdb", "99999"), 2, "99999");
    }

    [Fact]
    public void A_kernel_slot_past_the_PCI_hole_is_refused_at_load()
    {
        using var box = new Sandbox();
        var dir = box.ScenarioDir(Scenario, "huge-slot", ("memory_mib = 2048", "memory_mib = 65536"), ("kernel_slot = 0x400000", "kernel_slot = 0xFFF00000"));
        Refused(box, box.Run(60, "boot", "--kernel", Repo.Kernel, "--scenario", "huge-slot", "--scenarios-dir", dir), 2, "huge-slot.toml:", "PCI hole");
    }

    [Fact]
    public void A_gate_scenario_with_nothing_to_compare_with_fails_before_its_boot()
    {
        using var box = new Sandbox();
        var dir = box.ScenarioDir("q35-64m", "no-baseline", ("reference = \"q35-64m\"\n", ""));
        var missingReference = box.ScenarioDir(Scenario, "no-reference", ("reference = \"q35-2g-slot4m\"", "reference = \"no-such-recording\""));
        Assert.Equal(dir, missingReference);
        var output = Path.Combine(box.Out, "gate");
        var (status, text) = box.Run(120, "gate", "--kernel", Repo.Kernel, "--scenarios-dir", dir, "--output-dir", output,
            "--baseline-dir", Path.Combine(box.Out, "baselines"));
        Assert.True(status == 1, text);
        Assert.Contains("no baseline", text);
        Assert.Contains("no-such-recording", text);
        Assert.Contains("not booted", text);
        Assert.False(Directory.Exists(Path.Combine(output, "traces")) && Directory.EnumerateFiles(Path.Combine(output, "traces"), "*", SearchOption.AllDirectories).Any(),
            "a scenario with nothing to compare with was booted");
        Assert.DoesNotContain("reports:", text); // no report was written
        Assert.Empty(box.Qemus());
    }

    [Fact]
    public void Boot_refuses_an_ELF_that_is_not_a_kernel()
    {
        using var box = new Sandbox();
        // A userland program: ET_DYN with a program interpreter (and symbols).
        var source = Path.Combine(box.Out, "hello.c");
        File.WriteAllText(source, "int main(void) { return 0; }\n");
        var program = Path.Combine(box.Out, "hello");
        using (var cc = Process.Start("cc", ["-o", program, source])!)
        {
            cc.WaitForExit();
            Assert.Equal(0, cc.ExitCode);
        }
        Refused(box, box.Run(60, "boot", "--kernel", program, "--scenario", Scenario), 2, program, "not a kernel");

        // An executable without the entry symbol.
        var noEntry = Path.Combine(box.Out, "no-kstart.elf");
        using (var objcopy = Process.Start("objcopy", ["--redefine-sym", "kstart=not_kstart", Repo.Kernel, noEntry])!)
        {
            objcopy.WaitForExit();
            Assert.Equal(0, objcopy.ExitCode);
        }
        Refused(box, box.Run(60, "boot", "--kernel", noEntry, "--scenario", Scenario), 2, noEntry, "kstart");
    }

    // ---- item 6: QEMU missing leaves nothing behind -----------------------------------------------

    [Fact]
    public void Without_QEMU_record_boot_and_gate_say_so_and_leave_nothing()
    {
        using var box = new Sandbox();
        box.SearchPath = box.PathWithoutQemu();
        var traces = Path.Combine(box.Out, "traces");
        Refused(box, box.Run(60, "record", "--kernel", Repo.Kernel, "--scenario", Scenario, "--out", Path.Combine(traces, "t.jsonl")), 3, "qemu-system-x86");
        Assert.Empty(Directory.Exists(traces) ? Directory.EnumerateFiles(traces, "*", SearchOption.AllDirectories) : []);
        Refused(box, box.Run(60, "boot", "--kernel", Repo.Kernel, "--scenario", Scenario), 3, "qemu-system-x86");

        var gateOut = Path.Combine(box.Out, "gate");
        var (status, text) = box.Run(120, "gate", "--kernel", Repo.Kernel, "--only", Scenario, "--output-dir", gateOut);
        Refused(box, (status == 1 ? 1 : status, text), 1, "qemu-system-x86");
        Assert.DoesNotContain("reports:", text);
        // Only the gate's own summary of the run (every scenario failed: no QEMU) is written, whole.
        Assert.Empty(Directory.Exists(gateOut) ? Directory.EnumerateFiles(gateOut, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "gate-summary.tsv") : []);
    }
}
