using System.Text.Json.Nodes;

namespace Harness.Trace.Json;

/// <summary>Turns the JSON object of one record into the typed model (both formats share the field names).</summary>
internal static class RecordDecoder
{
    public static TraceHeader Header(RecordFields f)
    {
        var format = f.String("format");
        var kernelObj = f.OptObject("kernel");
        var kernel = kernelObj is null
            ? new KernelInfo { Path = f.OptString("elf"), Sha256 = f.OptString("elf_sha256") }
            : Kernel(f, kernelObj);
        var qemu = f.OptObject("qemu");
        var harness = f.OptObject("harness");
        var map = f.OptObject("observation_map");
        return new TraceHeader
        {
            Format = format,
            Scenario = f.String("scenario"),
            Kernel = kernel,
            KernelSlot = f.OptULong("kernel_slot"),
            Args = f.OptArray("args") is { } a ? Args(f, a) : null,
            ArgsPtr = f.OptULong("args_ptr"),
            E820WrittenByObserver = f.OptArray("e820_written_by_observer") is { } e ? E820(f, e) : null,
            QemuVersion = qemu is null ? null : Sub(f, qemu).OptString("version"),
            QemuArgs = qemu is null ? null : Sub(f, qemu).OptArray("args")?.Select(n => f.AsString(n!, "qemu.args")).ToList(),
            HarnessVersion = harness is null ? null : Sub(f, harness).OptString("version"),
            ObservationMap = map is null ? null : new FileIdentity(Sub(f, map).String("path"), Sub(f, map).OptString("sha256")),
        };
    }

    private static RecordFields Sub(RecordFields parent, JsonObject o) => parent.With(o);

    private static KernelInfo Kernel(RecordFields f, JsonObject o)
    {
        var k = f.With(o);
        var sections = new Dictionary<string, ulong>();
        if (k.OptObject("sections") is { } s)
            foreach (var (name, node) in s)
                if (node is not null) sections[name] = f.AsULong(node, $"kernel.sections.{name}");
        var statics = new Dictionary<string, KernelStatic>();
        if (k.OptObject("statics") is { } st)
            foreach (var (name, node) in st)
            {
                if (node is not JsonObject so) throw f.Error($"kernel.statics.{name} is not an object");
                var sf = f.With(so);
                statics[name] = new KernelStatic(sf.ULong("address"), sf.OptULong("size"), sf.OptString("symbol"));
            }
        var handlers = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (k.OptObject("handlers") is { } hs)
            foreach (var (name, node) in hs)
                if (node is not null) handlers[name] = f.AsULong(node, $"kernel.handlers.{name}");
        return new KernelInfo
        {
            Which = k.OptString("which"),
            Path = k.OptString("path") ?? f.OptString("elf"),
            Sha256 = k.OptString("sha256") ?? f.OptString("elf_sha256"),
            Sections = new KernelSections(sections),
            Statics = statics,
            Handlers = handlers,
        };
    }

    private static KernelArgs Args(RecordFields f, JsonArray a)
    {
        if (a.Count != 6) throw f.Error($"field 'args' has {a.Count} values, not the six of KernelArgs");
        var v = a.Select((n, i) => f.AsULong(n ?? throw f.Error($"args[{i}] is null"), $"args[{i}]")).ToArray();
        return new KernelArgs(v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    private static List<E820Entry> E820(RecordFields f, JsonArray a)
    {
        var list = new List<E820Entry>();
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is not JsonArray e || e.Count != 4) throw f.Error($"e820_written_by_observer[{i}] is not [base, length, type, acpi]");
            list.Add(new E820Entry(f.AsULong(e[0]!, "e820.base"), f.AsULong(e[1]!, "e820.length"),
                (uint)f.AsULong(e[2]!, "e820.type"), (uint)f.AsULong(e[3]!, "e820.acpi")));
        }
        return list;
    }

    public static CheckpointRecord Checkpoint(RecordFields f) =>
        new(f.Long("seq"), f.String("name"), Registers(f, f.OptObject("regs")));

    private static CpuRegisters Registers(RecordFields f, JsonObject? regs)
    {
        if (regs is null) return new CpuRegisters();
        var r = f.With(regs);
        var segments = new Dictionary<string, SegmentRegister>();
        foreach (var (name, node) in regs)
        {
            if (name is "gdtr" or "idtr" or "tr" || node is not JsonObject so) continue;
            var s = f.With(so);
            segments[name] = new SegmentRegister(s.ULong("sel"), s.ULong("base"));
        }
        return new CpuRegisters
        {
            Cr0 = r.OptULong("cr0"),
            Cr3 = r.OptULong("cr3"),
            Cr4 = r.OptULong("cr4"),
            Efer = r.OptULong("efer"),
            Gdtr = r.OptObject("gdtr") is { } g ? TableRegister(f.With(g)) : null,
            Idtr = r.OptObject("idtr") is { } i ? TableRegister(f.With(i)) : null,
            Tr = r.OptObject("tr") is { } t ? TaskRegister(f.With(t)) : null,
            Segments = segments,
        };
    }

    private static TableRegister TableRegister(RecordFields t) => new(t.ULong("base"), t.ULong("limit"));

    private static TaskRegister TaskRegister(RecordFields t) => new(t.ULong("sel"), t.ULong("base"), t.ULong("limit"), t.ULong("attr"));

    public static PageTablesRecord PageTables(RecordFields f)
    {
        var tables = new List<PageTable>();
        foreach (var node in f.Array("tables"))
        {
            if (node is not JsonObject to) throw f.Error("page_tables.tables holds a value that is not an object");
            var t = f.With(to);
            var entries = new SortedDictionary<int, ulong>();
            foreach (var (idx, raw) in t.ObjectField("entries"))
            {
                if (!int.TryParse(idx, out var i) || i is < 0 or > 511) throw f.Error($"page table entry index '{idx}' is not 0–511");
                entries[i] = f.AsULong(raw ?? throw f.Error($"page table entry {idx} is null"), $"entries.{idx}");
            }
            var level = (int)t.ULong("level");
            if (level is < 1 or > 4) throw f.Error($"page table level {level} is not 1–4");
            tables.Add(new PageTable(t.ULong("frame"), level, t.ULong("va"), entries));
        }
        return new PageTablesRecord(f.Long("seq"), f.String("checkpoint"), f.ULong("cr3"), tables) { Pat = f.OptULong("pat") };
    }

    public static DescriptorsRecord Descriptors(RecordFields f) =>
        new(f.Long("seq"), f.String("checkpoint"), f.OptBytes("gdt"), f.OptBytes("idt"), f.OptBytes("tss"), f.OptString("error"));

    public static FrameAllocatorRecord FrameAllocator(RecordFields f)
    {
        MemoryArea? area = f.OptObject("current_area") is { } a ? new MemoryArea(f.With(a).ULong("base"), f.With(a).ULong("length")) : null;
        var recycled = Pairs(f, f.Array("recycled"), "recycled").Select(p => new FrameRange(p.Item1, p.Item2)).ToList();
        return new FrameAllocatorRecord(f.Long("seq"), f.String("checkpoint"), f.ULong("next_free_frame"), area, recycled);
    }

    public static HeapRecord Heap(RecordFields f)
    {
        var holes = f.OptArray("holes") is { } h ? Pairs(f, h, "holes").Select(p => new HeapHole(p.Item1, p.Item2)).ToList() : [];
        return new HeapRecord(f.Long("seq"), f.String("checkpoint"), f.Bool("initialised"),
            f.OptULong("bottom"), f.OptULong("size"), f.OptULong("free"), f.OptULong("used"), holes);
    }

    private static IEnumerable<(ulong, ulong)> Pairs(RecordFields f, JsonArray a, string name)
    {
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is not JsonArray p || p.Count != 2 || p[0] is null || p[1] is null) throw f.Error($"{name}[{i}] is not a pair");
            yield return (f.AsULong(p[0]!, $"{name}[{i}][0]"), f.AsULong(p[1]!, $"{name}[{i}][1]"));
        }
    }

    public static TraceEvent Event(RecordFields f) => f.Type switch
    {
        "frame_alloc" => new FrameAllocEvent
        {
            Seq = f.Long("seq"), Phase = f.String("phase"), Caller = f.OptString("caller"),
            Count = f.ULong("count"), Frame = f.OptULong("frame"), Via = f.OptString("via"), Context = f.OptULong("context"),
        },
        "frame_free" => new FrameFreeEvent
        {
            Seq = f.Long("seq"), Phase = f.String("phase"), Caller = f.OptString("caller"),
            Frame = f.ULong("frame"), Count = f.ULong("count"), Context = f.OptULong("context"),
        },
        "heap_extend" => new HeapExtendEvent
        {
            Seq = f.Long("seq"), Phase = f.String("phase"), Caller = f.OptString("caller"), By = f.ULong("by"),
        },
        "heap_map" => new HeapMapEvent
        {
            Seq = f.Long("seq"), Phase = f.String("phase"), Caller = f.OptString("caller"),
            Offset = f.ULong("offset"), Size = f.ULong("size"),
        },
        _ => throw f.Error($"'{f.Type}' is not an event record"),
    };

    public static SerialChunk Serial(RecordFields f) =>
        new(f.Long("seq"), System.Text.Encoding.Latin1.GetBytes(f.String("text")));

    public static EndRecord End(RecordFields f)
    {
        var counters = new Dictionary<string, long>();
        if (f.OptObject("counters") is { } c)
            foreach (var (name, node) in c)
                counters[name] = (long)f.AsULong(node ?? throw f.Error($"counters.{name} is null"), $"counters.{name}");
        return new EndRecord
        {
            Seq = f.Long("seq"),
            Complete = f.Bool("complete"),
            How = f.String("how"),
            ReachedKmain = f.Bool("reached_kmain"),
            LastEventSeq = f.OptULong("last_event_seq") is { } l ? (long)l : null,
            SerialTail = f.OptString("serial_tail"),
            Counters = counters,
            WallSeconds = f.OptDouble("wall_s"),
        };
    }
}
