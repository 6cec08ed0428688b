using System.Runtime.CompilerServices;

namespace Harness.Tests.Scenarios;

/// <summary>Paths of the repository (found from this source file, not from the build output) and temp files.</summary>
internal static class ScenarioTestFiles
{
    public static string RepoRoot { get; } = FindRoot();

    public static string ScenariosDir => Path.Combine(RepoRoot, "traces", "scenarios");

    /// <summary>
    /// The first recording of <paramref name="name"/> with the e820.json its observer wrote: the shared copy next to
    /// the repository (shared/reference/NAME), else null (traces/reference/NAME, recorded by `harness references`,
    /// takes its map from the scenario itself).
    /// </summary>
    public static string? ReferenceDir(string name)
    {
        foreach (var candidate in new[]
                 {
                     Path.Combine(RepoRoot, "traces", "reference", name),
                     Path.Combine(RepoRoot, "..", "shared", "reference", name),
                 })
        {
            if (File.Exists(Path.Combine(candidate, "e820.json")))
                return Path.GetFullPath(candidate);
        }

        return null;
    }

    private static string FindRoot([CallerFilePath] string thisFile = "")
    {
        var dir = Path.GetDirectoryName(thisFile);
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "traces", "scenarios")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException($"no traces/scenarios above {thisFile}");
    }
}

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scenario-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relative, string text)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
