using System.Diagnostics;
using Harness.Qemu;

namespace Harness.Tests.Faults;

/// <summary>
/// The children the harness starts (QEMU) are tied to the harness process, not to the thread that happened to start
/// them: the parent-death signal follows the forking thread, and a thread-pool thread may retire mid-boot.
/// </summary>
public class ChildProcessTests
{
    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z", StringComparison.Ordinal);

    [Fact]
    public void A_child_started_from_a_thread_that_ends_lives_on_until_killed()
    {
        Assert.True(ChildProcesses.DieWithHarness, "setpriv (util-linux) is not installed");
        Process? child = null;
        var thread = new Thread(() => child = ChildProcesses.Start(new ProcessStartInfo("sleep") { ArgumentList = { "600" } }));
        thread.Start();
        thread.Join();
        Assert.NotNull(child);
        try
        {
            Thread.Sleep(500); // the starting thread is gone; a parent-death signal tied to it would have fired by now
            Assert.True(Alive(child.Id), "the child died with the thread that started it");
            Assert.Contains(ChildProcesses.Running, p => p.Id == child.Id);
            Assert.Equal("--pdeathsig KILL -- ", string.Join(' ', child.StartInfo.ArgumentList.Take(3)) + " ");
        }
        finally
        {
            child.Kill(); // only this test's child: other tests' QEMUs run in this process too (KillAll is the CLI's, on a signal)
        }
        Assert.True(child.WaitForExit(30_000));
        Assert.DoesNotContain(ChildProcesses.Running, p => p.Id == child.Id);
    }

    [Fact]
    public void A_work_folder_names_its_owner_and_one_whose_owner_is_gone_is_swept()
    {
        var mine = WorkFolder.Create("test");
        var orphan = Path.Combine(Path.GetTempPath(), $"{WorkFolder.Prefix}{int.MaxValue}-1-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(orphan);
        try
        {
            Assert.Equal(WorkFolder.OwnerId, WorkFolder.OwnerOf(Path.GetFileName(mine))!.Value.Tag);
            Assert.True(WorkFolder.SweepOrphans() >= 1);
            Assert.False(Directory.Exists(orphan));
            Assert.True(Directory.Exists(mine));
        }
        finally
        {
            WorkFolder.Delete(mine);
            if (Directory.Exists(orphan)) Directory.Delete(orphan, recursive: true);
        }
        Assert.False(Directory.Exists(mine));
    }
}
