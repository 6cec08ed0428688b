using System.Runtime.CompilerServices;

namespace Harness.Tests.Trace;

/// <summary>Paths into the repository, found from this source file (tests may run from any artifacts folder).</summary>
public static class RepoPaths
{
    /// <summary>The repository's root.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>traces/reference, the recordings of the original kernel (`harness references`).</summary>
    public static string ReferenceRoot => Path.Combine(Root, "traces", "reference");

    /// <summary>The trace file (trace.jsonl) of one reference scenario.</summary>
    public static string Reference(string scenario) => Harness.Trace.TraceReader.ResolveFile(Path.Combine(ReferenceRoot, scenario));

    /// <summary>
    /// A recording in the first observer's format (<c>redox-observations/1</c>: observations.jsonl, serial.log,
    /// e820.json, PROVENANCE.md), kept as test data for that format's reader and the importer: the first
    /// no-free-above-kernel recording (../shared/reference), its page tables cut to their first two tables.
    /// </summary>
    public static string ObservationsFixture => Path.Combine(Root, "tests", "testdata", "observations", "no-free-above-kernel");

    /// <summary>Every imported reference scenario, by folder name.</summary>
    public static IEnumerable<string> ReferenceScenarios =>
        Directory.GetDirectories(ReferenceRoot).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    // From this source file's path; failing that (source paths mapped away in a deterministic build),
    // from the working directory or the test assembly's folder.
    private static string FindRoot([CallerFilePath] string thisFile = "")
    {
        foreach (var start in new[] { Path.GetDirectoryName(thisFile), Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var dir = start;
            while (!string.IsNullOrEmpty(dir) && !Directory.Exists(Path.Combine(dir, "traces", "reference")))
                dir = Path.GetDirectoryName(dir);
            if (!string.IsNullOrEmpty(dir)) return dir;
        }
        throw new InvalidOperationException($"no traces/reference above {thisFile} or the working directory");
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    /// <summary>Creates a fresh folder under the system's temp folder.</summary>
    public TempDir() => Directory.CreateDirectory(Path);

    /// <summary>The folder.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "harness-tests-" + Guid.NewGuid().ToString("n"));

    /// <summary>A path inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
