using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Harness.Trace;

namespace Harness.Report;

/// <summary>
/// Decodes a checkpoint's registers, GDT, IDT and TSS into rows for the HTML report: base, limit, type,
/// DPL and flags of each GDT entry; handler, selector, IST, type and DPL of each IDT gate; the TSS's
/// rsp0–2, IST1–7 and I/O map base. Each row has a key that the diff's paths use
/// (<c>gdt[0x28]</c>, <c>idt[14]</c>, <c>tss.rsp0</c>, <c>gdtr</c>), so the page can mark the rows that differ.
/// </summary>
public static class DescriptorRows
{
    /// <summary>The registers of a checkpoint as (key, label, value) rows.</summary>
    public static JsonArray Registers(CpuRegisters r)
    {
        var rows = new JsonArray();
        void Add(string key, string label, string value) => rows.Add(new JsonArray(key, label, value));
        void Opt(string key, ulong? v) { if (v is { } x) Add(key, key[(key.IndexOf('.') + 1)..], Hex.Format(x)); }
        Opt("page_tables.cr0", r.Cr0);
        Opt("page_tables.cr3", r.Cr3);
        Opt("page_tables.cr4", r.Cr4);
        Opt("page_tables.efer", r.Efer);
        if (r.Gdtr is { } g) Add("descriptors.gdtr", "gdtr", $"base {Hex.Format(g.Base)} limit {Hex.Format(g.Limit)}");
        if (r.Idtr is { } i) Add("descriptors.idtr", "idtr", $"base {Hex.Format(i.Base)} limit {Hex.Format(i.Limit)}");
        if (r.Tr is { } t) Add("descriptors.tr", "tr", $"sel {Hex.Format(t.Sel, 4)} base {Hex.Format(t.Base)} limit {Hex.Format(t.Limit)} attr {Hex.Format(t.Attr)}");
        foreach (var (name, s) in r.Segments.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            Add($"descriptors.{name}", name, $"sel {Hex.Format(s.Sel, 4)} (index {s.Sel >> 3}, {((s.Sel & 4) != 0 ? "LDT" : "GDT")}, RPL {s.Sel & 3}) base {Hex.Format(s.Base)}");
        return rows;
    }

    /// <summary>The GDT's entries: 8 bytes each, 16 for a long-mode system descriptor (TSS, LDT).</summary>
    public static JsonArray Gdt(byte[] bytes)
    {
        var rows = new JsonArray();
        var i = 0;
        while (i + 8 <= bytes.Length)
        {
            var lo = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i));
            var access = (byte)(lo >> 40);
            var flags = (byte)((lo >> 52) & 0xF);
            var type = access & 0xF;
            var isSegment = (access & 0x10) != 0;
            var system = !isSegment && (access & 0x80) != 0 && type is 0x2 or 0x9 or 0xB && i + 16 <= bytes.Length;
            var baseAddr = ((lo >> 16) & 0xFF_FFFF) | (((lo >> 56) & 0xFF) << 24);
            if (system) baseAddr |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 8)) << 32;
            var limit = (lo & 0xFFFF) | (((lo >> 48) & 0xF) << 16);
            var size = system ? 16 : 8;
            rows.Add(new JsonObject
            {
                ["key"] = $"gdt[{Hex.Format((ulong)i)}]",
                ["sel"] = Hex.Format((ulong)i, 2),
                ["null"] = lo == 0 && !system,
                ["base"] = Hex.Format(baseAddr),
                ["limit"] = Hex.Format(limit),
                ["type"] = TypeName(access, flags, system),
                ["dpl"] = (access >> 5) & 3,
                ["p"] = (access & 0x80) != 0,
                ["access"] = Hex.Format(access, 2),
                ["flags"] = FlagNames(flags),
                ["raw"] = Hex.EncodeBytes(bytes.AsSpan(i, size)),
            });
            i += size;
        }
        return rows;
    }

    /// <summary>The IDT's gates (16 bytes each), empty gates left out.</summary>
    public static JsonArray Idt(byte[] bytes)
    {
        var rows = new JsonArray();
        for (var i = 0; i + 16 <= bytes.Length; i += 16)
        {
            var lo = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i));
            var hi = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i + 8));
            var handler = (lo & 0xFFFF) | (((lo >> 48) & 0xFFFF) << 16) | ((hi & 0xFFFF_FFFF) << 32);
            var selector = (ushort)(lo >> 16);
            var attr = (byte)(lo >> 40);
            if (handler == 0 && selector == 0 && attr == 0) continue;
            rows.Add(new JsonObject
            {
                ["key"] = $"idt[{i / 16}]",
                ["vector"] = i / 16,
                ["handler"] = Hex.Format(handler),
                ["sel"] = Hex.Format(selector, 4),
                ["ist"] = (int)((lo >> 32) & 7),
                ["type"] = (attr & 0xF) switch { 0xE => "interrupt gate", 0xF => "trap gate", 0xC => "call gate", var t => $"type {t:x}" },
                ["dpl"] = (attr >> 5) & 3,
                ["p"] = (attr & 0x80) != 0,
            });
        }
        return rows;
    }

    /// <summary>The 64-bit TSS's fields: rsp0–2, IST1–7, the I/O map base, and the length read.</summary>
    public static JsonArray Tss(byte[] bytes)
    {
        var rows = new JsonArray();
        ulong U64(int o) => o + 8 <= bytes.Length ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(o)) : 0;
        ulong U16(int o) => o + 2 <= bytes.Length ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(o)) : 0UL;
        void Add(string name, string value) => rows.Add(new JsonArray($"tss.{name}", name, value));
        Add("rsp0", Hex.Format(U64(4)));
        Add("rsp1", Hex.Format(U64(12)));
        Add("rsp2", Hex.Format(U64(20)));
        for (var n = 1; n <= 7; n++) Add($"ist{n}", Hex.Format(U64(36 + 8 * (n - 1))));
        Add("iomap_base", Hex.Format(U16(102)));
        Add("length", $"{bytes.Length} bytes");
        return rows;
    }

    private static string TypeName(byte access, byte flags, bool system)
    {
        var type = access & 0xF;
        if ((access & 0x10) == 0)
            return type switch
            {
                0x2 => "LDT",
                0x9 => "64-bit TSS (available)",
                0xB => "64-bit TSS (busy)",
                0xC => "call gate",
                0xE => "interrupt gate",
                0xF => "trap gate",
                0 when !system && access == 0 => "null",
                _ => $"system type {type:x}",
            };
        if ((type & 0x8) != 0)
        {
            var bits = ((type & 0x4) != 0 ? "C" : "") + ((type & 0x2) != 0 ? "R" : "") + ((type & 0x1) != 0 ? "A" : "");
            var mode = (flags & 0x2) != 0 ? "64-bit" : (flags & 0x4) != 0 ? "32-bit" : "16-bit";
            return $"code {mode}{(bits.Length > 0 ? " " + bits : "")}";
        }
        var dbits = ((type & 0x4) != 0 ? "E" : "") + ((type & 0x2) != 0 ? "W" : "") + ((type & 0x1) != 0 ? "A" : "");
        return $"data{(dbits.Length > 0 ? " " + dbits : "")}";
    }

    private static string FlagNames(byte flags)
    {
        var parts = new List<string>();
        if ((flags & 0x8) != 0) parts.Add("G");
        if ((flags & 0x4) != 0) parts.Add("D/B");
        if ((flags & 0x2) != 0) parts.Add("L");
        if ((flags & 0x1) != 0) parts.Add("AVL");
        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }
}
