using System.Buffers.Binary;

namespace Harness.Diff.Normalise;

/// <summary>One GDT entry, decoded: 8 bytes, or 16 for a system descriptor (TSS, LDT) in long mode.</summary>
/// <param name="Offset">Its byte offset in the GDT (the selector it answers to).</param>
/// <param name="Base">The base address.</param>
/// <param name="Limit">The 20-bit limit.</param>
/// <param name="Access">The access byte (present, DPL, S, type).</param>
/// <param name="Flags">The flags nibble (G, D/B, L, AVL).</param>
/// <param name="IsSystem">True for a 16-byte system descriptor.</param>
internal sealed record GdtEntry(int Offset, ulong Base, ulong Limit, byte Access, byte Flags, bool IsSystem);

/// <summary>One IDT gate, decoded.</summary>
/// <param name="Vector">The interrupt vector.</param>
/// <param name="Handler">The handler's address.</param>
/// <param name="Selector">The code segment selector.</param>
/// <param name="Ist">The interrupt stack table index (0–7).</param>
/// <param name="TypeAttr">Present, DPL and gate type.</param>
internal sealed record IdtGate(int Vector, ulong Handler, ushort Selector, byte Ist, byte TypeAttr)
{
    public bool IsEmpty => Handler == 0 && Selector == 0 && TypeAttr == 0;
}

/// <summary>Decodes the raw bytes of a <c>descriptors</c> record.</summary>
internal static class DescriptorTables
{
    public static List<GdtEntry> Gdt(byte[] bytes)
    {
        var list = new List<GdtEntry>();
        var i = 0;
        while (i + 8 <= bytes.Length)
        {
            var lo = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i));
            var access = (byte)(lo >> 40);
            var type = access & 0xF;
            var system = (access & 0x10) == 0 && (access & 0x80) != 0 && type is 0x2 or 0x9 or 0xB && i + 16 <= bytes.Length;
            var baseAddr = ((lo >> 16) & 0xFF_FFFF) | (((lo >> 56) & 0xFF) << 24);
            if (system) baseAddr |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 8)) << 32;
            var limit = (lo & 0xFFFF) | (((lo >> 48) & 0xF) << 16);
            list.Add(new GdtEntry(i, baseAddr, limit, access, (byte)((lo >> 52) & 0xF), system));
            i += system ? 16 : 8;
        }
        return list;
    }

    public static List<IdtGate> Idt(byte[] bytes)
    {
        var list = new List<IdtGate>();
        for (var i = 0; i + 16 <= bytes.Length; i += 16)
        {
            var lo = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i));
            var hi = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i + 8));
            var handler = (lo & 0xFFFF) | (((lo >> 48) & 0xFFFF) << 16) | ((hi & 0xFFFF_FFFF) << 32);
            list.Add(new IdtGate(i / 16, handler, (ushort)(lo >> 16), (byte)((lo >> 32) & 0x7), (byte)(lo >> 40)));
        }
        return list;
    }

    /// <summary>The 64-bit TSS's fields by name (reserved fields included, so nothing goes unseen), then any bytes past 104.</summary>
    public static List<(string Name, ulong Value)> Tss(byte[] bytes)
    {
        var fields = new List<(string, ulong)>();
        ulong U64(int o) => o + 8 <= bytes.Length ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(o)) : 0;
        ulong U32(int o) => o + 4 <= bytes.Length ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(o)) : 0;
        ulong U16(int o) => o + 2 <= bytes.Length ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(o)) : 0UL;
        fields.Add(("reserved0", U32(0)));
        fields.Add(("rsp0", U64(4)));
        fields.Add(("rsp1", U64(12)));
        fields.Add(("rsp2", U64(20)));
        fields.Add(("reserved1", U64(28)));
        for (var n = 1; n <= 7; n++) fields.Add(($"ist{n}", U64(36 + 8 * (n - 1))));
        fields.Add(("reserved2", U64(92)));
        fields.Add(("reserved3", U16(100)));
        fields.Add(("iomap_base", U16(102)));
        for (var o = 104; o < bytes.Length; o++) fields.Add(($"byte[{o}]", (ulong)bytes[o]));
        fields.Add(("length", (ulong)bytes.Length));
        return fields;
    }
}
