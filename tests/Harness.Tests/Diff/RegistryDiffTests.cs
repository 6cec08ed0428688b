using Harness.Diff;
using Harness.Trace;

namespace Harness.Tests.Diff;

/// <summary>divergences.toml: accepted differences are printed with their reasons, unused entries are stale, bad files name their line.</summary>
public class RegistryDiffTests
{
    private const string File = "divergences.toml";

    private static (Harness.Trace.Trace A, Harness.Trace.Trace B) ChangedAt500()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var target = a.FrameEvents.ElementAt(500);
        return (a, a.EditEvent(a.Events.ToList().IndexOf(target), e => ((FrameAllocEvent)e) with { Frame = 0xdead000 }));
    }

    [Fact]
    public void An_accepted_divergence_is_accepted_and_printed_with_its_reason()
    {
        var (a, b) = ChangedAt500();
        var registry = DivergenceRegistry.Parse("""
            [[divergence]]
            id = "frame-500"
            scenarios = ["q35-2g-*"]
            observable = "frames"
            checkpoint = "graphical_debug_done"
            path = "frames[500]"
            b = "alloc 1 → 0xdead000 @*"
            reason = "the port's frame 500 is planted"
            """, File);

        var r = TraceDiffer.Compare(a, b, registry: registry);

        Assert.Equal(CellStatus.Accepted, r.Status);
        Assert.True(r.Passed);
        Assert.Null(r.FirstDivergence);
        Assert.Equal(CellStatus.Accepted, r.Cell(Observable.Frames, "graphical_debug_done").Status);
        var applied = Assert.Single(r.Accepted);
        Assert.Equal("frame-500", applied.Entry.Id);
        Assert.Equal(1, applied.Count);
        Assert.Empty(r.Stale);
        var text = DiffText.Format(r);
        Assert.Contains("frame-500 (divergences.toml:1)", text);
        Assert.Contains("the port's frame 500 is planted", text);
    }

    [Fact]
    public void An_entry_whose_values_do_not_match_accepts_nothing_and_is_stale()
    {
        var (a, b) = ChangedAt500();
        var registry = DivergenceRegistry.Parse("""
            # a comment
            [[divergence]]
            id = "wrong-value"
            observable = "frames"
            path = "frames[500]"
            b = "alloc 1 → 0xbeef000 @*"
            reason = "not what the port does"

            [[divergence]]
            id = "other-scenario"
            scenario = "q35-32m"
            observable = "serial"
            path = "serial.line[*]"
            reason = "applies elsewhere"
            """, File);

        var r = TraceDiffer.Compare(a, b, registry: registry);

        Assert.Equal(CellStatus.Diverged, r.Status);
        var stale = Assert.Single(r.Stale);
        Assert.Equal("wrong-value", stale.Id);
        Assert.Equal(2, stale.Line);
        Assert.Contains("STALE registry entry wrong-value (divergences.toml:2)", DiffText.Format(r));
        // Over a whole run, the entry of a scenario that was never compared is stale too.
        Assert.Equal(["wrong-value", "other-scenario"], registry.Stale([r]).Select(e => e.Id));
    }

    [Fact]
    public void Heap_holes_can_be_accepted_with_a_glob_and_a_regex()
    {
        var a = TraceEdits.Load("q35-2g-slot4m");
        var b = a.EditCheckpoint("kmain", c => c with { Heap = c.Heap! with { Holes = c.Heap.Holes.Skip(1).ToList(), Free = 1 } });
        var registry = DivergenceRegistry.Parse("""
            [[divergence]]
            id = "holes"
            observable = "heap"
            checkpoint = "kmain"
            path = "heap.holes"
            reason = "today's liballoc"

            [[divergence]]
            id = "free"
            observable = "heap"
            path = "heap.free"
            a = "re:[0-9]+"
            b = "1"
            reason = "follows the holes"
            """, File);

        var r = TraceDiffer.Compare(a, b, registry: registry);
        Assert.Equal(CellStatus.Accepted, r.Status);
        Assert.Equal(["holes", "free"], r.Accepted.Select(x => x.Entry.Id).Order().Reverse());
    }

    [Fact]
    public void The_committed_registry_parses()
    {
        var path = Path.Combine(Harness.Tests.Trace.RepoPaths.Root, "traces", "divergences.toml");
        var registry = DivergenceRegistry.Load(path);
        Assert.All(registry.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
    }

    [Theory]
    [InlineData("[[divergence]]\nid = \"x\"\nobservable = \"frames\"\npath = \"frames[0]\"\n", 1, "lacks 'reason'")]
    [InlineData("[[divergence]]\nid = \"x\"\nobservable = \"frames\"\npath = \"frames[0]\"\nreason = \"r\"\ncolour = \"red\"\n", 6, "unknown key 'colour'")]
    [InlineData("\n\n[[divergence]]\nid = \"x\"\nobservable = \"frame\"\npath = \"p\"\nreason = \"r\"\n", 5, "unknown observable 'frame'")]
    [InlineData("[[divergence]]\nid = \"x\"\nobservable = \"frames\"\npath = \"p\"\nreason = \"r\"\n[[divergence]]\nid = \"x\"\nobservable = \"frames\"\npath = \"q\"\nreason = \"r\"\n", 6, "used twice")]
    [InlineData("[[divergence]]\nid = \"x\"\nreason = \"unterminated\n", 3, "")]
    [InlineData("[other]\nkey = 1\n", 1, "only [[divergence]]")]
    [InlineData("[[divergence]]\nid = \"x\"\nobservable = \"frames\"\npath = \"re:(\"\nreason = \"r\"\n", 4, "not a valid pattern")]
    public void Malformed_registry_names_file_and_line(string text, int line, string problem)
    {
        var e = Assert.Throws<RegistryFormatException>(() => DivergenceRegistry.Parse(text, File));
        Assert.Equal(File, e.File);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"{File}:{line}:", e.Message);
        Assert.Contains(problem, e.Message);
    }
}
