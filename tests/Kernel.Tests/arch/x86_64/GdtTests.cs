using System;
using System.Linq;
using Kernel.arch.x86_64.gdt;
using Kernel.Hal;

namespace Kernel.Tests.arch.x86_64;

[Collection(ArchGlobals.Name)]
public unsafe class GdtTests
{
    private static byte[] Bytes(GdtEntry e) => new ReadOnlySpan<byte>(&e, 8).ToArray();

    [Fact]
    public void Gdt_entries_encode_as_the_original()
    {
        Assert.Equal(8, sizeof(GdtEntry));
        Assert.Equal(Convert.FromHexString("00000000009a2000"), Bytes(GdtEntry.New(0, 0, 0x9A, 0x20)));
        var e = GdtEntry.New(0, 0, Gdt.GDT_A_PRESENT | Gdt.GDT_A_RING_3 | Gdt.GDT_A_TSS_AVAIL, 0);
        e.SetOffset(0xc0000050);
        e.SetLimit(0x68);
        Assert.Equal(Convert.FromHexString("6800500000e900c0"), Bytes(e));
        var f = GdtEntry.New(0x12345678, 0xABCDE, 0x92, 0xA5);
        Assert.Equal(Convert.FromHexString("debc785634 92 aa 12".Replace(" ", "")), Bytes(f));
    }

    /// <summary>
    /// Quirk of the original: the TSS descriptor's limit is the TSS's size, 0x68, one more than the
    /// offset of its last byte, and its DPL is 3 (access 0xE9, 0xEB once loaded: busy).
    /// </summary>
    [Fact]
    public void Quirk_tss_limit_is_0x68_and_its_dpl_is_3()
    {
        Assert.Equal(104, sizeof(TaskStateSegment));
        Registers.Reset();
        Registers.ResetTls();
        // The kernel TLS segment's base is the thread control block after the rebuild's TLS image (its size
        // is the build's): the FS base the reference recorded at gdt_done.
        ulong tcb = ArchReference.Hex(ArchReference.Record("checkpoint", "gdt_done").GetProperty("regs").GetProperty("fs").GetProperty("base").GetString()!);
        Gdt.Init(tcb, 0xffffff000009f000);
        GdtEntry tss = Gdt.GDT[Gdt.GDT_TSS];
        Assert.Equal(0x68, tss.limitl);
        Assert.Equal(0xE9, tss.access);
        Assert.Equal(3, (tss.access >> 5) & 3);
    }

    /// <summary>Quirk of the original: the initial GDT's kernel TLS segment has DPL 3 (the per-CPU GDT's has 0).</summary>
    [Fact]
    public void Quirk_initial_gdt_kernel_tls_segment_is_dpl_3()
    {
        Assert.Equal(0xF2, Gdt.InitGdtPointer()->kernel_tls.access);
        Assert.Equal(0x92, Gdt.InitGdtPointer()->kernel_data.access);
    }

    [Fact]
    public void Init_builds_the_reference_gdt_byte_for_byte()
    {
        Registers.Reset();
        Registers.ResetTls();
        // The kernel TLS segment's base is the thread control block after the rebuild's TLS image (its size
        // is the build's): the FS base the reference recorded at gdt_done.
        ulong tcb = ArchReference.Hex(ArchReference.Record("checkpoint", "gdt_done").GetProperty("regs").GetProperty("fs").GetProperty("base").GetString()!);
        Gdt.Init(tcb, 0xffffff000009f000);

        byte[] mine = new ReadOnlySpan<byte>(Gdt.GDT, Gdt.GDT_LEN * 8).ToArray();
        byte[] reference = ArchReference.DescriptorBytes("gdt", "gdt_done");
        Assert.Equal(72, reference.Length);

        // What the CPU did to the reference's bytes: the accessed bit of the data segments it
        // loaded (kernel data and kernel TLS) and the busy bit of the loaded TSS.
        reference[2 * 8 + 5] &= 0xFE;
        reference[3 * 8 + 5] &= 0xFE;
        reference[7 * 8 + 5] = (byte)(reference[7 * 8 + 5] & ~0x02);
        // The TSS's address is this process's (compared by symbol): put the reference's in.
        fixed (byte* m = mine)
        {
            ((GdtEntry*)m)[Gdt.GDT_TSS].SetOffset(0xc0000050);
        }
        Assert.Equal(Convert.ToHexString(reference), Convert.ToHexString(mine));

        // GDTR: limit 0x47, base = the per-CPU GDT
        Assert.Equal(0x47, Gdt.GDTR->limit);
        Assert.Equal((ulong)Gdt.GDT, Gdt.GDTR->@base);
        // TSS: rsp0 = the stack's end, iomap base 0xFFFF
        Assert.Equal(0xffffff000009f000ul, Gdt.TSS->rsp[0]);
        Assert.Equal(0xFFFF, Gdt.TSS->iomap_base);
        Assert.Equal((uint)tcb, (uint)(Gdt.InitGdtPointer()->kernel_tls.offsetl | Gdt.InitGdtPointer()->kernel_tls.offsetm << 16 | Gdt.InitGdtPointer()->kernel_tls.offseth << 24));
    }

    [Fact]
    public void Init_loads_the_initial_gdt_then_the_per_cpu_one_then_the_task_register()
    {
        Registers.Reset();
        Registers.ResetTls();
        // The kernel TLS segment's base is the thread control block after the rebuild's TLS image (its size
        // is the build's): the FS base the reference recorded at gdt_done.
        ulong tcb = ArchReference.Hex(ArchReference.Record("checkpoint", "gdt_done").GetProperty("regs").GetProperty("fs").GetProperty("base").GetString()!);
        Gdt.Init(tcb, 0xffffff000009f000);
        string[] segments = { "cs 0x8", "ds 0x10", "es 0x10", "fs 0x18", "gs 0x10", "ss 0x10" };
        var expected = new[] { $"lgdt limit=0x1F base=0x{(ulong)Gdt.InitGdtPointer():X}" }
            .Concat(segments)
            .Append($"lgdt limit=0x47 base=0x{(ulong)Gdt.GDT:X}")
            .Concat(segments)
            .Append("ltr 0x38");
        Assert.Equal(expected, Registers.Log);
    }

    [Fact]
    public void Selectors_are_index_times_8()
    {
        Assert.Equal(0x08, Gdt.Selector(Gdt.GDT_KERNEL_CODE));
        Assert.Equal(0x18, Gdt.Selector(Gdt.GDT_KERNEL_TLS));
        Assert.Equal(0x38, Gdt.Selector(Gdt.GDT_TSS));
    }
}
