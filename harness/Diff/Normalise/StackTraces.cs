namespace Harness.Diff.Normalise;

/// <summary>
/// A panic's stack trace — the "TRACE: rbp" line and the frame lines after it ("  rbp: rip",
/// "    symbol+offset", "    name", " rbp: EMPTY RETURN", "  rbp: GUARD PAGE") — holds one
/// binary's own stack addresses, call depth and symbol names (FIDELITY §3: addresses are compared
/// symbolically, never raw). It is compared as one line, <see cref="Marker"/>; every other line
/// keeps its number in the log.
/// </summary>
public static class StackTraces
{
    /// <summary>What a whole stack trace compares as.</summary>
    public const string Marker = "TRACE: <stack trace>";

    /// <summary>The log's lines with each stack trace folded into <see cref="Marker"/>, each with its 1-based line number.</summary>
    public static IReadOnlyList<(int Line, string Text)> Fold(IReadOnlyList<string> lines)
    {
        var result = new List<(int, string)>(lines.Count);
        var inTrace = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.StartsWith("TRACE: ", StringComparison.Ordinal))
            {
                inTrace = true;
                result.Add((i + 1, Marker));
                continue;
            }
            if (inTrace && line.StartsWith(' '))
                continue;
            inTrace = false;
            result.Add((i + 1, line));
        }
        return result;
    }
}
