namespace Harness.Diff;

/// <summary>divergences.toml cannot be read; the message names the file and the line.</summary>
public sealed class RegistryFormatException(string file, int line, string problem)
    : Exception($"{file}:{line}: {problem}")
{
    /// <summary>The registry file.</summary>
    public string File { get; } = file;

    /// <summary>The 1-based line of the problem.</summary>
    public int Line { get; } = line;
}
