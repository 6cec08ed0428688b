using System;
using System.Buffers.Binary;
using System.Linq;
using Kernel.arch.x86_64.idt;
using Kernel.Hal;

namespace Kernel.Tests.arch.x86_64;

[Collection(ArchGlobals.Name)]
public unsafe class IdtTests
{
    private static (ushort Selector, byte Zero, byte Attribute, uint Zero2, ulong Offset) Decode(ReadOnlySpan<byte> b, int vector)
    {
        var e = b.Slice(vector * 16, 16);
        ulong offset = BinaryPrimitives.ReadUInt16LittleEndian(e)
            | (ulong)BinaryPrimitives.ReadUInt16LittleEndian(e[6..]) << 16
            | (ulong)BinaryPrimitives.ReadUInt32LittleEndian(e[8..]) << 32;
        return (BinaryPrimitives.ReadUInt16LittleEndian(e[2..]), e[4], e[5], BinaryPrimitives.ReadUInt32LittleEndian(e[12..]), offset);
    }

    [Fact]
    public void Idt_entry_is_16_packed_bytes()
    {
        Assert.Equal(16, sizeof(IdtEntry));
        IdtEntry e = default;
        e.SetFunc(0xffffff00001232d4);
        Assert.Equal(Convert.FromHexString("d4320800008e120000ffffff00000000"), new ReadOnlySpan<byte>(&e, 16).ToArray());
    }

    [Fact]
    public void Init_builds_the_reference_idt_but_for_the_handler_addresses()
    {
        Registers.Reset();
        Idt.Init();
        var mine = new ReadOnlySpan<byte>(Idt.Entries(), 4096).ToArray();
        byte[] reference = ArchReference.DescriptorBytes("idt", "idt_done");
        Assert.Equal(4096, reference.Length);
        for (int v = 0; v < 256; v++)
        {
            var r = Decode(reference, v);
            var m = Decode(mine, v);
            Assert.Equal((v, r.Selector, r.Zero, r.Attribute, r.Zero2, r.Offset != 0), (v, m.Selector, m.Zero, m.Attribute, m.Zero2, m.Offset != 0));
            Assert.Equal(Registers.InterruptEntry((uint)v), m.Offset);
        }
        // interrupt gates, ring 0, but the syscall gate: ring 3
        Assert.Equal(0x8E, Decode(mine, 14).Attribute);
        Assert.Equal(0xEE, Decode(mine, 0x80).Attribute);
        Assert.Equal(new[] { $"lidt limit=0xFFF base=0x{(ulong)Idt.Entries():X}" }, Registers.Log);
    }
}
