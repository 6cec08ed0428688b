using Harness.Trace;
using Harness.Trace.Import;

namespace Harness.Tests.Trace;

/// <summary>Importing a reference folder copies its files untouched and records where they came from.</summary>
public class ImporterTests
{
    [Fact]
    public void Import_copies_files_byte_for_byte_and_writes_source()
    {
        using var dir = new TempDir();
        var src = RepoPaths.ObservationsFixture;
        var result = ReferenceImporter.Import(src, dir.File("no-free-above-kernel"), new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(["observations.jsonl", "serial.log", "PROVENANCE.md", "e820.json"], result.Files.Select(f => f.Name));
        foreach (var f in result.Files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(src, f.Name)), File.ReadAllBytes(Path.Combine(result.Destination, f.Name)));
        var source = File.ReadAllText(Path.Combine(result.Destination, ReferenceImporter.SourceFileName));
        Assert.Contains(src, source);
        Assert.Contains("2026-11-24", source);
        Assert.Contains(ReferenceImporter.Sha256(Path.Combine(src, "observations.jsonl")), source);
        Assert.Equal("no-free-above-kernel", result.Trace.Header.Scenario);
        Assert.True(result.Trace.IsComplete);
    }

    [Fact]
    public void A_folder_without_observations_is_refused()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<TraceFormatException>(() => ReferenceImporter.Import(dir.Path, dir.File("out")));
        Assert.Contains("observations.jsonl", e.Message);
    }
}
