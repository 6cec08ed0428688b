using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Harness.Trace.Import;

/// <summary>What one import copied.</summary>
/// <param name="Scenario">The folder's name (the scenario).</param>
/// <param name="Destination">The folder written.</param>
/// <param name="Files">The files copied, with their sizes and hashes.</param>
/// <param name="Trace">The imported trace, read back to prove it is readable.</param>
public sealed record ImportResult(string Scenario, string Destination, IReadOnlyList<ImportedFile> Files, Trace Trace)
{
    /// <summary>The bytes copied (SOURCE.md not counted).</summary>
    public long TotalBytes => Files.Sum(f => f.Size);
}

/// <summary>One copied file.</summary>
public sealed record ImportedFile(string Name, long Size, string Sha256);

/// <summary>
/// Imports recordings of the original kernel (shared/reference/NAME) into traces/reference/NAME: the
/// original files are copied byte for byte, a SOURCE.md records where they came from, and the copy is
/// read back with <see cref="TraceReader"/> to prove it is a readable trace.
/// </summary>
public static class ReferenceImporter
{
    /// <summary>The files of a reference folder that are copied, when present (observations.jsonl is required).</summary>
    public static readonly IReadOnlyList<string> FileNames = ["observations.jsonl", "serial.log", "PROVENANCE.md", "e820.json"];

    /// <summary>The provenance note written beside the copied files.</summary>
    public const string SourceFileName = "SOURCE.md";

    /// <summary>
    /// Copies the reference folder <paramref name="srcDir"/> into <paramref name="destDir"/> and writes SOURCE.md.
    /// <paramref name="now"/> dates the import (default: today, UTC).
    /// </summary>
    /// <exception cref="TraceFormatException">The source has no observations.jsonl, or it cannot be read as a trace.</exception>
    public static ImportResult Import(string srcDir, string destDir, DateTimeOffset? now = null)
    {
        srcDir = Path.GetFullPath(srcDir);
        var observations = Path.Combine(srcDir, FileNames[0]);
        if (!File.Exists(observations)) throw new TraceFormatException(srcDir, null, $"no {FileNames[0]}: not a reference recording");
        TraceReader.Read(observations); // refuse to import what cannot be read

        Directory.CreateDirectory(destDir);
        var files = new List<ImportedFile>();
        foreach (var name in FileNames)
        {
            var src = Path.Combine(srcDir, name);
            if (!File.Exists(src)) continue;
            var dest = Path.Combine(destDir, name);
            File.Copy(src, dest, overwrite: true);
            File.SetAttributes(dest, FileAttributes.Normal);
            files.Add(new ImportedFile(name, new FileInfo(dest).Length, Sha256(dest)));
            if (Sha256(src) != files[^1].Sha256) throw new IOException($"copy of {src} differs from its source");
        }

        var scenario = Path.GetFileName(srcDir.TrimEnd(Path.DirectorySeparatorChar));
        File.WriteAllText(Path.Combine(destDir, SourceFileName), SourceNote(scenario, srcDir, files, now ?? DateTimeOffset.UtcNow));
        var trace = TraceReader.Read(Path.Combine(destDir, FileNames[0]));
        return new ImportResult(scenario, Path.GetFullPath(destDir), files, trace);
    }

    /// <summary>Imports every subfolder of <paramref name="srcRoot"/> that holds an observations.jsonl into <paramref name="destRoot"/>/NAME.</summary>
    public static IReadOnlyList<ImportResult> ImportAll(string srcRoot, string destRoot, DateTimeOffset? now = null) =>
        Directory.GetDirectories(srcRoot)
            .Where(d => File.Exists(Path.Combine(d, FileNames[0])))
            .OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => Import(d, Path.Combine(destRoot, Path.GetFileName(d)), now))
            .ToList();

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256(string file)
    {
        using var s = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static string SourceNote(string scenario, string srcDir, IReadOnlyList<ImportedFile> files, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# Source of this reference trace: {scenario}\n\n");
        sb.Append("A recording of the original Redox 0.3.5 kernel, imported unchanged by\n");
        sb.Append("`Harness.Trace.Import.ReferenceImporter`. The files are the recorder's own, byte for byte;\n");
        sb.Append("`observations.jsonl` is in the `redox-observations/1` format, which `TraceReader` reads\n");
        sb.Append("(with `serial.log` beside it as the serial output). See traces/FORMAT.md and PROVENANCE.md.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"- **Imported from**: `{srcDir}`\n");
        sb.Append(CultureInfo.InvariantCulture, $"- **Imported on**: {now.UtcDateTime:yyyy-MM-dd}\n\n");
        sb.Append("| file | bytes | sha256 |\n|---|---:|---|\n");
        foreach (var f in files) sb.Append(CultureInfo.InvariantCulture, $"| {f.Name} | {f.Size} | `{f.Sha256}` |\n");
        return sb.ToString();
    }
}
