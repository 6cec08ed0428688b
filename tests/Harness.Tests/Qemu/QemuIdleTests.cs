using System.Diagnostics;
using Harness.Qemu;
using Harness.Tests.Loader;

namespace Harness.Tests.Qemu;

/// <summary>QemuOptions.QuietEnd: a silent COM1 ends the run as Idle (a kernel's idle loop with no process left).</summary>
public sealed class QemuIdleTests
{
    [Fact]
    public async Task A_kernel_silent_after_its_lines_ends_as_idle_with_its_last_lines()
    {
        var clock = Stopwatch.StartNew();
        var outcome = await Boot.RunAsync(TestKernels.Config("spin"), o => o with
        {
            Timeout = TimeSpan.FromSeconds(120),
            QuietEnd = TimeSpan.FromSeconds(1),
            TailLines = 2,
        });
        clock.Stop();

        var idle = Assert.IsType<BootOutcome.Idle>(outcome);
        Assert.Equal(TimeSpan.FromSeconds(1), idle.Quiet);
        Assert.Equal(["spin kernel: line 2", "spin kernel: spinning now"], idle.LastLines);
        Assert.Contains("idle: no serial output for 1 s", idle.Describe());
        Assert.Null(outcome.Transcript.ExitStatus); // the runner stopped QEMU
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"returned after {clock.Elapsed}");
    }

    [Fact]
    public async Task Isa_debug_exit_still_wins_over_a_quiet_end()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("exit"), o => o with { QuietEnd = TimeSpan.FromSeconds(30) });
        Assert.Equal(0x2A, Assert.IsType<BootOutcome.ExitedClean>(outcome).Code);
    }

    [Fact]
    public async Task A_panic_is_a_panic_even_when_quiet_afterwards()
    {
        var outcome = await Boot.RunAsync(TestKernels.Config("panic"), o => o with
        {
            // Longer than a loaded machine's pauses between the kernel's lines, shorter than the grace.
            QuietEnd = TimeSpan.FromSeconds(2),
            PanicGrace = TimeSpan.FromSeconds(5),
        });
        Assert.IsType<BootOutcome.Panic>(outcome);
    }
}
