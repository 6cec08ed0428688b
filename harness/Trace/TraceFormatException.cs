namespace Harness.Trace;

/// <summary>
/// A trace file that cannot be read: corrupt JSON, a truncated last line, a record that lacks a
/// field, an unknown format version. The message always names the file and, when it applies, the line.
/// </summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="file"/> at 1-based <paramref name="line"/> (null: the whole file).</summary>
    public TraceFormatException(string file, int? line, string problem, Exception? inner = null)
        : base(line is { } l ? $"{file}:{l}: {problem}" : $"{file}: {problem}", inner)
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file that could not be read.</summary>
    public string File { get; }

    /// <summary>The 1-based line of the problem, or null when it concerns the whole file.</summary>
    public int? Line { get; }

    /// <summary>The problem alone, without file and line.</summary>
    public string Problem { get; }
}
