using System.Diagnostics;

namespace Boot.Tests;

/// <summary>The `harness` command as a user runs it: exit statuses and messages for good and bad input.</summary>
public class CliTests
{
    private static (int Status, string Output) Harness(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "harness.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "200";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("harness did not finish in 120 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Boot_of_the_port_streams_the_serial_log_to_the_originals_init_panic_and_exits_1()
    {
        // With an empty initfs the port, like the original, fails to execute /bin/init and panics (--help: 1 = panicked).
        var (status, output) = Harness("boot", "--kernel", Repo.Kernel, "--scenario", "q35-2g-slot4m");
        Assert.Equal(1, status);
        Assert.Contains("Kernel: 100000:500000", output);
        Assert.Contains("boot panicked: PANIC: failed to execute init: No such file or directory", output);
    }

    [Fact]
    public void A_kernel_that_is_not_an_elf_is_refused_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-a-kernel-{Guid.NewGuid():N}.bin");
        File.WriteAllText(path, "this is not an ELF file\n");
        try
        {
            var (status, output) = Harness("boot", "--kernel", path, "--scenario", "q35-2g");
            Assert.Equal(2, status);
            Assert.Contains(path, output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_kernel_without_a_symbol_table_is_refused_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"stripped-{Guid.NewGuid():N}.elf");
        File.Copy(Repo.Kernel, path);
        try
        {
            using (var strip = Process.Start("strip", new[] { path })!)
            {
                strip.WaitForExit();
                Assert.Equal(0, strip.ExitCode);
            }
            var (status, output) = Harness("boot", "--kernel", path, "--scenario", "q35-2g");
            Assert.Equal(2, status);
            Assert.Contains(path, output);
            Assert.Contains("symbol table", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unknown_scenario_is_refused_listing_the_known_ones()
    {
        var (status, output) = Harness("boot", "--kernel", Repo.Kernel, "--scenario", "no-such-scenario");
        Assert.Equal(2, status);
        Assert.Contains("no-such-scenario", output);
        Assert.Contains("q35-2g-slot4m", output);
    }

    [Fact]
    public void Scenarios_lists_every_scenario()
    {
        var (status, output) = Harness("scenarios");
        Assert.Equal(0, status);
        foreach (var file in Directory.GetFiles(Repo.Scenarios, "*.toml"))
            Assert.Contains(Path.GetFileNameWithoutExtension(file), output);
    }

    [Fact]
    public void Import_references_copies_each_recording_with_its_provenance()
    {
        var to = Directory.CreateTempSubdirectory("imported-").FullName;
        var from = Directory.CreateTempSubdirectory("to-import-").FullName;
        try
        {
            // The importer reads the first observer's format (observations.jsonl): its test fixture, one folder.
            var fixture = Path.Combine(Repo.Root, "tests", "testdata", "observations", "no-free-above-kernel");
            Directory.CreateDirectory(Path.Combine(from, "no-free-above-kernel"));
            foreach (var f in Directory.GetFiles(fixture))
                File.Copy(f, Path.Combine(from, "no-free-above-kernel", Path.GetFileName(f)));
            var (status, output) = Harness("import-references", "--from", from, "--to", to);
            Assert.True(status == 0, output);
            foreach (var dir in Directory.GetDirectories(from))
            {
                var name = Path.GetFileName(dir);
                Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "observations.jsonl")), File.ReadAllBytes(Path.Combine(to, name, "observations.jsonl")));
                Assert.Contains("sha256", File.ReadAllText(Path.Combine(to, name, "SOURCE.md")), StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            Directory.Delete(to, recursive: true);
            Directory.Delete(from, recursive: true);
        }
    }
}
