using System.Runtime.InteropServices;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.table;
using Kernel.consts;
using Kernel.Hal;
using Kernel.memory;

namespace Kernel.Tests.arch.x86_64;

[Collection(ArchGlobals.Name)]
public unsafe class PagingTests
{
    [Fact]
    public void EntryFlags_have_the_original_bit_values()
    {
        Assert.Equal(1ul, (ulong)EntryFlags.PRESENT);
        Assert.Equal(2ul, (ulong)EntryFlags.WRITABLE);
        Assert.Equal(4ul, (ulong)EntryFlags.USER_ACCESSIBLE);
        Assert.Equal(8ul, (ulong)EntryFlags.WRITE_THROUGH);
        Assert.Equal(0x10ul, (ulong)EntryFlags.NO_CACHE);
        Assert.Equal(0x20ul, (ulong)EntryFlags.ACCESSED);
        Assert.Equal(0x40ul, (ulong)EntryFlags.DIRTY);
        Assert.Equal(0x80ul, (ulong)EntryFlags.HUGE_PAGE);
        Assert.Equal(0x100ul, (ulong)EntryFlags.GLOBAL);
        Assert.Equal(0x8000_0000_0000_0000ul, (ulong)EntryFlags.NO_EXECUTE);
        Assert.Equal(0x000f_ffff_ffff_f000ul, Entry.ADDRESS_MASK);
        Assert.Equal(0x3ff0_0000_0000_0000ul, Entry.COUNTER_MASK);
    }

    [Fact]
    public void EntryFlags_debug_is_bitflags_format()
    {
        Machine.Reset();
        using (var w = Writer.New())
        {
            (EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE).Debug(w);
            w.Str(";");
            ((EntryFlags)0).Debug(w);
        }
        Assert.Equal("PRESENT | WRITABLE | GLOBAL | NO_EXECUTE;(empty)", Machine.Serial);
    }

    [Fact]
    public void Entry_set_keeps_the_counter_bits_and_flags_drop_them()
    {
        var e = new Entry(0x0050_0000_0000_0000); // counter 5
        Assert.True(e.IsUnused());
        e.Set(Frame.ContainingAddress(new PhysicalAddress(0x50a000)), EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
        Assert.Equal(0x8050_0000_0050_a003ul, e.Raw);
        Assert.Equal(5ul, e.CounterBits());
        Assert.False(e.IsUnused());
        Assert.Equal(EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE, e.Flags());
        Assert.Equal(0x50a000ul, e.Address().Get());
        Assert.Equal(0x50a000ul, e.PointedFrame()!.Value.StartAddress().Get());
        e.SetUnused();
        Assert.Equal(0x0050_0000_0000_0000ul, e.Raw);
        Assert.Null(e.PointedFrame());
    }

    /// <summary>
    /// Quirk of the original: decrementing a zero entry count wraps (release arithmetic), and the
    /// wrapped count shifted into bits 52.. also sets bits 62 and 63 (NO_EXECUTE) of entry 0.
    /// </summary>
    [Fact]
    public void Quirk_decrementing_a_zero_entry_count_spills_into_the_no_execute_bit()
    {
        var table = (Table<Level1>*)NativeMemory.AlignedAlloc(4096, 4096);
        try
        {
            table->Zero();
            (*table)[0] = new Entry(0x50a163);
            table->DecrementEntryCount();
            Assert.Equal(0xfff0_0000_0050_a163ul, (*table)[0].Raw);
            Assert.True((*table)[0].Flags().Contains(EntryFlags.NO_EXECUTE));
            Assert.False(table->IsUnused());
        }
        finally
        {
            NativeMemory.AlignedFree(table);
        }
    }

    [Fact]
    public void Entry_count_lives_in_entry_0()
    {
        var table = (Table<Level2>*)NativeMemory.AlignedAlloc(4096, 4096);
        try
        {
            table->Zero();
            Assert.True(table->IsUnused());
            table->IncrementEntryCount();
            table->IncrementEntryCount();
            table->IncrementEntryCount();
            // the reference's L2 of the kernel: 0x30000000507067 = 3 entries, frame 0x507000
            (*table)[0].Set(Frame.ContainingAddress(new PhysicalAddress(0x507000)), EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE | EntryFlags.ACCESSED | EntryFlags.DIRTY);
            Assert.Equal(0x30000000507067ul, (*table)[0].Raw);
            Assert.False(table->IsUnused());
        }
        finally
        {
            NativeMemory.AlignedFree(table);
        }
    }

    [Fact]
    public void Next_table_is_reached_through_the_recursive_mapping()
    {
        var table = (Table<Level4>*)NativeMemory.AlignedAlloc(4096, 4096);
        try
        {
            table->Zero();
            ulong a = (ulong)table;
            (*table)[510] = new Entry(0x505067);
            (*table)[3] = new Entry(0x600083); // huge: not a table
            Assert.Equal((a << 9) | (510ul << 12), (ulong)TableOps.NextTable<Level4, Level3>(table, 510));
            Assert.True(TableOps.NextTable<Level4, Level3>(table, 3) == null);
            Assert.True(TableOps.NextTable<Level4, Level3>(table, 4) == null);
        }
        finally
        {
            NativeMemory.AlignedFree(table);
        }
        // from the PML4 at 0xffff_ffff_ffff_f000: entry 510's P3 is at 0xffff_ffff_ffff_e000
        Assert.Equal(0xffff_ffff_ffff_e000ul, unchecked((TableOps.P4 << 9) | (510ul << 12)));
    }

    [Theory]
    [InlineData(0xffffff0000100000ul, 510, 0, 0, 256)]
    [InlineData(0xffffff0000080000ul, 510, 0, 0, 128)]
    [InlineData(0xfffffe8000000000ul, 509, 0, 0, 0)]
    [InlineData(0xc0000000ul, 0, 3, 0, 0)]
    [InlineData(0xc0001000ul, 0, 3, 0, 1)]
    [InlineData(0x0000060000000000ul, 12, 0, 0, 0)] // USER_TMP_MISC_OFFSET
    public void Page_indices(ulong address, int p4, int p3, int p2, int p1)
    {
        Page page = Page.ContainingAddress(new VirtualAddress(address));
        Assert.Equal((ulong)p4, page.P4Index());
        Assert.Equal((ulong)p3, page.P3Index());
        Assert.Equal((ulong)p2, page.P2Index());
        Assert.Equal((ulong)p1, page.P1Index());
        Assert.Equal(address & ~0xffful, page.StartAddress().Get());
    }

    [Fact]
    public void Temporary_page_is_pml4_12_and_heap_is_pml4_509()
    {
        Assert.Equal(0x0000060000000000ul, Consts.USER_TMP_MISC_OFFSET);
        Assert.Equal(12ul, Consts.USER_TMP_MISC_PML4);
        Assert.Equal(511ul, Consts.RECURSIVE_PAGE_PML4);
        Assert.Equal(509ul, Consts.KERNEL_HEAP_PML4);
    }

    [Fact]
    public void Page_range_is_inclusive()
    {
        var it = Page.RangeInclusive(Page.ContainingAddress(new VirtualAddress(0xc0000000)), Page.ContainingAddress(new VirtualAddress(0xc0001ff7)));
        Assert.Equal(0xc0000000ul, it.Next()!.Value.StartAddress().Get());
        Assert.Equal(0xc0001000ul, it.Next()!.Value.StartAddress().Get());
        Assert.Null(it.Next());
    }

    [Fact]
    public void Pat_is_0x0007040100070406()
    {
        Registers.Reset();
        Paging.InitPat();
        Assert.Equal(new[] { "wrmsr 0x277 0x7040100070406" }, Registers.Log);
    }

    [Fact]
    public void Init_tcb_copies_tdata_zeroes_tbss_and_points_fs_0_at_the_end()
    {
        byte* image = (byte*)NativeMemory.AlignedAlloc(0x2000, 4096);
        byte* block = (byte*)NativeMemory.AlignedAlloc(0x2000, 4096);
        try
        {
            for (int i = 0; i < 0x2000; i++) { image[i] = (byte)(i * 7 + 1); block[i] = 0xCC; }
            ulong start = (ulong)block;
            ulong tcb = Paging.InitTcbAt(start, (ulong)image, (ulong)image + 0x1000, (ulong)image + 0x2000);
            Assert.Equal(start + 0x2000 - 8, tcb);
            Assert.Equal(start + 0x2000, *(ulong*)tcb);
            for (int i = 0; i < 0x1000; i++) Assert.Equal(image[i], block[i]);
            for (int i = 0x1000; i < 0x2000 - 8; i++) Assert.Equal(0, block[i]);
        }
        finally
        {
            NativeMemory.AlignedFree(image);
            NativeMemory.AlignedFree(block);
        }
        // the reference's FS base: a 0x1c98-byte block at 0xc0000000 gives 0xc0001c90
        Assert.Equal(0xc0001c90ul, Consts.KERNEL_PERCPU_OFFSET + 0x1c98 - 8);
    }

    [Fact]
    public void Kernel_pages_get_the_flags_of_their_section_class()
    {
        Registers.Reset();
        ulong[] bounds = { 0x101000, 0x109000, 0x109000, 0x10b000, 0x10b000, 0x10e000, 0x113000, 0x114000, 0x114000, 0x115000, 0x10e000, 0x113000 };
        for (uint i = 0; i < bounds.Length; i++) Registers.Set($"sym{i}", 0xffffff0000000000ul + bounds[i]);
        ulong K = 0xffffff0000000000ul;
        var P = EntryFlags.PRESENT; var G = EntryFlags.GLOBAL; var NX = EntryFlags.NO_EXECUTE; var W = EntryFlags.WRITABLE;
        Assert.Equal(P | G | NX, Paging.SectionFlags(K + 0x100000));      // ELF header: other
        Assert.Equal(P | G, Paging.SectionFlags(K + 0x101000));           // text
        Assert.Equal(P | G | NX, Paging.SectionFlags(K + 0x109000));      // rodata
        Assert.Equal(P | G | NX | W, Paging.SectionFlags(K + 0x10b000));  // data
        Assert.Equal(P | G | NX | W, Paging.SectionFlags(K + 0x10e000));  // bss
        Assert.Equal(P | G | NX, Paging.SectionFlags(K + 0x113000));      // tdata (master copy)
        Assert.Equal(P | G | NX, Paging.SectionFlags(K + 0x114000));      // tbss: other
        Assert.Equal(P | G | NX, Paging.SectionFlags(K + 0x4ff000));      // slot padding: other
        // the raw entries of the reference (heap_done): text 0x101, other 0x8000000000000101 (+ A/D)
        Assert.Equal(0x101ul, (ulong)(P | G));
    }
}
