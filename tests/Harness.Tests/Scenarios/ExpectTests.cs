using Harness.Scenarios;

namespace Harness.Tests.Scenarios;

/// <summary>The <c>[expect]</c> table: an expected hang, and every refusal with its file and line.</summary>
public sealed class ExpectTests
{
    private static Scenario LoadGood(string toml)
    {
        using var dir = new TempDir();
        return ScenarioLoader.Load(dir.Write("t.toml", toml));
    }

    private static void AssertError(string toml, int line, int? column, string fragment)
    {
        using var dir = new TempDir();
        var path = dir.Write("t.toml", toml);
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path));
        var prefix = column is null ? $"{path}:{line}:" : $"{path}:{line}:{column}:";
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.First.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_expect_table_no_end_is_expected()
    {
        Assert.Null(LoadGood("name = \"t\"\n").Expect);
    }

    [Fact]
    public void A_hang_with_its_quiet_window_is_read_and_shown_in_the_summary()
    {
        var s = LoadGood("name = \"t\"\n[boot]\ntimeout_s = 60\n[expect]\nend = \"hang\"\nquiet_s = 10\n");
        Assert.Equal(new ExpectSpec(ExpectSpec.Hang, 10), s.Expect);
        Assert.EndsWith(", expects hang (quiet 10 s)", s.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Dotted_keys_are_the_same_table()
    {
        var s = LoadGood("name = \"t\"\nexpect.end = \"hang\"\nexpect.quiet_s = 5\n");
        Assert.Equal(new ExpectSpec("hang", 5), s.Expect);
    }

    [Fact]
    public void The_gate_scales_the_quiet_window_with_its_timeout_factor()
    {
        Assert.Equal(30, new ExpectSpec("hang", 10).Scaled(3).QuietSeconds);
        Assert.Equal(10, new ExpectSpec("hang", 10).Scaled(1).QuietSeconds);
    }

    [Fact]
    public void An_end_other_than_hang_is_refused_at_its_value() =>
        AssertError("name = \"t\"\n[expect]\nend = \"panic\"\nquiet_s = 5\n", 3, 7, "expect.end \"panic\" is not one of \"hang\"");

    [Fact]
    public void An_end_that_is_not_a_string_is_refused() =>
        AssertError("name = \"t\"\n[expect]\nend = 3\nquiet_s = 5\n", 3, 7, "`expect.end` must be a string");

    [Fact]
    public void A_missing_end_is_refused_at_the_table_header() =>
        AssertError("name = \"t\"\n\n[expect]\nquiet_s = 5\n", 3, null, "missing required key `expect.end`");

    [Fact]
    public void A_hang_without_a_quiet_window_is_refused_at_the_table_header() =>
        AssertError("name = \"t\"\n[expect]\nend = \"hang\"\n", 2, null, "missing required key `expect.quiet_s`");

    [Fact]
    public void A_quiet_window_out_of_range_is_refused() =>
        AssertError("name = \"t\"\n[expect]\nend = \"hang\"\nquiet_s = 0\n", 4, 11, "`expect.quiet_s` = 0 is out of range 1..600");

    [Fact]
    public void A_quiet_window_as_long_as_the_timeout_is_refused() =>
        AssertError("name = \"t\"\n[boot]\ntimeout_s = 20\n[expect]\nend = \"hang\"\nquiet_s = 20\n", 6, 11, "must be shorter than boot.timeout_s 20");

    [Fact]
    public void An_unknown_key_is_refused() =>
        AssertError("name = \"t\"\n[expect]\nend = \"hang\"\nquiet_s = 5\nquiet = 5\n", 5, 1, "unknown key `quiet` in [expect] (known keys: end, quiet_s)");

    [Fact]
    public void Expect_must_be_a_table() =>
        AssertError("name = \"t\"\nexpect = \"hang\"\n", 2, 10, "`expect` must be a table");

    [Fact]
    public void The_committed_user_gpdeadlock_expects_a_hang_and_names_its_reference()
    {
        var s = ScenarioLoader.Load(Path.Combine(Harness.Tests.Trace.RepoPaths.Root, "traces", "scenarios", "user-gpdeadlock.toml"));
        Assert.Equal(ExpectSpec.Hang, s.Expect?.End);
        Assert.Equal("user-gpdeadlock", s.Reference);
        Assert.True(Directory.Exists(Path.Combine(Harness.Tests.Trace.RepoPaths.Root, "traces", "reference", "user-gpdeadlock")));
    }
}
