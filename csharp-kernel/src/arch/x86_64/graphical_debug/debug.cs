using Kernel.arch.x86_64.graphical_debug.display;

namespace Kernel.arch.x86_64.graphical_debug.debug
{
    /// <summary>
    /// debug.rs: a text console over a <see cref="Display"/>: w x h cells of 8x16 pixels, white on
    /// black, a cursor that wraps at the right edge and scrolls the display at the bottom.
    /// </summary>
    public unsafe struct DebugDisplay
    {
        private Display display;
        private ulong x;
        private ulong y;
        private ulong w;
        private ulong h;

        public static DebugDisplay New(Display display)
        {
            ulong w = display.width / 8;
            ulong h = display.height / 16;
            return new DebugDisplay
            {
                display = display,
                x = 0,
                y = 0,
                w = w,
                h = h,
            };
        }

        public readonly Display IntoDisplay() => display;

        /// <summary>The cursor's column (the tests' view).</summary>
        public readonly ulong X => x;

        /// <summary>The cursor's row (the tests' view).</summary>
        public readonly ulong Y => y;

        /// <summary>Writes one character (a Unicode scalar value) at the cursor.</summary>
        public void Write(uint c)
        {
            if (x >= w || c == '\n')
            {
                x = 0;
                y += 1;
            }

            if (y >= h)
            {
                ulong new_y = h - 1;
                ulong d_y = y - new_y;

                display.Scroll(d_y * 16);

                display.Rect(
                    0, (h - d_y) * 16,
                    w * 8, d_y * 16,
                    0x000000
                );

                display.Sync(
                    0, 0,
                    w * 8, h * 16
                );

                y = new_y;
            }

            if (c != '\n')
            {
                display.Rect(
                    x * 8, y * 16,
                    8, 16,
                    0x000000
                );

                display.Char(
                    x * 8, y * 16,
                    c,
                    0xFFFFFF
                );

                display.Sync(
                    x * 8, y * 16,
                    8, 16
                );

                x += 1;
            }
        }

        /// <summary>`fmt::Write::write_str`: every char of the string in turn.</summary>
        public void WriteStr(string s)
        {
            for (int i = 0; i < s.Length; i++)
            {
                uint c = s[i];
                // a surrogate pair is one char of the original's UTF-8 string
                if (c >= 0xD800 && c < 0xDC00 && i + 1 < s.Length && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000)
                {
                    c = 0x10000 + ((c - 0xD800) << 10) + ((uint)s[i + 1] - 0xDC00);
                    i++;
                }
                Write(c);
            }
        }

        /// <summary>
        /// `fmt::Write::write_str` of UTF-8 bytes (what the formatters hand over): each decoded char
        /// in turn. The bytes are valid UTF-8 (Rust's `str`); an invalid sequence is written byte by byte.
        /// </summary>
        public void WriteBytes(byte* p, int n)
        {
            int i = 0;
            while (i < n)
            {
                uint b = p[i];
                int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
                uint c = extra == 3 ? b & 0x07 : extra == 2 ? b & 0x0F : extra == 1 ? b & 0x1F : b;
                if (i + extra >= n)
                {
                    extra = 0;
                    c = b;
                }
                for (int k = 1; k <= extra; k++)
                {
                    c = (c << 6) | (uint)(p[i + k] & 0x3F);
                }
                Write(c);
                i += 1 + extra;
            }
        }
    }
}
