using System.Text.Json.Nodes;
using Harness.Trace.Json;

namespace Harness.Trace;

/// <summary>Collects records line by line, checks their order, and builds the <see cref="Trace"/>.</summary>
internal sealed class TraceBuilder(string file)
{
    private static readonly HashSet<string> EventTypes = ["frame_alloc", "frame_free", "heap_extend", "heap_map"];
    private static readonly HashSet<string> StateTypes = ["page_tables", "descriptors", "frame_allocator", "heap"];

    private TraceHeader? _header;
    private long _lastSeq = long.MinValue;
    private EndRecord? _end;
    private readonly List<CheckpointRecord> _checkpoints = [];
    private readonly Dictionary<string, int> _checkpointIndex = [];
    private readonly List<Dictionary<string, object>> _state = [];
    private readonly List<TraceEvent> _events = [];
    private readonly List<SyscallRecord> _syscalls = [];
    private readonly List<ProcessRecord> _processes = [];
    private readonly List<AddressSpaceRecord> _addressSpaces = [];
    private readonly List<ContextsRecord> _contexts = [];
    private readonly List<SerialChunk> _serial = [];
    private readonly List<JsonObject> _observationPoints = [];
    private readonly List<JsonObject> _other = [];
    private readonly Dictionary<string, long> _counts = [];

    public string? Format => _header?.Format;

    public void Add(RecordFields f)
    {
        var type = f.Type;
        var seq = f.Long("seq");
        if (_header is null && type != "header") throw f.Error($"the first record is '{type}', not the header");
        if (_end is not null) throw f.Error($"a '{type}' record follows the end record");
        if (seq <= _lastSeq) throw f.Error($"seq {seq} does not increase (the previous record has seq {_lastSeq})");
        _lastSeq = seq;
        if (type != "end") _counts[type] = _counts.GetValueOrDefault(type) + 1;

        switch (type)
        {
            case "header":
                if (_header is not null) throw f.Error("a second header record");
                var format = f.String("format");
                if (!TraceFormat.Known.Contains(format))
                    throw f.Error($"unknown trace format '{format}': this reader knows {string.Join(" and ", TraceFormat.Known)}");
                _header = RecordDecoder.Header(f);
                break;
            case "checkpoint":
                var c = RecordDecoder.Checkpoint(f);
                _checkpointIndex[c.Name] = _checkpoints.Count;
                _checkpoints.Add(c);
                _state.Add([]);
                break;
            case "serial":
                _serial.Add(RecordDecoder.Serial(f));
                break;
            case "observation_points":
                _observationPoints.Add(f.Object);
                break;
            case SyscallJson.Type:
                _syscalls.Add(SyscallJson.Decode(f));
                break;
            case ProcessJson.ProcessType:
                _processes.Add(ProcessJson.DecodeProcess(f));
                break;
            case ProcessJson.AddressSpaceType:
                _addressSpaces.Add(ProcessJson.DecodeAddressSpace(f));
                break;
            case ContextsJson.Type:
                _contexts.Add(ContextsJson.Decode(f));
                break;
            case "end":
                _end = RecordDecoder.End(f);
                CheckCounters(f, _end);
                break;
            default:
                if (EventTypes.Contains(type)) _events.Add(RecordDecoder.Event(f));
                else if (StateTypes.Contains(type)) AddState(f, type);
                else _other.Add(f.Object);
                break;
        }
    }

    private void AddState(RecordFields f, string type)
    {
        var name = f.String("checkpoint");
        if (!_checkpointIndex.TryGetValue(name, out var index))
            throw f.Error($"'{type}' record names checkpoint '{name}', which no earlier checkpoint record has");
        object record = type switch
        {
            "page_tables" => RecordDecoder.PageTables(f),
            "descriptors" => RecordDecoder.Descriptors(f),
            "frame_allocator" => RecordDecoder.FrameAllocator(f),
            _ => RecordDecoder.Heap(f),
        };
        if (!_state[index].TryAdd(type, record)) throw f.Error($"a second '{type}' record for checkpoint '{name}'");
    }

    private void CheckCounters(RecordFields f, EndRecord end)
    {
        foreach (var (type, expected) in end.Counters)
        {
            var actual = _counts.GetValueOrDefault(type);
            if (actual != expected)
                throw f.Error($"the end record counts {expected} '{type}' records, the file holds {actual}: records are missing or duplicated");
        }
    }

    public SerialLog SerialFromRecords() => _serial.Count == 0 ? SerialLog.None : new SerialLog(_serial, null);

    public Trace Build(SerialLog serial, string? incompleteReason)
    {
        if (_header is null) throw new TraceFormatException(file, null, "the file holds no header record (empty file?)");
        var checkpoints = _checkpoints.Select((c, i) => new Checkpoint
        {
            Name = c.Name,
            Seq = c.Seq,
            Ordinal = i,
            Regs = c.Regs,
            PageTables = _state[i].GetValueOrDefault("page_tables") as PageTablesRecord,
            Descriptors = _state[i].GetValueOrDefault("descriptors") as DescriptorsRecord,
            FrameAllocator = _state[i].GetValueOrDefault("frame_allocator") as FrameAllocatorRecord,
            Heap = _state[i].GetValueOrDefault("heap") as HeapRecord,
        }).ToList();
        return new Trace(file, _header, checkpoints, _events, serial, _end, _observationPoints, _other, incompleteReason)
        {
            Syscalls = _syscalls,
            Processes = _processes,
            AddressSpaces = _addressSpaces,
            Contexts = _contexts,
        };
    }
}
