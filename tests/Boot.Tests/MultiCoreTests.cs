using System.Diagnostics;
using Harness.Cli;
using Harness.Qemu;

namespace Boot.Tests;

/// <summary>
/// The original's `multi_core` feature (off by default, as in the reference recordings): the port
/// built with -p:PortFeatures=multi_core and booted with 4 CPUs must start the three APs through
/// the loader's trampoline, print what the original's multi_core build prints for the MADT, and
/// still end the boot at kmain with a clean exit.
/// </summary>
public class MultiCoreTests
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
    public async Task A_multi_core_port_starts_the_three_APs_of_q35_2g_smp4_and_ends_cleanly()
    {
        var work = Directory.CreateTempSubdirectory("multicore-").FullName;
        try
        {
            var (built, buildLog) = Run("dotnet", Repo.Root, "build", "csharp-kernel/Kernel.csproj", "-c", "Release", "--nologo",
                "--artifacts-path", Path.Combine(work, "art"), "-p:PortFeatures=multi_core", $"-p:KernelOut={work}/");
            Assert.True(built == 0, buildLog);

            var plan = BootPlan.Prepare(BootPlan.FindScenario("q35-2g-smp4", Repo.Scenarios), Path.Combine(work, "kernel.elf"));
            BootCommand.Result result;
            try
            {
                result = await BootCommand.RunAsync(plan, null, CancellationToken.None);
            }
            finally
            {
                Directory.Delete(plan.WorkDirectory, recursive: true);
            }

            Assert.True(result.Outcome is BootOutcome.ExitedClean { Code: 0x10 }, result.Outcome.Describe() + "\n" + string.Join('\n', result.Serial));

            var serial = result.Serial.ToList();
            int apic = serial.IndexOf("    XAPIC 0: FFFFFF00FEE00000");
            Assert.True(apic >= 0, string.Join('\n', serial));
            Assert.Equal(new[]
            {
                "      LocalApic(MadtLocalApic { processor: 0, id: 0, flags: 1 })",
                "        This is my local APIC",
                "      LocalApic(MadtLocalApic { processor: 1, id: 1, flags: 1 })",
                "        AP 1: IPI... SIPI... Wait... Trampoline... Ready",
                "      LocalApic(MadtLocalApic { processor: 2, id: 2, flags: 1 })",
                "        AP 2: IPI... SIPI... Wait... Trampoline... Ready",
                "      LocalApic(MadtLocalApic { processor: 3, id: 3, flags: 1 })",
                "        AP 3: IPI... SIPI... Wait... Trampoline... Ready",
            }, serial.Skip(apic + 1).Take(8));

            // The rest of ACPI init and the end of the boot as in the default build
            Assert.Contains("Unable to find DMAR", serial);
            Assert.Equal("Finished graphical debug", serial[^1]);
            Assert.DoesNotContain(serial, l => l.StartsWith("PANIC"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
