using alloc.allocator;
using alloc.heap;
using Kernel.arch.x86_64.graphical_debug.primitive;

namespace Kernel.arch.x86_64.graphical_debug.display
{
    /// <summary>
    /// display.rs: a display — the linear framebuffer (onscreen) and a copy of it on the kernel heap
    /// (offscreen) that every drawing goes to first. The original's `&amp;'static mut [u32]` slices are
    /// a pointer and a length each.
    /// </summary>
    public unsafe struct Display
    {
        public ulong width;
        public ulong height;
        public uint* onscreen;
        public ulong onscreen_len;
        public uint* offscreen;
        public ulong offscreen_len;

        /// <summary>
        /// The offscreen buffer is width x height x 4 bytes, 4096-aligned, taken from the kernel heap
        /// (at 1024x768 this 3 MiB request is what grows the heap during graphical debug init) and
        /// zeroed as size/2 u64s.
        /// </summary>
        public static Display New(ulong width, ulong height, ulong onscreen)
        {
            ulong size = width * height;
            AllocResult result = Heap.Alloc(Layout.FromSizeAlignUnchecked(size * 4, 4096));
            if (!result.is_ok)
            {
                // Result::unwrap of the allocation
                var w = Panic.Begin();
                w.WriteStr("called `Result::unwrap()` on an `Err` value: ");
                result.err.Debug(w);
                Panic.End(w, "libcore/result.rs", 916);
            }
            byte* offscreen = result.ok;
            Primitive.FastSet64((ulong*)offscreen, 0, size / 2);
            return new Display
            {
                width = width,
                height = height,
                onscreen = (uint*)onscreen,
                onscreen_len = size,
                offscreen = (uint*)offscreen,
                offscreen_len = size,
            };
        }

        /// <summary>Draw a rectangle (clipped to the display; the row offset uses the unclipped y, as in the original).</summary>
        public void Rect(ulong x, ulong y, ulong w, ulong h, uint color)
        {
            ulong start_y = Min(height, y);
            ulong end_y = Min(height, y + h);

            ulong start_x = Min(width, x);
            ulong len = Min(width, x + w) - start_x;

            ulong offscreen_ptr = (ulong)offscreen;

            ulong stride = width * 4;

            ulong offset = y * stride + start_x * 4;
            offscreen_ptr += offset;

            ulong rows = end_y - start_y;
            while (rows > 0)
            {
                Primitive.FastSet32((uint*)offscreen_ptr, color, len);
                offscreen_ptr += stride;
                rows -= 1;
            }
        }

        /// <summary>Invert a rectangle.</summary>
        public void Invert(ulong x, ulong y, ulong w, ulong h)
        {
            ulong start_y = Min(height, y);
            ulong end_y = Min(height, y + h);

            ulong start_x = Min(width, x);
            ulong len = Min(width, x + w) - start_x;

            ulong offscreen_ptr = (ulong)offscreen;

            ulong stride = width * 4;

            ulong offset = y * stride + start_x * 4;
            offscreen_ptr += offset;

            ulong rows = end_y - start_y;
            while (rows > 0)
            {
                ulong row_ptr = offscreen_ptr;
                ulong cols = len;
                while (cols > 0)
                {
                    uint color = *(uint*)row_ptr;
                    *(uint*)row_ptr = ~color;
                    row_ptr += 4;
                    cols -= 1;
                }
                offscreen_ptr += stride;
                rows -= 1;
            }
        }

        /// <summary>
        /// Draw a character: its 8x16 glyph's set pixels in <paramref name="color"/>, the others left
        /// as they are; nothing when the cell does not fit the display or the font has no glyph for it
        /// (code points past 255).
        /// </summary>
        public void Char(ulong x, ulong y, uint character, uint color)
        {
            if (x + 8 <= width && y + 16 <= height)
            {
                ulong dst = (ulong)offscreen + (y * width + x) * 4;

                string font = GraphicalDebug.FONT;
                ulong font_i = 16 * (ulong)character;
                if (font_i + 16 <= (ulong)font.Length)
                {
                    for (ulong row = 0; row < 16; row++)
                    {
                        byte row_data = (byte)font[(int)(font_i + row)];
                        for (ulong col = 0; col < 8; col++)
                        {
                            if (((row_data >> (int)(7 - col)) & 1) == 1)
                            {
                                *(uint*)(dst + col * 4) = color;
                            }
                        }
                        dst += width * 4;
                    }
                }
            }
        }

        /// <summary>Scroll the screen: the offscreen buffer moves up by <paramref name="lines"/> pixel rows.</summary>
        public void Scroll(ulong lines)
        {
            ulong offset = Min(height, lines) * width;
            ulong size = offscreen_len - offset;
            uint* to = offscreen;
            uint* from = to + offset;
            Primitive.FastCopy((byte*)to, (byte*)from, size * 4);
        }

        /// <summary>Copy from offscreen to onscreen.</summary>
        public void Sync(ulong x, ulong y, ulong w, ulong h)
        {
            ulong start_y = Min(height, y);
            ulong end_y = Min(height, y + h);

            ulong start_x = Min(width, x);
            ulong len = (Min(width, x + w) - start_x) * 4;

            ulong offscreen_ptr = (ulong)offscreen;
            ulong onscreen_ptr = (ulong)onscreen;

            ulong stride = width * 4;

            ulong offset = y * stride + start_x * 4;
            offscreen_ptr += offset;
            onscreen_ptr += offset;

            ulong rows = end_y - start_y;
            while (rows > 0)
            {
                Primitive.FastCopy((byte*)onscreen_ptr, (byte*)offscreen_ptr, len);
                offscreen_ptr += stride;
                onscreen_ptr += stride;
                rows -= 1;
            }
        }

        /// <summary>The original's `Drop`: the offscreen buffer goes back to the kernel heap.</summary>
        public void Drop()
        {
            Heap.Dealloc((byte*)offscreen, Layout.FromSizeAlignUnchecked(offscreen_len * 4, 4096));
        }

        private static ulong Min(ulong a, ulong b) => a < b ? a : b;
    }
}
