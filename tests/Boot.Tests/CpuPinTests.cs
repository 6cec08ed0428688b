using Boot.Tests.Faults;
using Harness.Qemu;

namespace Boot.Tests;

/// <summary>
/// The machine's pin claim (harness/Qemu/CpuAffinity.cs), end to end: a real harness process, whose observed boot would
/// be pinned were it alone on the machine, is left to the scheduler while another process holds the lock on
/// <see cref="CpuAffinity.DefaultClaimPath"/>, and its record's table says so.
/// </summary>
public class CpuPinTests
{
    [Fact]
    public void A_record_is_not_pinned_while_another_process_holds_the_machines_claim()
    {
        using var box = new Sandbox();
        var scenarios = box.Patient("q35-2g-slot4m", "pin-claim");
        // Another test's harness may hold the claim for its run (a boot: seconds): wait for it.
        FileStream? claim = null;
        Assert.True(Sandbox.WaitFor(() => (claim = TryClaim()) is not null, 300), $"{CpuAffinity.DefaultClaimPath} stayed locked for 300 s");
        int status;
        string output;
        using (claim)
            (status, output) = box.Run("record", "--kernel", Repo.Kernel, "--scenario", "pin-claim", "--scenarios-dir", scenarios,
                "--out", Path.Combine(box.Out, "t.jsonl"));
        Assert.True(status == 0, output);
        // The table wraps a long cell over several lines: its text, without the borders, is one run of words.
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"[│\s]+", " ");
        var expected = CpuAffinity.Allowed().Count < 2 ? "not pinned (one CPU allowed)"
            : Environment.GetEnvironmentVariable(CpuAffinity.EnableVariable) == "0" ? $"not pinned ({CpuAffinity.EnableVariable}=0)"
            : $"not pinned (another harness process on this machine holds {CpuAffinity.DefaultClaimPath})";
        Assert.True(text.Contains(" CPUs " + expected, StringComparison.Ordinal), $"no CPUs row '{expected}':\n{output}");
    }

    /// <summary>The claim as the harness takes it (FileShare.None: an exclusive flock), or null while another holds it.</summary>
    private static FileStream? TryClaim()
    {
        try
        {
            return new FileStream(CpuAffinity.DefaultClaimPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
