using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Trace.Json;

namespace Harness.Trace;

/// <summary>How <see cref="TraceReader"/> treats imperfect files.</summary>
public sealed record TraceReadOptions
{
    /// <summary>
    /// When true, a last line cut off mid-record (a run killed while writing) is dropped and the trace
    /// is marked incomplete instead of failing. Default false: a truncated line is an error.
    /// </summary>
    public bool TolerateTruncatedLastLine { get; init; }

    /// <summary>When true (default), a <c>redox-observations/1</c> file takes its serial output from <c>serial.log</c> beside it.</summary>
    public bool LoadSerialLog { get; init; } = true;
}

/// <summary>
/// Reads a trace file of either format (<c>redox-trace/1</c> or <c>redox-observations/1</c>) into a <see cref="Trace"/>.
/// </summary>
public static class TraceReader
{
    /// <summary>The file name of a reference recording's serial output, beside its observations.jsonl.</summary>
    public const string SerialLogFileName = "serial.log";

    /// <summary>
    /// Reads the trace at <paramref name="path"/>: a <c>.jsonl</c> or <c>.jsonl.partial</c> file, or a folder holding
    /// <c>trace.jsonl</c> or <c>observations.jsonl</c>.
    /// </summary>
    /// <exception cref="TraceFormatException">The file is corrupt, truncated or of an unknown format.</exception>
    public static Trace Read(string path, TraceReadOptions? options = null)
    {
        options ??= new TraceReadOptions();
        var file = ResolveFile(path);
        string text;
        try { text = File.ReadAllText(file, Encoding.UTF8); }
        catch (IOException e) { throw new TraceFormatException(file, null, $"cannot be read: {e.Message}", e); }
        var partial = file.EndsWith(TraceFormat.PartialSuffix, StringComparison.Ordinal);
        return Parse(text, file, options, partial);
    }

    /// <summary>Finds the trace file for a path that may name a folder.</summary>
    public static string ResolveFile(string path)
    {
        if (!Directory.Exists(path)) return path;
        foreach (var name in new[] { "trace.jsonl", "observations.jsonl" })
            if (File.Exists(Path.Combine(path, name))) return Path.Combine(path, name);
        var candidates = Directory.GetFiles(path, "*.jsonl").Concat(Directory.GetFiles(path, "*.jsonl" + TraceFormat.PartialSuffix)).ToList();
        return candidates.Count == 1
            ? candidates[0]
            : throw new TraceFormatException(path, null, candidates.Count == 0 ? "folder holds no trace (*.jsonl)" : "folder holds several traces; name one");
    }

    /// <summary>Reads a trace from text; <paramref name="file"/> names it in messages and locates a serial.log beside it.</summary>
    public static Trace Parse(string text, string file, TraceReadOptions? options = null, bool isPartialFile = false)
    {
        options ??= new TraceReadOptions();
        var lines = text.Split('\n');
        var endsWithNewline = text.EndsWith('\n');
        var builder = new TraceBuilder(file);
        string? truncation = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var lineNo = i + 1;
            var isLast = i == lines.Length - 1 || (i == lines.Length - 2 && endsWithNewline && lines[^1].Length == 0);
            if (line.Length == 0) continue;
            JsonObject obj;
            try
            {
                obj = JsonNode.Parse(line) as JsonObject
                      ?? throw new TraceFormatException(file, lineNo, "line is not a JSON object");
            }
            catch (JsonException e)
            {
                var truncated = isLast && !endsWithNewline;
                if (truncated && options.TolerateTruncatedLastLine)
                {
                    truncation = $"line {lineNo} is truncated (the run was cut off while writing it)";
                    break;
                }
                throw new TraceFormatException(file, lineNo,
                    truncated ? "the last line is truncated (no newline at its end and not valid JSON): the file was cut off mid-record"
                              : $"corrupt JSON: {e.Message}", e);
            }
            builder.Add(new RecordFields(obj, file, lineNo));
        }
        var serial = builder.SerialFromRecords();
        if (builder.Format == TraceFormat.Observations1 && options.LoadSerialLog && serial.Chunks.Count == 0)
        {
            var log = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".", SerialLogFileName);
            if (File.Exists(log)) serial = new SerialLog([new SerialChunk(0, File.ReadAllBytes(log))], log);
        }
        var reason = truncation is not null ? $"no end record: {truncation}"
            : isPartialFile ? $"{Path.GetFileName(file)} is a partial trace: the run did not finish (the writer never closed it)"
            : null;
        return builder.Build(serial, reason);
    }
}
