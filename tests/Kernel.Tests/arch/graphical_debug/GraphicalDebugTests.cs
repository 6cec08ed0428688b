using System.Collections.Generic;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.graphical_debug;
using Kernel.arch.x86_64.graphical_debug.debug;
using Kernel.arch.x86_64.graphical_debug.display;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.consts;
using Kernel.Hal;
using Kernel.Tests.memory;
using spin;

namespace Kernel.Tests.arch.graphical_debug;

/// <summary>What graphical_debug::init maps and allocates, per VBE mode (FIDELITY.md §3b).</summary>
[Collection(KernelGlobals.Name)]
public unsafe class GraphicalDebugTests
{
    private const ulong MiB = 1024 * 1024;

    private static List<ulong> Pages(ulong physbaseptr, ulong width, ulong height)
    {
        var list = new List<ulong>();
        PageIter it = GraphicalDebug.OnscreenPages(GraphicalDebug.Onscreen(physbaseptr), width * height);
        while (it.Next() is Page p)
        {
            list.Add(p.StartAddress().Get());
        }
        return list;
    }

    /// <summary>
    /// QUIRK (kept): the framebuffer's range is inclusive of the page holding its end, so at
    /// 1024x768 (exactly 3 MiB) 769 pages are mapped: one past the framebuffer.
    /// </summary>
    [Fact]
    public void Quirk_framebuffer_mapping_at_1024x768_is_769_pages_one_past_the_end()
    {
        List<ulong> pages = Pages(0xFD000000, 1024, 768);
        Assert.Equal(769, pages.Count);
        Assert.Equal(0xFFFFFF00FD000000ul, pages[0]);
        Assert.Equal(0xFFFFFF00FD300000ul, pages[^1]);
        // every page maps its own frame: virtual - KERNEL_OFFSET
        Assert.Equal(0xFD300000ul, pages[^1] - Consts.KERNEL_OFFSET);
        // two P1 tables (P2 entries 488 and 489 of the kernel's P3 entry 3)
        var p2 = new HashSet<ulong>();
        foreach (ulong a in pages) p2.Add(Page.ContainingAddress(new VirtualAddress(a)).P2Index());
        Assert.Equal(new HashSet<ulong> { 488, 489 }, p2);
    }

    [Fact]
    public void Framebuffer_mapping_at_800x600_is_469_pages()
    {
        List<ulong> pages = Pages(0xFD000000, 800, 600);
        Assert.Equal(469, pages.Count); // 1 920 000 bytes: pages 0..468
        Assert.Equal(0xFFFFFF00FD1D4000ul, pages[^1]);
    }

    /// <summary>QUIRK (kept): without VBE the mode info is zero: a 0x0 display still maps one page, KERNEL_OFFSET -> frame 0.</summary>
    [Fact]
    public void Quirk_novga_maps_one_page_at_kernel_offset_to_frame_0()
    {
        List<ulong> pages = Pages(0, 0, 0);
        Assert.Equal(new List<ulong> { Consts.KERNEL_OFFSET }, pages);
    }

    /// <summary>QUIRK (kept): HUGE_PAGE on 4 KiB framebuffer entries (the PAT bit: PAT entry 4, write-combining).</summary>
    [Fact]
    public void Quirk_framebuffer_flags_carry_huge_page_and_mode_info_is_read_only()
    {
        Assert.Equal(EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE | EntryFlags.HUGE_PAGE, GraphicalDebug.FRAMEBUFFER_FLAGS);
        Assert.Equal(0x8000_0000_0000_0083ul, (ulong)GraphicalDebug.FRAMEBUFFER_FLAGS);
        Assert.Equal(EntryFlags.PRESENT | EntryFlags.NO_EXECUTE, GraphicalDebug.MODE_INFO_FLAGS);
        Assert.Equal(0x5000ul, Page.ContainingAddress(new VirtualAddress(GraphicalDebug.MODE_INFO_ADDR)).StartAddress().Get());
    }

    private static (int Growths, ulong Offscreen, ulong Bottom) NewDisplay(ulong width, ulong height)
    {
        using var heap = HostHeap.Install();
        Display d = Display.New(width, height, 0xFFFFFF00FD000000);
        int growths = HostHeap.MapCalls.Count;
        ulong offscreen = (ulong)d.offscreen;
        Assert.Equal(width * height, d.offscreen_len);
        Assert.Equal(0ul, offscreen % 4096);
        for (ulong i = 0; i < width * height; i += 4099)
        {
            Assert.Equal(0u, d.offscreen[i]);
        }
        d.Drop();
        // the buffer is back: the heap is one hole again
        Assert.Single(heap.Holes());
        return (growths, offscreen, (ulong)heap.Buffer);
    }

    /// <summary>
    /// The 3 MiB offscreen buffer is the first large allocation: the empty 1 MiB heap grows twice
    /// during graphical debug init (512 frames) and is then exactly full; the third growth comes
    /// with ACPI's first allocation (FIDELITY.md §3b: 768 frames in three growths).
    /// </summary>
    [Fact]
    public void Offscreen_buffer_at_1024x768_grows_the_heap_twice_to_exactly_3_MiB()
    {
        var (growths, offscreen, bottom) = NewDisplay(1024, 768);
        Assert.Equal(2, growths);
        Assert.Equal(bottom, offscreen);
        Assert.Equal(new[] { (Consts.KERNEL_HEAP_OFFSET + MiB, MiB), (Consts.KERNEL_HEAP_OFFSET + 2 * MiB, MiB) }, HostHeap.MapCalls);
    }

    [Fact]
    public void Offscreen_buffer_at_800x600_grows_the_heap_once()
    {
        var (growths, offscreen, bottom) = NewDisplay(800, 600);
        Assert.Equal(1, growths);
        Assert.Equal(bottom, offscreen);
    }

    [Fact]
    public void Novga_display_is_0x0_with_no_heap_growth()
    {
        var (growths, _, _) = NewDisplay(0, 0);
        Assert.Equal(0, growths);
        using var heap = HostHeap.Install();
        DebugDisplay dd = DebugDisplay.New(Display.New(0, 0, Consts.KERNEL_OFFSET));
        Display back = dd.IntoDisplay();
        Assert.Equal(0ul, back.width * back.height);
        Assert.Equal(Consts.KERNEL_OFFSET, (ulong)back.onscreen);
        back.Drop();
    }

    /// <summary>The Writer draws every piece on the display (when there is one) and sends it to COM1 unchanged.</summary>
    [Fact]
    public void Writer_writes_to_the_display_then_serial()
    {
        using var h = new HostDisplay(32, 32);
        Machine.Reset();
        using (var g = GraphicalDebug.DEBUG_DISPLAY.Lock())
        {
            g.Value.value = DebugDisplay.New(h.Display);
            g.Value.is_some = true;
        }
        try
        {
            using (var w = Writer.New())
            {
                w.WriteStr("Hi\n");
                byte x = (byte)'x';
                w.WriteBytes(&x, 1);
            }
            Assert.Equal("Hi\nx", Machine.Serial);
            Assert.Equal(DisplayTests.Glyph('H'), h.Cell(0, 0));
            Assert.Equal(DisplayTests.Glyph('i'), h.Cell(1, 0));
            Assert.Equal(DisplayTests.Glyph('x'), h.Cell(0, 1));
        }
        finally
        {
            using (var g = GraphicalDebug.DEBUG_DISPLAY.Lock())
            {
                g.Value = default;
            }
        }
    }

    [Fact]
    public void Writer_without_a_display_writes_serial_only()
    {
        Machine.Reset();
        using (var w = Writer.New())
        {
            w.WriteStr("Starting graphical debug\n");
        }
        Assert.Equal("Starting graphical debug\n", Machine.Serial);
    }
}
