using System.Diagnostics;

namespace Boot.Tests;

/// <summary>
/// `harness gate` as CI runs it (the real harness.dll, a process): bad scenarios fail alone, named with file and
/// line, while the good ones still boot and pass; the port's own baselines are required, written on request, and a
/// change from them is caught. Each test uses its own scenario folder with one good scenario, so it stays short.
/// </summary>
public class GateTests
{
    private static (int Status, string Output) Harness(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "harness.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(180_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("harness gate did not finish in 180 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>A fresh folder under /tmp, deleted afterwards.</summary>
    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("gate-test-").FullName;

        public string File(string relative, string text)
        {
            var path = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllText(path, text);
            return path;
        }

        public string Copy(string scenario, string? relative = null) =>
            File(relative ?? scenario + ".toml", System.IO.File.ReadAllText(System.IO.Path.Combine(Repo.Scenarios, scenario + ".toml")));

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The gate's table row of <paramref name="scenario"/> (the line that starts with it).</summary>
    private static string Row(string output, string scenario, string? containing = null) =>
        output.Split('\n').FirstOrDefault(l => l.TrimStart('│', ' ').StartsWith(scenario + " ", StringComparison.Ordinal)
                                                && (containing is null || l.Contains(containing, StringComparison.Ordinal)))
        ?? throw new Xunit.Sdk.XunitException($"no table row for {scenario}{(containing is null ? "" : $" with {containing}")} in:\n{output}");

    [Fact]
    public void Bad_scenarios_fail_alone_named_with_file_and_line_while_the_good_one_runs_and_passes()
    {
        using var dir = new TempDir();
        using var output = new TempDir();
        dir.Copy("q35-2g-slot4m");
        var syntax = dir.File("broken-syntax.toml", "name = \"broken-syntax\"\n\n[machine\ntype = \"q35\"\n");
        var wide = dir.File("past-52-bits.toml", """
            name = "past-52-bits"

            [e820]
            source = "explicit"
            areas = [
              { base = 0x0, length = 0x9fc00, type = 1 },
              { base = 0xFFFFFFFFFF000, length = 0x2000, type = 1 },
            ]
            """);
        var machine = dir.File("no-such-machine.toml", "name = \"no-such-machine\"\n\n[machine]\ntype = \"q99\"\n");
        var duplicate = dir.Copy("q35-2g-slot4m", Path.Combine("zz-copy", "q35-2g-slot4m.toml"));

        var (status, text) = Harness("gate", "--kernel", Repo.Kernel, "--scenarios-dir", dir.Path, "--output-dir", output.Path);

        Assert.Equal(1, status);
        Assert.Contains("accepted", Row(text, "q35-2g-slot4m", "reference:q35-2g-slot4m"));
        Assert.Contains("failed-to-load", Row(text, "q35-2g-slot4m", "duplicate scenario name"));
        Assert.True(File.Exists(Path.Combine(output.Path, "reports", "q35-2g-slot4m.html")), text);
        foreach (var (name, file, line) in new[] { ("broken-syntax", syntax, 3), ("past-52-bits", wide, 7), ("no-such-machine", machine, 4) })
        {
            Assert.Contains("failed-to-load", Row(text, name));
            Assert.Contains($"{file}:{line}:", text);
        }
        Assert.Contains("q99", text);
        Assert.Contains($"{duplicate}:1: duplicate scenario name \"q35-2g-slot4m\": also defined in {Path.Combine(dir.Path, "q35-2g-slot4m.toml")}:1", text);
        Assert.Single(text.Split('\n'), l => l.Contains(" done ", StringComparison.Ordinal));
        Assert.Contains("failed-to-load 4", text);
        Assert.Contains("gate FAILED: 4 scenario(s)", text);
    }

    [Fact]
    public void A_scenario_without_reference_needs_a_baseline_gets_one_on_request_and_a_change_from_it_is_a_divergence()
    {
        using var dir = new TempDir();
        using var baselines = new TempDir();
        using var output = new TempDir();
        // Every committed scenario has a reference now; the baseline is for a scenario the original cannot boot.
        dir.File("q35-64m.toml", File.ReadAllText(Path.Combine(Repo.Scenarios, "q35-64m.toml")).Replace("reference = \"q35-64m\"\n", "", StringComparison.Ordinal));
        string[] Gate(params string[] extra) =>
            ["gate", "--kernel", Repo.Kernel, "--scenarios-dir", dir.Path, "--baseline-dir", baselines.Path, "--output-dir", output.Path, .. extra];
        var baseline = Path.Combine(baselines.Path, "q35-64m.jsonl");

        var (status, text) = Harness(Gate());
        Assert.Equal(1, status);
        Assert.Contains("no baseline", Row(text, "q35-64m"));
        Assert.Contains("--update-port-traces", text);

        (status, text) = Harness(Gate("--update-port-traces"));
        Assert.Equal(0, status);
        Assert.True(File.Exists(baseline), text);
        Assert.Contains("port baseline", Row(text, "q35-64m"));
        Assert.Contains("equal", Row(text, "q35-64m"));
        Assert.Contains("gate passed", text);

        // The gate must be able to fail (FIDELITY.md §5): a baseline that says another line was printed.
        File.WriteAllText(baseline, File.ReadAllText(baseline).Replace("Starting graphical debug", "Starting graphical DEBUG", StringComparison.Ordinal));
        (status, text) = Harness(Gate());
        Assert.Equal(1, status);
        var row = Row(text, "q35-64m");
        Assert.Contains("diverged", row);
        Assert.Contains("serial", row);
        Assert.Contains("Starting graphical DEBUG", row);
    }

    [Fact]
    public void A_stale_registry_entry_fails_the_gate_even_when_every_scenario_passes()
    {
        using var dir = new TempDir();
        using var output = new TempDir();
        using var registries = new TempDir(); // not in the scenario folder: every *.toml there is a scenario
        dir.Copy("q35-2g-slot4m");
        var registry = registries.File("divergences.toml", File.ReadAllText(Path.Combine(Repo.Root, "traces", "divergences.toml")) + """

            [[divergence]]
            id = "never-matches"
            scenario = "q35-2g-slot4m"
            observable = "frames"
            path = "frames[999999]"
            reason = "a deliberately stale entry"
            """);

        var (status, text) = Harness("gate", "--kernel", Repo.Kernel, "--scenarios-dir", dir.Path, "--output-dir", output.Path,
            "--registry", registry, "--timeout-factor", "4");

        Assert.Equal(1, status);
        Assert.Contains("accepted", Row(text, "q35-2g-slot4m", "reference:q35-2g-slot4m"));
        Assert.Contains("STALE never-matches", text);
        Assert.Contains("gate FAILED: 1 stale registry entry", text);
        Assert.Contains("stale\tnever-matches", File.ReadAllText(Path.Combine(output.Path, "gate-summary.tsv")));
    }

    [Fact]
    public void A_pending_scenario_that_fails_is_pending_and_one_that_passes_fails_the_gate_naming_its_entry()
    {
        using var dir = new TempDir();
        using var output = new TempDir();
        using var lists = new TempDir();
        dir.Copy("q35-2g-novga");
        // The scenario with half its memory: judged against the recording of the full one, it diverges.
        dir.File("q35-2g-slot4m.toml", File.ReadAllText(Path.Combine(Repo.Scenarios, "q35-2g-slot4m.toml"))
            .Replace("memory_mib = 2048", "memory_mib = 1024"));
        var pending = lists.File("pending.toml", """
            [[pending]]
            scenario = "q35-2g-slot4m"
            reason = "booted with half the memory of its recording"

            [[pending]]
            scenario = "q35-2g-novga"
            reason = "listed although it passes"
            """);

        var (status, text) = Harness("gate", "--kernel", Repo.Kernel, "--scenarios-dir", dir.Path, "--output-dir", output.Path,
            "--pending", pending, "--timeout-factor", "4");

        Assert.Equal(1, status);
        Assert.Contains("pending", Row(text, "q35-2g-slot4m"));
        var summary = File.ReadAllText(Path.Combine(output.Path, "gate-summary.tsv"));
        Assert.Contains("q35-2g-slot4m\tpending\treference:q35-2g-slot4m\tdiverged: ", summary);
        Assert.Contains("(pending: booted with half the memory of its recording)", summary);
        Assert.Contains($"q35-2g-novga\tfailed\treference:q35-2g-novga\tpasses (accepted) but {pending}:6 lists it as pending", summary);
        Assert.Contains("gate FAILED: 1 scenario(s) did not pass", text);
    }

    [Fact]
    public void A_pending_entry_naming_no_scenario_is_refused_with_file_and_line()
    {
        using var dir = new TempDir();
        using var lists = new TempDir();
        dir.Copy("q35-2g-slot4m");
        var pending = lists.File("pending.toml", """
            [[pending]]
            scenario = "no-such-scenario"
            reason = "a typo"
            """);

        var (status, text) = Harness("gate", "--kernel", Repo.Kernel, "--scenarios-dir", dir.Path, "--pending", pending);

        Assert.Equal(2, status);
        Assert.Contains($"{pending}:2: pending scenario \"no-such-scenario\" does not exist: remove the entry", text);
    }
}
