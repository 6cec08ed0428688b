using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Trace.Json;

namespace Harness.Trace;

/// <summary>
/// Writes a <c>redox-trace/3</c> trace as the boot happens: one JSON line per record, flushed at once,
/// into a name of this run's own (<see cref="OutputFile"/>: <c>NAME.jsonl.PID-START-ID.partial</c>); only
/// <see cref="WriteEnd"/> renames it, whole, to <c>NAME.jsonl</c>. A run that stops early (or whose write fails,
/// e.g. on a full disk) leaves <c>NAME.jsonl.partial</c>, which the reader reports as incomplete.
/// The writer numbers records itself (<c>seq</c> 1, 2, 3, …); the <c>Seq</c> of the records passed in is ignored.
/// </summary>
public sealed class TraceWriter : IDisposable
{
    private const int SerialTailBytes = 512;
    private static readonly HashSet<string> EventTypes = ["frame_alloc", "frame_free", "heap_extend", "heap_map"];

    private readonly OutputFile _file;
    private readonly Dictionary<string, long> _counts = [];
    private readonly List<byte> _serialTail = [];
    private long _seq;
    private long? _lastEventSeq;
    private bool _headerWritten;
    private bool _closed;
    private bool _failed;

    /// <summary>
    /// Starts a trace that will be named <paramref name="finalPath"/> (<c>….jsonl</c>) once complete;
    /// until then it is written under this run's own name (<see cref="WritingPath"/>), and if it is never finished it
    /// ends as <c><paramref name="finalPath"/>.partial</c>. An older file of either name is removed first.
    /// </summary>
    /// <exception cref="OutputPathException">The path cannot be written (a folder, /proc, no permission): nothing is created.</exception>
    public TraceWriter(string finalPath)
    {
        FinalPath = OutputFile.CheckWritable(finalPath);
        PartialPath = FinalPath + TraceFormat.PartialSuffix;
        foreach (var stale in new[] { FinalPath, PartialPath })
        {
            try { File.Delete(stale); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        _file = new OutputFile(FinalPath, PartialPath);
    }

    /// <summary>The name the trace gets when its end record is written.</summary>
    public string FinalPath { get; }

    /// <summary>The name an unfinished trace is left under (<c>FINAL.partial</c>).</summary>
    public string PartialPath { get; }

    /// <summary>The name the trace has while it is written (this run's own).</summary>
    public string WritingPath => _file.TempPath;

    /// <summary>Where the trace is now: the final path, the partial one, or (while written) this run's own name; null when it is gone.</summary>
    public string? CurrentPath => _file.CurrentPath;

    /// <summary>True once a write failed (e.g. a full disk): nothing more is written and the trace is left incomplete.</summary>
    public bool Failed => _failed;

    /// <summary>The seq of the last record written (0 before the first).</summary>
    public long LastSeq => _seq;

    /// <summary>True once the end record is written and the file renamed.</summary>
    public bool IsClosed => _closed;

    /// <summary>Writes the header; it must be the first record. Its <c>format</c> is always <see cref="TraceFormat.Current"/>.</summary>
    public long WriteHeader(TraceHeader header)
    {
        if (_headerWritten) throw new InvalidOperationException("the header is already written");
        _headerWritten = true;
        return Write(RecordEncoder.Header(header, _seq + 1));
    }

    /// <summary>Writes an <c>observation_points</c> record (what the observer watches), given as a JSON object without type/seq.</summary>
    public long WriteObservationPoints(JsonObject fields)
    {
        var o = new JsonObject { ["type"] = "observation_points", ["seq"] = _seq + 1 };
        foreach (var (k, v) in fields)
            if (k is not "type" and not "seq") o[k] = v?.DeepClone();
        return Write(o);
    }

    /// <summary>Writes a <c>checkpoint</c> record.</summary>
    public long WriteCheckpoint(CheckpointRecord checkpoint) => Write(RecordEncoder.Checkpoint(checkpoint, _seq + 1));

    /// <summary>Writes a <c>hang</c> record (where a hung kernel's CPU was), after the <c>hang</c> checkpoint's state.</summary>
    public long WriteHang(HangRecord hang) => Write(hang.Encode(_seq + 1));

    /// <summary>Writes a <c>page_tables</c> record.</summary>
    public long WritePageTables(PageTablesRecord pageTables) => Write(RecordEncoder.PageTables(pageTables, _seq + 1));

    /// <summary>Writes a <c>descriptors</c> record.</summary>
    public long WriteDescriptors(DescriptorsRecord descriptors) => Write(RecordEncoder.Descriptors(descriptors, _seq + 1));

    /// <summary>Writes a <c>frame_allocator</c> record.</summary>
    public long WriteFrameAllocator(FrameAllocatorRecord state) => Write(RecordEncoder.FrameAllocator(state, _seq + 1));

    /// <summary>Writes a <c>heap</c> record.</summary>
    public long WriteHeap(HeapRecord heap) => Write(RecordEncoder.Heap(heap, _seq + 1));

    /// <summary>Writes an event: <c>frame_alloc</c>, <c>frame_free</c>, <c>heap_extend</c> or <c>heap_map</c>.</summary>
    public long WriteEvent(TraceEvent e) => Write(RecordEncoder.Event(e, _seq + 1));

    /// <summary>Writes a <c>syscall</c> record (<c>redox-trace/2</c>).</summary>
    public long WriteSyscall(SyscallRecord s) => Write(Json.SyscallJson.Encode(s, _seq + 1));

    /// <summary>Writes a <c>process</c> record (<c>redox-trace/3</c>).</summary>
    public long WriteProcess(ProcessRecord p) => Write(Json.ProcessJson.Encode(p, _seq + 1));

    /// <summary>Writes an <c>address_space</c> record (<c>redox-trace/3</c>).</summary>
    public long WriteAddressSpace(AddressSpaceRecord a) => Write(Json.ProcessJson.Encode(a, _seq + 1));

    /// <summary>Writes a <c>contexts</c> record (<c>redox-trace/4</c>).</summary>
    public long WriteContexts(ContextsRecord c) => Write(Json.ContextsJson.Encode(c, _seq + 1));

    /// <summary>Writes a <c>serial</c> record with the bytes the kernel wrote to COM1 since the last one. Empty chunks are skipped (returns 0).</summary>
    public long WriteSerial(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return 0;
        var copy = bytes.ToArray();
        _serialTail.AddRange(copy);
        if (_serialTail.Count > SerialTailBytes) _serialTail.RemoveRange(0, _serialTail.Count - SerialTailBytes);
        return Write(RecordEncoder.Serial(copy, _seq + 1));
    }

    /// <summary>
    /// Writes the end record, closes the file and renames it from <c>.partial</c> to its final name.
    /// <c>last_event_seq</c>, <c>serial_tail</c> and <c>counters</c> are filled in by the writer from what it wrote;
    /// the other fields come from <paramref name="end"/> (its Seq is ignored).
    /// </summary>
    public long WriteEnd(EndRecord end)
    {
        var record = end with
        {
            LastEventSeq = _lastEventSeq,
            SerialTail = Encoding.Latin1.GetString([.. _serialTail]),
            Counters = new Dictionary<string, long>(_counts),
        };
        var seq = Write(RecordEncoder.End(record, _seq + 1));
        try
        {
            _file.Commit();
        }
        catch (IOException e)
        {
            _failed = true;
            throw new TraceWriteException($"cannot finish the trace {FinalPath}: {e.InnerException?.Message ?? e.Message}; it is left incomplete" +
                (_file.CurrentPath is { } p ? $" as {p}" : ""), e);
        }
        _closed = true;
        return seq;
    }

    private long Write(JsonObject record)
    {
        if (_closed) throw new InvalidOperationException($"the trace {FinalPath} is already closed");
        if (_failed) throw new TraceWriteException($"the trace {FinalPath} failed earlier; nothing more is written to it");
        var type = (string)record["type"]!;
        if (!_headerWritten) throw new InvalidOperationException($"a '{type}' record before the header");
        _seq++;
        record["seq"] = _seq;
        var line = record.ToJsonString(JsonOptions) + "\n";
        try
        {
            _file.Stream.Write(Encoding.UTF8.GetBytes(line));
            _file.Stream.Flush();
        }
        catch (IOException e)
        {
            // A full disk, a file-size limit, an I/O error: this trace can no longer be one run's whole output.
            _failed = true;
            var left = _file.Abandon();
            throw new TraceWriteException($"cannot write the trace {FinalPath} (record {_seq}, '{type}'): {e.Message}; it is left incomplete" +
                (left is not null ? $" as {left}" : ""), e);
        }
        if (type != "end") _counts[type] = _counts.GetValueOrDefault(type) + 1;
        if (EventTypes.Contains(type)) _lastEventSeq = _seq;
        return _seq;
    }

    // Relaxed escaping keeps callers such as "<T as Trait>::f + 12" readable; the output is still valid JSON.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Closes the file. Without an end record it is left as <c>FINAL.partial</c> (an incomplete trace); with no record at all it is deleted.</summary>
    public void Dispose()
    {
        if (_closed) return;
        if (_seq == 0)
            _file.Discard(); // nothing was written: no empty .partial is left behind
        else
            _file.Abandon();
    }
}

/// <summary>A trace could not be written (a full disk, a file-size limit): the trace is left incomplete.</summary>
public sealed class TraceWriteException(string message, Exception? inner = null) : IOException(message, inner);
