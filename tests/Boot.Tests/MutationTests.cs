using System.Diagnostics;

namespace Boot.Tests;

/// <summary>
/// A gate that is never shown a difference proves nothing (FIDELITY §5): the port is built with
/// one quirk of the original deliberately broken, booted observed, and diffed against the
/// original's recording; the diff must fail, at the right event, naming the right first divergence.
/// </summary>
public class MutationTests
{
    private static (int Status, string Output) Run(string file, string workingDir, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDir };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in 300 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void A_port_with_quirk_M1_broken_diverges_at_the_first_frame_allocation()
    {
        var work = Directory.CreateTempSubdirectory("mutant-").FullName;
        try
        {
            // Quirk M1: the frame at kernel_end counts as the kernel's, so the first frame is 0x501000.
            var (built, buildLog) = Run("dotnet", Repo.Root, "build", "csharp-kernel/Kernel.csproj", "-c", "Release", "--nologo",
                "--artifacts-path", Path.Combine(work, "art"), "-p:PortMutation=KERNEL_END_EXCLUSIVE", $"-p:KernelOut={work}/");
            Assert.True(built == 0, buildLog);
            var mutant = Path.Combine(work, "kernel.elf");

            var (status, output) = Run("dotnet", Repo.Root, Path.Combine(AppContext.BaseDirectory, "harness.dll"), "diff-boot",
                "--kernel", mutant, "--scenario", "q35-2g-slot4m", "--out", work);

            Assert.Equal(1, status);
            Assert.Contains("verdict: DIVERGED", output);
            Assert.Contains("first divergence: frames @ paging_done, frames[0] (event #0", output);
            Assert.Contains("A: alloc 1 → 0x501000 @paging", output);
            Assert.Contains("B: alloc 1 → 0x500000 @paging", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Builds the port with <paramref name="mutation"/> into <paramref name="work"/>; returns the ELF.</summary>
    private static string BuildMutant(string mutation, string work)
    {
        var (built, buildLog) = Run("dotnet", Repo.Root, "build", "csharp-kernel/Kernel.csproj", "-c", "Release", "--nologo",
            "--artifacts-path", Path.Combine(work, "art"), $"-p:PortMutation={mutation}", $"-p:KernelOut={work}/");
        Assert.True(built == 0, buildLog);
        return Path.Combine(work, "kernel.elf");
    }

    [Fact]
    public void A_port_with_the_text_rodata_boundary_one_page_late_diverges_in_rodata_at_paging_done()
    {
        // Against the original's recording, which names its sections: image pages are compared per section with run
        // lengths, so the first rodata page mapped executable is a divergence (a set of (class, flags) did not see it).
        var work = Directory.CreateTempSubdirectory("mutant-").FullName;
        try
        {
            var mutant = BuildMutant("TEXT_END_ONE_PAGE_PAST", work);
            var (status, output) = Run("dotnet", Repo.Root, Path.Combine(AppContext.BaseDirectory, "harness.dll"), "diff-boot",
                "--kernel", mutant, "--scenario", "q35-2g-slot4m", "--out", work);

            Assert.Equal(1, status);
            Assert.Contains("verdict: DIVERGED", output);
            Assert.Contains("page_tables @ paging_done", output);
            Assert.Contains("page_tables.image", output);
            Assert.Contains("rodata: P G ×1 | P G NX", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [OriginalFact]
    public void A_port_with_two_irq_handlers_swapped_fails_the_gate_at_idt_done()
    {
        // IDT handlers compared by identity: the reference's handler names come from the original's ELF (REDOX_KERNEL,
        // the one the references were recorded from), the port's from its trace header.
        var work = Directory.CreateTempSubdirectory("mutant-").FullName;
        try
        {
            var mutant = BuildMutant("IDT_SWAP_COM1_COM2", work);
            var (status, output) = Run("dotnet", Repo.Root, Path.Combine(AppContext.BaseDirectory, "harness.dll"), "gate",
                "--kernel", mutant, "--only", "q35-2g-slot4m", "--output-dir", work, "--timeout-factor", "4",
                "--original-elf", OriginalFactAttribute.Kernel!);

            Assert.Equal(1, status);
            var summary = File.ReadAllText(Path.Combine(work, "gate-summary.tsv"));
            Assert.Contains("q35-2g-slot4m\tdiverged\treference:q35-2g-slot4m\tdescriptors @ idt_done: descriptors.idt[35].handler: " +
                            "A handler irq::com2 | B handler irq::com1", summary);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void The_port_as_built_passes_the_same_diff()
    {
        var work = Directory.CreateTempSubdirectory("diffboot-").FullName;
        try
        {
            var (status, output) = Run("dotnet", Repo.Root, Path.Combine(AppContext.BaseDirectory, "harness.dll"), "diff-boot",
                "--kernel", Repo.Kernel, "--scenario", "q35-2g-slot4m", "--out", work);

            Assert.True(status == 0, output);
            Assert.Contains("events compared: 1059, equal: 1059", output);
            Assert.True(File.Exists(Path.Combine(work, "reports", "q35-2g-slot4m.html")), "no HTML report");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
