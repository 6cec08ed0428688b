using System.Text.Json.Nodes;

namespace Harness.Trace.Json;

/// <summary>Turns typed records into the JSON objects of <c>redox-trace/2</c> (field names and number styles of the reference).</summary>
internal static class RecordEncoder
{
    private static JsonObject Start(string type, long seq) => new() { ["type"] = type, ["seq"] = seq };

    private static JsonNode? HexOrNull(ulong? v) => v is { } x ? Hex.Format(x) : null;

    public static JsonObject Header(TraceHeader h, long seq)
    {
        var o = Start("header", seq);
        o["format"] = TraceFormat.Current;
        o["scenario"] = h.Scenario;
        o["elf"] = h.Kernel.Path;
        o["elf_sha256"] = h.Kernel.Sha256;
        o["kernel"] = Kernel(h.Kernel);
        o["kernel_slot"] = HexOrNull(h.KernelSlot);
        o["args_ptr"] = HexOrNull(h.ArgsPtr);
        o["args"] = h.Args is null ? null : new JsonArray(h.Args.ToList().Select(v => (JsonNode?)Hex.Format(v)).ToArray());
        o["e820_written_by_observer"] = h.E820WrittenByObserver is null ? null
            : new JsonArray(h.E820WrittenByObserver.Select(e => (JsonNode?)new JsonArray(e.Base, e.Length, e.Type, e.Acpi)).ToArray());
        o["qemu"] = new JsonObject
        {
            ["version"] = h.QemuVersion,
            ["args"] = h.QemuArgs is null ? null : new JsonArray(h.QemuArgs.Select(a => (JsonNode?)a).ToArray()),
        };
        o["harness"] = new JsonObject { ["version"] = h.HarnessVersion };
        o["observation_map"] = h.ObservationMap is null ? null
            : new JsonObject { ["path"] = h.ObservationMap.Path, ["sha256"] = h.ObservationMap.Sha256 };
        return o;
    }

    private static JsonObject Kernel(KernelInfo k)
    {
        var sections = new JsonObject();
        foreach (var (name, va) in k.Sections.Symbols.OrderBy(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal))
            sections[name] = Hex.Format(va);
        var statics = new JsonObject();
        foreach (var (name, s) in k.Statics.OrderBy(s => s.Key, StringComparer.Ordinal))
            statics[name] = new JsonObject { ["address"] = Hex.Format(s.Address), ["size"] = s.Size, ["symbol"] = s.Symbol };
        var handlers = new JsonObject();
        foreach (var (name, va) in k.Handlers.OrderBy(h => h.Value).ThenBy(h => h.Key, StringComparer.Ordinal))
            handlers[name] = Hex.Format(va);
        var o = new JsonObject
        {
            ["which"] = k.Which,
            ["path"] = k.Path,
            ["sha256"] = k.Sha256,
            ["sections"] = sections,
            ["statics"] = statics,
        };
        if (handlers.Count > 0) o["handlers"] = handlers;
        return o;
    }

    public static JsonObject Checkpoint(CheckpointRecord c, long seq)
    {
        var o = Start("checkpoint", seq);
        o["name"] = c.Name;
        var r = c.Regs;
        var regs = new JsonObject();
        if (r.Gdtr is { } g) regs["gdtr"] = new JsonObject { ["base"] = Hex.Format(g.Base, 16), ["limit"] = Hex.Format(g.Limit, 8) };
        if (r.Idtr is { } i) regs["idtr"] = new JsonObject { ["base"] = Hex.Format(i.Base, 16), ["limit"] = Hex.Format(i.Limit, 8) };
        if (r.Tr is { } t)
            regs["tr"] = new JsonObject
            {
                ["sel"] = Hex.Format(t.Sel, 4), ["base"] = Hex.Format(t.Base, 16),
                ["limit"] = Hex.Format(t.Limit, 8), ["attr"] = Hex.Format(t.Attr, 8),
            };
        foreach (var (name, s) in r.Segments)
            regs[name] = new JsonObject { ["sel"] = Hex.Format(s.Sel, 4), ["base"] = Hex.Format(s.Base, 16) };
        if (r.Cr0 is { } cr0) regs["cr0"] = Hex.Format(cr0, 8);
        if (r.Cr3 is { } cr3) regs["cr3"] = Hex.Format(cr3, 16);
        if (r.Cr4 is { } cr4) regs["cr4"] = Hex.Format(cr4, 8);
        if (r.Efer is { } efer) regs["efer"] = Hex.Format(efer, 16);
        o["regs"] = regs;
        return o;
    }

    public static JsonObject PageTables(PageTablesRecord p, long seq)
    {
        var o = Start("page_tables", seq);
        o["checkpoint"] = p.Checkpoint;
        o["cr3"] = Hex.Format(p.Cr3);
        if (p.Pat is { } pat) o["pat"] = Hex.Format(pat, 16);
        var tables = new JsonArray();
        foreach (var t in p.Tables)
        {
            var entries = new JsonObject();
            foreach (var (i, e) in t.Entries.OrderBy(e => e.Key))
                if (e != 0) entries[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Hex.Format(e);
            tables.Add(new JsonObject { ["frame"] = Hex.Format(t.Frame), ["level"] = t.Level, ["va"] = Hex.Format(t.Va), ["entries"] = entries });
        }
        o["tables"] = tables;
        return o;
    }

    public static JsonObject Descriptors(DescriptorsRecord d, long seq)
    {
        var o = Start("descriptors", seq);
        o["checkpoint"] = d.Checkpoint;
        if (d.Gdt is not null) o["gdt"] = Hex.EncodeBytes(d.Gdt);
        if (d.Idt is not null) o["idt"] = Hex.EncodeBytes(d.Idt);
        if (d.Tss is not null) o["tss"] = Hex.EncodeBytes(d.Tss);
        if (d.Error is not null) o["error"] = d.Error;
        return o;
    }

    public static JsonObject FrameAllocator(FrameAllocatorRecord f, long seq)
    {
        var o = Start("frame_allocator", seq);
        o["checkpoint"] = f.Checkpoint;
        o["next_free_frame"] = Hex.Format(f.NextFreeFrame);
        o["current_area"] = f.CurrentArea is null ? null
            : new JsonObject { ["base"] = Hex.Format(f.CurrentArea.Base), ["length"] = Hex.Format(f.CurrentArea.Length) };
        o["recycled"] = new JsonArray(f.Recycled.Select(r => (JsonNode?)new JsonArray(Hex.Format(r.Address), r.Count)).ToArray());
        return o;
    }

    public static JsonObject Heap(HeapRecord h, long seq)
    {
        var o = Start("heap", seq);
        o["checkpoint"] = h.Checkpoint;
        o["initialised"] = h.Initialised;
        if (!h.Initialised) return o;
        o["bottom"] = HexOrNull(h.Bottom);
        o["size"] = h.Size;
        o["free"] = h.Free;
        o["used"] = h.Used;
        o["holes"] = new JsonArray(h.Holes.Select(x => (JsonNode?)new JsonArray(Hex.Format(x.Address), x.Size)).ToArray());
        return o;
    }

    public static JsonObject Event(TraceEvent e, long seq)
    {
        var o = Start(e.Type, seq);
        o["phase"] = e.Phase;
        switch (e)
        {
            case FrameAllocEvent a:
                o["count"] = a.Count;
                o["frame"] = HexOrNull(a.Frame);
                break;
            case FrameFreeEvent f:
                o["frame"] = Hex.Format(f.Frame);
                o["count"] = f.Count;
                break;
            case HeapExtendEvent x:
                o["by"] = x.By;
                break;
            case HeapMapEvent m:
                o["offset"] = Hex.Format(m.Offset);
                o["size"] = Hex.Format(m.Size);
                break;
            default:
                throw new ArgumentException($"unknown event type {e.GetType().Name}", nameof(e));
        }
        o["caller"] = e.Caller;
        if (e is FrameAllocEvent { Via: { } via }) o["via"] = via;
        if (e.Context is { } context) o["context"] = context;
        return o;
    }

    public static JsonObject Serial(byte[] bytes, long seq)
    {
        var o = Start("serial", seq);
        o["text"] = System.Text.Encoding.Latin1.GetString(bytes);
        return o;
    }

    public static JsonObject End(EndRecord e, long seq)
    {
        var o = Start("end", seq);
        o["how"] = e.How;
        o["reached_kmain"] = e.ReachedKmain;
        o["complete"] = e.Complete;
        o["last_event_seq"] = e.LastEventSeq;
        o["serial_tail"] = e.SerialTail;
        var counters = new JsonObject();
        foreach (var (k, v) in e.Counters.OrderBy(c => c.Key, StringComparer.Ordinal)) counters[k] = v;
        o["counters"] = counters;
        if (e.WallSeconds is { } w) o["wall_s"] = w;
        return o;
    }
}
