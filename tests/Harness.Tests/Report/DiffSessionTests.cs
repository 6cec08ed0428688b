using Harness.Report;
using Harness.Tests.Trace;
using Harness.Trace;

namespace Harness.Tests.Report;

/// <summary>What `harness diff` and `harness report` refuse, and their exit status.</summary>
public class DiffSessionTests
{
    private static string Ref(string scenario) => Path.Combine(RepoPaths.ReferenceRoot, scenario);

    [Fact]
    public void The_reference_against_itself_passes_with_exit_status_0()
    {
        var s = DiffSession.Run(new DiffRequest { PathA = Ref("q35-2g-slot4m"), PathB = Ref("q35-2g-slot4m"), RegistryPath = Path.Combine(RepoPaths.Root, "traces", "divergences.toml") });

        Assert.True(s.Result.Passed);
        Assert.Equal(0, s.ExitCode);
        Assert.EndsWith("divergences.toml", s.RegistryPath);
    }

    [Fact]
    public void A_modified_copy_on_disk_diverges_at_its_event_with_exit_status_1()
    {
        using var dir = new TempDir();
        var a = TraceReader.Read(Ref("q35-2g-slot4m"));
        var written = TraceCopier.Copy(ReportInputs.ChangeFrame(a, 17), dir.File("port.jsonl"));

        var s = DiffSession.Run(new DiffRequest { PathA = Ref("q35-2g-slot4m"), PathB = written });

        Assert.Equal(1, s.ExitCode);
        Assert.Equal("frames[17]", s.Result.FirstDivergence!.Path);
        Assert.Equal(17, s.Result.FirstDivergence.EventIndex);
    }

    [Fact]
    public void Traces_of_different_scenarios_are_refused_naming_both_unless_forced()
    {
        var request = new DiffRequest { PathA = Ref("q35-2g"), PathB = Ref("q35-2g-slot4m") };

        var e = Assert.Throws<ReportInputException>(() => DiffSession.Run(request));
        Assert.Contains("'q35-2g'", e.Message);
        Assert.Contains("'q35-2g-slot4m'", e.Message);
        Assert.Contains(Path.Combine("q35-2g", "trace.jsonl"), e.Message);
        Assert.Contains(Path.Combine("q35-2g-slot4m", "trace.jsonl"), e.Message);
        Assert.Contains("--force-scenario", e.Message);

        var forced = DiffSession.Run(request with { ForceScenario = true });
        Assert.True(forced.Result.ScenarioMismatch);
        Assert.Equal(1, forced.ExitCode);
    }

    [Fact]
    public void A_corrupt_trace_is_named_with_its_line()
    {
        using var dir = new TempDir();
        var lines = File.ReadAllLines(Path.Combine(Ref("q35-2g-slot4m"), "trace.jsonl"));
        lines[41] = lines[41][..20] + "}{oops";
        var bad = dir.File("bad.jsonl");
        File.WriteAllText(bad, string.Join('\n', lines) + "\n");

        var e = Assert.Throws<ReportInputException>(() => DiffSession.Run(new DiffRequest { PathA = Ref("q35-2g-slot4m"), PathB = bad }));
        Assert.Contains($"{bad}:42:", e.Message);
        Assert.Contains("corrupt JSON", e.Message);
    }

    [Fact]
    public void A_truncated_trace_is_named_with_its_last_line()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(Path.Combine(Ref("q35-2g-slot4m"), "trace.jsonl"));
        var cut = dir.File("cut.jsonl");
        File.WriteAllText(cut, text[..(text.Length / 2)]);
        var lineNo = text[..(text.Length / 2)].Count(c => c == '\n') + 1;

        var e = Assert.Throws<ReportInputException>(() => DiffSession.Run(new DiffRequest { PathA = cut, PathB = Ref("q35-2g-slot4m") }));
        Assert.Contains($"{cut}:{lineNo}:", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_missing_trace_or_registry_is_refused_by_name()
    {
        var e = Assert.Throws<ReportInputException>(() => DiffSession.Run(new DiffRequest { PathA = "/nonexistent/trace.jsonl", PathB = Ref("q35-2g") }));
        Assert.Contains("/nonexistent/trace.jsonl", e.Message);

        var r = Assert.Throws<ReportInputException>(() => DiffSession.Run(new DiffRequest { PathA = Ref("q35-2g"), PathB = Ref("q35-2g"), RegistryPath = "/nonexistent/divergences.toml" }));
        Assert.Contains("/nonexistent/divergences.toml", r.Message);
    }
}
