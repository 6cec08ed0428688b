using System.Text;

namespace Harness.Trace;

/// <summary>One piece of serial output as the observer read it, at its place among the other records.</summary>
/// <param name="Seq">The record's sequence number (0 when the output came from a separate serial.log).</param>
/// <param name="Bytes">The bytes written to COM1.</param>
public sealed record SerialChunk(long Seq, byte[] Bytes);

/// <summary>Everything the kernel wrote to COM1, in order.</summary>
public sealed class SerialLog
{
    /// <summary>No serial output observed.</summary>
    public static readonly SerialLog None = new([], null);

    /// <summary>Creates the log from its chunks; <paramref name="source"/> names a separate file it was read from, if any.</summary>
    public SerialLog(IReadOnlyList<SerialChunk> chunks, string? source)
    {
        Chunks = chunks;
        Source = source;
        var all = new List<byte>();
        foreach (var c in chunks) all.AddRange(c.Bytes);
        Bytes = [.. all];
    }

    /// <summary>The chunks in order.</summary>
    public IReadOnlyList<SerialChunk> Chunks { get; }

    /// <summary>The file the output was read from (a reference's serial.log), or null when it came from serial records.</summary>
    public string? Source { get; }

    /// <summary>True when serial output was observed at all (a file or at least one record).</summary>
    public bool Observed => Source is not null || Chunks.Count > 0;

    /// <summary>All bytes, in order.</summary>
    public byte[] Bytes { get; }

    /// <summary>The bytes as text, one character per byte (Latin-1: exact for any byte).</summary>
    public string Text => Encoding.Latin1.GetString(Bytes);

    /// <summary>The text split into lines at <c>\n</c> (a trailing <c>\r</c> removed); no empty last line for a final newline.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            var lines = Text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            return lines;
        }
    }
}
