using Harness.Diff;
using Harness.Report;

namespace Harness.Tests.Report;

/// <summary>The terminal summary: what a divergence, an accepted divergence and a stale entry look like, in a CI log.</summary>
public class TerminalSummaryTests
{
    [Fact]
    public void A_divergence_shows_the_table_the_first_divergence_with_both_values_and_callers_and_the_counts()
    {
        var text = TerminalSummary.ToText(ReportInputs.FrameChanged());

        Assert.Contains("verdict: DIVERGED — first divergence: frames[500] (frames) leading up to graphical_debug_done", text);
        // The table: one row per checkpoint and one for the serial log, the diverged cell with its count.
        Assert.Matches(@"│ graphical_debug_done\s+│ diverged \(1\)\s+│ equal\s+│ equal\s+│ equal\s+│ equal\s+│ ·\s+│", text);
        Assert.Matches(@"│ entry\s+│ equal\s+│ equal\s+│ equal\s+│ equal\s+│ equal\s+│ ·\s+│", text);
        Assert.Matches(@"│ \(whole log\)\s+│ ·\s+│ ·\s+│ ·\s+│ ·\s+│ ·\s+│ equal\s+│", text);
        Assert.Contains("first divergence: frames @ graphical_debug_done, frames[500] (event #500, seq A 536, B 536)", text);
        Assert.Contains("  A: alloc 1 → 0x6f5000 @graphical_debug", text);
        Assert.Contains("  B: alloc 1 → 0xdead000 @graphical_debug", text);
        Assert.Contains("  caller A: kernel::allocator::map_heap", text);
        Assert.Contains("  caller B: kernel::allocator::map_heap", text);
        Assert.Contains("A allocated 1 frame → 0x6f5000 in phase graphical_debug, B allocated 1 frame → 0xdead000", text);
        Assert.Contains("events compared: 1059, equal: 1058, different: 1", text);
        Assert.Contains("accepted divergences: none applied", text);
    }

    [Fact]
    public void The_summary_for_a_log_has_no_escape_codes_and_no_wrapped_lines()
    {
        var text = TerminalSummary.ToText(ReportInputs.FrameChanged());

        Assert.DoesNotContain('\u001b', text);
        // The first divergence's sentence (well over 80 columns) stays on one line.
        var line = Assert.Single(text.Split('\n'), l => l.Contains("At frame event #500"));
        Assert.True(line.Length > 200);
        Assert.Contains("Callers: A kernel::allocator::map_heap", line);
    }

    [Fact]
    public void A_console_on_a_redirected_output_writes_plain_text_at_a_wide_width()
    {
        var sw = new StringWriter();
        var console = TerminalSummary.CreateConsole(sw, redirected: true);
        TerminalSummary.Write(console, ReportInputs.Equal());

        Assert.Equal(TerminalSummary.RedirectedWidth, console.Profile.Width);
        Assert.False(console.Profile.Capabilities.Ansi);
        var text = sw.ToString();
        Assert.DoesNotContain('\u001b', text);
        Assert.Contains("verdict: EQUAL — every observable is equal at every checkpoint", text);
        Assert.Contains("events compared: 1059, equal: 1059", text);
        Assert.DoesNotContain("first divergence", text);
    }

    [Fact]
    public void Accepted_divergences_are_always_printed_with_their_reasons_and_stale_entries_named()
    {
        var registry = DivergenceRegistry.Parse("""
            [[divergence]]
            id = "frame-500"
            observable = "frames"
            path = "frames[500]"
            reason = "planted on purpose by the report's test"

            [[divergence]]
            id = "never-used"
            observable = "heap"
            path = "heap.holes"
            reason = "matches nothing"
            """, "divergences.toml");

        var text = TerminalSummary.ToText(ReportInputs.FrameChanged(registry));

        Assert.Contains("verdict: ACCEPTED", text);
        Assert.Matches(@"│ graphical_debug_done\s+│ accepted \(1\)\s+│", text);
        Assert.Contains("accepted divergences (1 registry entry, 1 difference):", text);
        Assert.Contains("frame-500 (divergences.toml:1): 1 difference, e.g. frames[500] @ graphical_debug_done", text);
        Assert.Contains("reason: planted on purpose by the report's test", text);
        Assert.Contains("STALE registry entry never-used (divergences.toml:7): accepted nothing here", text);
        Assert.DoesNotContain("first divergence", text);
    }
}
