using System.Diagnostics;
using Harness.Qemu;

namespace Harness.Tests.Qemu;

public class CpuAffinityTests
{
    [Fact]
    public void A_lone_run_puts_QEMU_on_the_highest_CPU_and_its_reader_on_the_next_and_may_poll()
    {
        var planner = new CpuAffinity([0, 1, 2, 3], enabled: true);
        using var run = planner.Begin();
        Assert.Equal(3, run.Qemu);
        Assert.Equal(2, run.Reader);
        Assert.True(run.ReaderAlone);
    }

    [Fact]
    public void A_run_that_starts_beside_another_is_not_pinned_and_the_first_stops_polling_while_both_run()
    {
        var planner = new CpuAffinity([0, 1], enabled: true);
        var first = planner.Begin();
        var second = planner.Begin();
        Assert.Equal((1, 0), (first.Qemu, first.Reader));
        Assert.Null(second.Qemu);
        Assert.Null(second.Reader);
        Assert.False(first.ReaderAlone);
        Assert.False(second.ReaderAlone);
        second.Dispose();
        Assert.True(first.ReaderAlone);
        first.Dispose();
        first.Dispose(); // ending twice counts once
        using var third = planner.Begin();
        Assert.Equal(1, third.Qemu);
        Assert.True(third.ReaderAlone);
    }

    [Fact]
    public void No_pinning_when_turned_off_or_with_one_CPU()
    {
        using var off = new CpuAffinity([0, 1], enabled: false).Begin();
        Assert.Null(off.Qemu);
        Assert.False(off.ReaderAlone);
        using var one = new CpuAffinity([0], enabled: true).Begin();
        Assert.Null(one.Reader);
        Assert.False(one.ReaderAlone);
    }

    [Fact]
    public void One_planner_on_the_machine_pins_at_a_time_the_claim_being_a_lock_on_a_shared_file()
    {
        // Two planners on one claim file stand for two harness processes (flock locks belong to the open file, so two
        // opens in one process exclude each other as two processes do).
        var claim = Path.Combine(Path.GetTempPath(), $"cpu-pin-{Guid.NewGuid():N}.lock");
        try
        {
            var a = new CpuAffinity([0, 1], enabled: true, claim);
            var b = new CpuAffinity([0, 1], enabled: true, claim);
            var first = a.Begin();
            Assert.Equal((1, 0), (first.Qemu, first.Reader));
            Assert.Equal("QEMU on CPU 1, the observer's reader on CPU 0", first.Describe());
            using (var second = b.Begin())
            {
                Assert.Null(second.Qemu);
                Assert.Null(second.Reader);
                Assert.False(second.ReaderAlone);
                Assert.Equal($"not pinned (another harness process on this machine holds {claim})", second.Describe());
                Assert.True(first.ReaderAlone); // the other process's run does not stop this one's polling
            }
            first.Dispose(); // releases the claim
            using var third = b.Begin();
            Assert.Equal(1, third.Qemu);
        }
        finally
        {
            File.Delete(claim);
        }
    }

    [Fact]
    public void A_run_not_pinned_says_why()
    {
        using (var off = new CpuAffinity([0, 1], enabled: false).Begin())
            Assert.Equal("not pinned (HARNESS_PIN=0)", off.Describe());
        using (var one = new CpuAffinity([0], enabled: true).Begin())
            Assert.Equal("not pinned (one CPU allowed)", one.Describe());
        var planner = new CpuAffinity([0, 1], enabled: true);
        using (var first = planner.Begin())
        using (var second = planner.Begin())
            Assert.Equal("not pinned (another observed run of this process is in progress)", second.Describe());
        var nowhere = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "pin.lock");
        using var unclaimable = new CpuAffinity([0, 1], enabled: true, nowhere).Begin();
        Assert.Null(unclaimable.Qemu);
        Assert.StartsWith($"not pinned ({nowhere}: ", unclaimable.Describe());
    }

    [Fact]
    public void A_pinned_thread_runs_only_on_its_CPU_and_gets_its_mask_back()
    {
        var allowed = CpuAffinity.Allowed();
        Assert.NotEmpty(allowed); // Linux: the mask is readable
        ulong[]? previous = null;
        IReadOnlyList<int>? pinned = null, restored = null;
        var thread = new Thread(() =>
        {
            previous = CpuAffinity.PinCurrentThread(allowed[^1]);
            pinned = CpuAffinity.Allowed();
            if (previous is not null) CpuAffinity.RestoreCurrentThread(previous);
            restored = CpuAffinity.Allowed();
        });
        thread.Start();
        thread.Join();
        Assert.NotNull(previous);
        Assert.Equal([allowed[^1]], pinned);
        Assert.Equal(allowed, restored);
    }

    [Fact]
    public void A_child_started_with_a_CPU_runs_there_and_the_next_child_is_not_pinned()
    {
        var allowed = CpuAffinity.Allowed();
        using var pinned = ChildProcesses.Start(new ProcessStartInfo("sleep") { ArgumentList = { "600" } }, allowed[^1]);
        using var free = ChildProcesses.Start(new ProcessStartInfo("sleep") { ArgumentList = { "600" } });
        try
        {
            Assert.Equal(allowed[^1].ToString(System.Globalization.CultureInfo.InvariantCulture), CpusAllowed(pinned.Id));
            Assert.Equal(CpusAllowed(Environment.ProcessId), CpusAllowed(free.Id));
        }
        finally
        {
            pinned.Kill();
            free.Kill();
        }
    }

    private static string CpusAllowed(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
            .Split(':')[1].Trim();
}
