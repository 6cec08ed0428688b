using System.Text.RegularExpressions;
using Harness.Tests.Trace;
using Harness.Trace;

namespace Harness.Tests.Faults;

/// <summary>Issue 12, item 7: the documents say what the code does.</summary>
public partial class DocumentationTests
{
    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([RepoPaths.Root, .. path]));

    /// <summary>The `end.how` values the observer writes (KernelObserver's outcomes).</summary>
    private static readonly string[] HowValues =
        ["kmain", "panic", "timeout", "triple-fault", "qemu-exit", "connection-lost", "reset", "power-off", "loader-error", "qemu-died", "observer-error", "hang"];

    [Fact]
    public void The_end_how_values_are_the_same_in_the_code_FORMAT_md_and_the_observers_README()
    {
        Assert.Equal(HowValues.Order(), EndHow.All.Order());
        var formatRow = Read("traces", "FORMAT.md").Split('\n').Single(l => l.StartsWith("| `how` |", StringComparison.Ordinal));
        Assert.Equal(HowValues.Order(), Quoted(formatRow).Order());
        var readme = Read("harness", "Observe", "README.md");
        var sentence = readme[readme.IndexOf("`how` is", StringComparison.Ordinal)..];
        sentence = sentence[..sentence.IndexOf(". ", StringComparison.Ordinal)];
        Assert.Equal(HowValues.Order(), Quoted(sentence).Order());
    }

    [Fact]
    public void The_scenarios_README_describes_the_table_harness_scenarios_prints()
    {
        var readme = Read("traces", "scenarios", "README.md");
        Assert.DoesNotContain("one line each", readme);
        Assert.Contains("`harness scenarios` prints a table", readme);
    }

    private static IEnumerable<string> Quoted(string text) =>
        Backticked().Matches(text).Select(m => m.Groups[1].Value).Where(v => v != "how").Distinct();

    [GeneratedRegex("`([a-z-]+)`")]
    private static partial Regex Backticked();
}
