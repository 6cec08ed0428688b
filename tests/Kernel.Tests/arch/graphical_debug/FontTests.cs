using Kernel.arch.x86_64.graphical_debug;

namespace Kernel.Tests.arch.graphical_debug;

/// <summary>The font generated at build time from GNU Unifont (csharp-kernel/tools/font).</summary>
public class FontTests
{
    private static byte[] Glyph(int c)
    {
        var g = new byte[16];
        for (int row = 0; row < 16; row++)
        {
            g[row] = (byte)GraphicalDebug.FONT[16 * c + row];
        }
        return g;
    }

    [Fact]
    public void Font_is_256_glyphs_of_16_bytes()
    {
        Assert.Equal(4096, UnifontFont.DATA.Length);
        Assert.Equal(UnifontFont.DATA, GraphicalDebug.FONT);
        foreach (char c in GraphicalDebug.FONT)
        {
            Assert.True(c <= 0xFF);
        }
    }

    [Fact]
    public void Glyph_A_is_unifonts_8x16_A()
    {
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x00, 0x18, 0x24, 0x24, 0x42, 0x42, 0x7E, 0x42, 0x42, 0x42, 0x42, 0x00, 0x00 }, Glyph('A'));
    }

    [Fact]
    public void Space_is_empty_and_every_printable_ascii_glyph_but_space_has_pixels()
    {
        Assert.All(Glyph(' '), b => Assert.Equal(0, b));
        for (int c = 0x21; c < 0x7F; c++)
        {
            Assert.Contains(Glyph(c), b => b != 0);
        }
    }

    /// <summary>
    /// The original's file holds, for Unifont's double-width glyphs (the control pictures), the first
    /// 16 bytes of the 16x16 bitmap: its top eight rows read as sixteen rows of 8 pixels. The
    /// generator lays them out the same way: NUL's picture starts with the dotted box's top edge.
    /// </summary>
    [Fact]
    public void Double_width_glyphs_keep_the_first_16_bytes_of_their_bitmap()
    {
        byte[] nul = Glyph(0);
        Assert.Equal(new byte[] { 0xAA, 0xAA, 0x00, 0x01, 0x80, 0x00, 0x00, 0x01 }, nul[..8]);
    }
}
