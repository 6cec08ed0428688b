using System;
using System.Runtime.InteropServices;
using Kernel.arch.x86_64.graphical_debug;
using Kernel.arch.x86_64.graphical_debug.debug;
using Kernel.arch.x86_64.graphical_debug.display;
using Kernel.arch.x86_64.graphical_debug.mode_info;
using Kernel.arch.x86_64.graphical_debug.primitive;

namespace Kernel.Tests.arch.graphical_debug;

/// <summary>A display over two host buffers (no heap): the drawing code of display.rs and debug.rs.</summary>
public sealed unsafe class HostDisplay : System.IDisposable
{
    public readonly uint* On;
    public readonly uint* Off;
    public readonly ulong Width, Height;
    public Display Display;

    public HostDisplay(ulong width, ulong height)
    {
        Width = width;
        Height = height;
        On = (uint*)NativeMemory.AllocZeroed((nuint)(width * height * 4 + 4));
        Off = (uint*)NativeMemory.AllocZeroed((nuint)(width * height * 4 + 4));
        Display = new Display { width = width, height = height, onscreen = On, onscreen_len = width * height, offscreen = Off, offscreen_len = width * height };
    }

    public uint OnAt(ulong x, ulong y) => On[y * Width + x];
    public uint OffAt(ulong x, ulong y) => Off[y * Width + x];

    /// <summary>The 8x16 cell at (cx, cy) of the onscreen buffer as 16 row bytes (bit 7 = leftmost, set = non-zero pixel).</summary>
    public byte[] Cell(ulong cx, ulong cy)
    {
        var rows = new byte[16];
        for (ulong r = 0; r < 16; r++)
        {
            byte b = 0;
            for (ulong c = 0; c < 8; c++)
            {
                if (OnAt(cx * 8 + c, cy * 16 + r) != 0)
                {
                    b |= (byte)(0x80 >> (int)c);
                }
            }
            rows[r] = b;
        }
        return rows;
    }

    public void Dispose()
    {
        NativeMemory.Free(On);
        NativeMemory.Free(Off);
    }
}

public unsafe class DisplayTests
{
    internal static byte[] Glyph(int c)
    {
        var g = new byte[16];
        for (int row = 0; row < 16; row++)
        {
            g[row] = (byte)GraphicalDebug.FONT[16 * c + row];
        }
        return g;
    }

    [Fact]
    public void Mode_info_is_the_packed_VBE_block()
    {
        Assert.Equal(50, Marshal.SizeOf<VBEModeInfo>());
        Assert.Equal(50, sizeof(VBEModeInfo));
        Assert.Equal(0x10, (int)Marshal.OffsetOf<VBEModeInfo>("bytesperscanline"));
        Assert.Equal(0x12, (int)Marshal.OffsetOf<VBEModeInfo>("xresolution"));
        Assert.Equal(0x14, (int)Marshal.OffsetOf<VBEModeInfo>("yresolution"));
        Assert.Equal(0x19, (int)Marshal.OffsetOf<VBEModeInfo>("bitsperpixel"));
        Assert.Equal(0x28, (int)Marshal.OffsetOf<VBEModeInfo>("physbaseptr"));
        Assert.Equal(0x30, (int)Marshal.OffsetOf<VBEModeInfo>("offscreenmemsize"));
    }

    [Fact]
    public void Mode_info_fields_read_off_the_loaders_bytes()
    {
        byte[] block = new byte[256];
        System.BitConverter.TryWriteBytes(block.AsSpan(0x12), (ushort)1024);
        System.BitConverter.TryWriteBytes(block.AsSpan(0x14), (ushort)768);
        System.BitConverter.TryWriteBytes(block.AsSpan(0x28), 0xFD000000u);
        fixed (byte* p = block)
        {
            VBEModeInfo* m = (VBEModeInfo*)p;
            Assert.Equal(1024, m->xresolution);
            Assert.Equal(768, m->yresolution);
            Assert.Equal(0xFD000000u, m->physbaseptr);
        }
    }

    [Fact]
    public void Primitives_fill_and_copy_ascending()
    {
        ulong* q = stackalloc ulong[4];
        Primitive.FastSet64(q, 0x1122334455667788, 3);
        q[3] = 7;
        Assert.Equal(0x1122334455667788ul, q[2]);
        Assert.Equal(7ul, q[3]);

        uint* d = stackalloc uint[4];
        Primitive.FastSet32(d, 0xABCDEF, 4);
        Assert.Equal(0xABCDEFu, d[3]);

        byte* b = stackalloc byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte)i;
        // overlapping, towards lower addresses (scrolling): every byte moves down by 2
        Primitive.FastCopy(b, b + 2, 6);
        Assert.Equal(new byte[] { 2, 3, 4, 5, 6, 7, 6, 7 }, new System.Span<byte>(b, 8).ToArray());
        // towards higher addresses rep movsb repeats the pattern
        for (int i = 0; i < 8; i++) b[i] = (byte)i;
        Primitive.FastCopy(b + 2, b, 6);
        Assert.Equal(new byte[] { 0, 1, 0, 1, 0, 1, 0, 1 }, new System.Span<byte>(b, 8).ToArray());
    }

    [Fact]
    public void Char_draws_the_glyphs_set_pixels_only()
    {
        using var h = new HostDisplay(16, 16);
        Primitive.FastSet32(h.Off, 0x123456, 16 * 16);
        h.Display.Char(8, 0, 'A', 0xFFFFFF);
        byte[] a = Glyph('A');
        for (ulong r = 0; r < 16; r++)
        {
            for (ulong c = 0; c < 8; c++)
            {
                bool set = ((a[r] >> (int)(7 - c)) & 1) == 1;
                Assert.Equal(set ? 0xFFFFFFu : 0x123456u, h.OffAt(8 + c, r));
                Assert.Equal(0x123456u, h.OffAt(c, r)); // the other cell is untouched
            }
        }
        Assert.Equal(0u, h.OnAt(9, 9)); // only the offscreen buffer is drawn
    }

    [Fact]
    public void Char_outside_the_display_or_past_the_font_draws_nothing()
    {
        using var h = new HostDisplay(16, 16);
        h.Display.Char(9, 0, 'A', 0xFFFFFF);   // 9 + 8 > 16
        h.Display.Char(0, 1, 'A', 0xFFFFFF);   // 1 + 16 > 16
        h.Display.Char(0, 0, 0x100, 0xFFFFFF); // no glyph
        for (ulong i = 0; i < 256; i++)
        {
            Assert.Equal(0u, h.Off[i]);
        }
    }

    [Fact]
    public void Rect_invert_and_sync_work_on_the_clipped_rectangle()
    {
        using var h = new HostDisplay(8, 4);
        h.Display.Rect(6, 1, 4, 2, 0xFF); // clipped to x 6..7
        Assert.Equal(0xFFu, h.OffAt(6, 1));
        Assert.Equal(0xFFu, h.OffAt(7, 2));
        Assert.Equal(0u, h.OffAt(5, 1));
        Assert.Equal(0u, h.OffAt(6, 3));
        h.Display.Invert(7, 2, 1, 1);
        Assert.Equal(0xFFFFFF00u, h.OffAt(7, 2));
        h.Display.Sync(6, 1, 2, 1);
        Assert.Equal(0xFFu, h.OnAt(6, 1));
        Assert.Equal(0u, h.OnAt(7, 2)); // not in the synced rectangle
    }

    [Fact]
    public void Scroll_moves_the_offscreen_buffer_up_by_whole_pixel_rows()
    {
        using var h = new HostDisplay(4, 4);
        for (uint i = 0; i < 16; i++) h.Off[i] = i;
        h.Display.Scroll(1);
        Assert.Equal(4u, h.OffAt(0, 0));
        Assert.Equal(15u, h.OffAt(3, 2));
        Assert.Equal(15u, h.OffAt(3, 3)); // the last row keeps its old pixels (the console clears it)
        h.Display.Scroll(9); // at most the whole height
        Assert.Equal(4u, h.OffAt(0, 0));
    }

    [Fact]
    public void Debug_display_writes_white_cells_wraps_and_breaks_lines()
    {
        using var h = new HostDisplay(16, 48); // 2 x 3 cells
        var d = DebugDisplay.New(h.Display);
        d.WriteStr("AB");
        Assert.Equal(Glyph('A'), h.Cell(0, 0));
        Assert.Equal(Glyph('B'), h.Cell(1, 0));
        Assert.Equal(0xFFFFFFu, h.OnAt(3, 4)); // a set pixel of 'A' (row 4 = 0x18)
        Assert.Equal((2ul, 0ul), (d.X, d.Y));
        d.WriteStr("C"); // past the right edge: next line
        Assert.Equal(Glyph('C'), h.Cell(0, 1));
        Assert.Equal((1ul, 1ul), (d.X, d.Y));
        d.WriteStr("\nD");
        Assert.Equal(Glyph('D'), h.Cell(0, 2));
        Assert.Equal((1ul, 2ul), (d.X, d.Y));
    }

    [Fact]
    public void Debug_display_scrolls_at_the_bottom()
    {
        using var h = new HostDisplay(16, 32); // 2 x 2 cells
        var d = DebugDisplay.New(h.Display);
        byte* text = stackalloc byte[] { (byte)'A', (byte)'B', (byte)'C', (byte)'D', (byte)'E' };
        d.WriteBytes(text, 5); // AB / CD / E: the third line scrolls everything up one cell row
        Assert.Equal(Glyph('C'), h.Cell(0, 0));
        Assert.Equal(Glyph('D'), h.Cell(1, 0));
        Assert.Equal(Glyph('E'), h.Cell(0, 1));
        Assert.Equal(new byte[16], h.Cell(1, 1)); // cleared by the scroll
        Assert.Equal((1ul, 1ul), (d.X, d.Y));
    }

    [Fact]
    public void Debug_display_decodes_utf8_and_draws_latin1_glyphs()
    {
        using var h = new HostDisplay(16, 16);
        var d = DebugDisplay.New(h.Display);
        byte* text = stackalloc byte[] { 0xC3, 0xA9, 0xE2, 0x82, 0xAC }; // é, € (no glyph: the cell is only cleared)
        d.WriteBytes(text, 5);
        Assert.Equal(Glyph(0xE9), h.Cell(0, 0));
        Assert.Equal(new byte[16], h.Cell(1, 0));
        Assert.Equal(2ul, d.X);
    }
}
