using Harness.Scenarios;

namespace Harness.Tests.Scenarios;

/// <summary>The scenario key initfs: a folder relative to the scenario file; refusals with file and line.</summary>
public sealed class InitFsKeyTests
{
    [Fact]
    public void Absent_means_the_recordings_empty_initfs()
    {
        using var dir = new TempDir();
        var s = ScenarioLoader.Load(dir.Write("t.toml", "name = \"t\"\n"));
        Assert.Null(s.InitFs);
        Assert.DoesNotContain("initfs", s.Summary);
    }

    [Fact]
    public void A_relative_folder_is_resolved_against_the_scenario_file_and_need_not_exist_yet()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "sub"));
        var s = ScenarioLoader.Load(dir.Write("sub/t.toml", "name = \"t\"\ninitfs = \"../build/initfs\"\n"));
        Assert.Equal(Path.Combine(dir.Path, "build", "initfs"), s.InitFs);
        Assert.False(Directory.Exists(s.InitFs));
        Assert.EndsWith(", initfs", s.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("initfs = \"/abs/folder\"\n", "must be relative")]
    [InlineData("initfs = \"\"\n", "must name a folder")]
    [InlineData("initfs = 3\n", "initfs")]
    public void Bad_values_are_refused_at_their_line(string line, string fragment)
    {
        using var dir = new TempDir();
        var path = dir.Write("t.toml", "name = \"t\"\n" + line);
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path));
        Assert.StartsWith($"{path}:2:", e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.First.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_committed_userspace_scenarios_name_the_userspace_initfs_and_a_program_each()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var all = ScenarioLoader.LoadAll(Path.Combine(root, "traces", "scenarios"));
        var user = all.Where(s => s.InitFs is not null).ToList();
        Assert.True(user.Count >= 12, $"{user.Count} userspace scenarios");
        foreach (var s in user)
        {
            // build/userspace/initfs holds programs/; build/userspace/initfs-stop the programs of stop/ (they end or hang the machine)
            var stop = s.InitFs == Path.Combine(root, "build", "userspace", "initfs-stop");
            Assert.Equal(Path.Combine(root, "build", "userspace", stop ? "initfs-stop" : "initfs"), s.InitFs);
            Assert.StartsWith("user-", s.Name, StringComparison.Ordinal);
            var program = s.Name["user-".Length..];
            Assert.StartsWith($"TEST={program}\n", s.Boot.Env, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(root, "tests", "userspace", stop ? "stop" : "programs", program + ".asm")), s.Name);
        }
        Assert.Equal(["user-filesz", "user-kreset", "user-kstop"], user.Where(s => s.InitFs!.EndsWith("initfs-stop", StringComparison.Ordinal)).Select(s => s.Name).Order());
    }
}
