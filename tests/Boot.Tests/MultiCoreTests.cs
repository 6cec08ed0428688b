using System.Text.RegularExpressions;
using System.Diagnostics;
using Harness.Cli;
using Harness.Qemu;

namespace Boot.Tests;

/// <summary>
/// The original's `multi_core` feature (off by default, as in the reference recordings): the port
/// built with -p:PortFeatures=multi_core and booted with 4 CPUs must start the three APs through
/// the loader's trampoline, print what the original's multi_core build prints for the MADT, and
/// then run kmain_ap's context loop on each AP beside kmain's on the BSP.
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
    public async Task A_multi_core_port_starts_the_three_APs_of_q35_2g_smp4_which_run_kmain_aps_context_loop()
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

            Assert.True(result.Outcome is BootOutcome.Panic { Line: "PANIC: failed to execute init: No such file or directory" },
                result.Outcome.Describe() + "\n" + string.Join('\n', result.Serial));

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

            // The rest of ACPI init as in the default build; then kmain on the BSP and kmain_ap on each AP
            // make their own first context (in whichever order the CPUs get there) and run the switch
            // loop; one of them runs userspace_init, which ends the boot with the init panic.
            Assert.Contains("Unable to find DMAR", serial);
            int fini = serial.IndexOf("Finished graphical debug");
            Assert.True(fini >= 0, string.Join('\n', serial));
            var ids = new List<int>();
            var bsp = serial.Where(l => l.StartsWith("BSP: ")).ToList();
            Assert.Single(bsp);
            var m = Regex.Match(bsp[0], @"^BSP: Ok\(ContextId\((\d+)\)\) 4$");
            Assert.True(m.Success, bsp[0]);
            ids.Add(int.Parse(m.Groups[1].Value));
            for (int ap = 1; ap <= 3; ap++)
            {
                var line = serial.Single(l => l.StartsWith($"AP {ap}: "));
                m = Regex.Match(line, $@"^AP {ap}: Ok\(ContextId\((\d+)\)\)$");
                Assert.True(m.Success, line);
                ids.Add(int.Parse(m.Groups[1].Value));
            }
            // four first contexts and userspace_init: ids 1..5, each once
            Assert.Equal(4, ids.Distinct().Count());
            Assert.All(ids, id => Assert.InRange(id, 1, 5));
            Assert.Contains("Env: Ok(\"\")", serial);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
