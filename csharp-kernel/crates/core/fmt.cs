using Kernel.arch.x86_64.debug;

namespace core.fmt
{
    /// <summary>
    /// The parts of Rust's core::fmt the port prints with, as extension methods on the debug Writer:
    /// `{}` of integers and strings, `{:X}`, `{:x}` and `{:>0NX}`. Each writes its digits in one
    /// piece, as Rust's formatter hands one `write_str` per argument.
    /// </summary>
    public static unsafe class Fmt
    {
        /// <summary>`{}` of a string (and the literal pieces of a format string).</summary>
        public static void Str(this Writer w, string s) => w.WriteStr(s);

        /// <summary>`{}` of an unsigned integer.</summary>
        public static void Dec(this Writer w, ulong value)
        {
            byte* buf = stackalloc byte[20];
            int i = 20;
            do
            {
                buf[--i] = (byte)('0' + (int)(value % 10));
                value /= 10;
            } while (value != 0);
            w.WriteBytes(buf + i, 20 - i);
        }

        /// <summary>`{}` of a signed integer.</summary>
        public static void DecSigned(this Writer w, long value)
        {
            byte* buf = stackalloc byte[21];
            int i = 21;
            ulong magnitude = value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value;
            do
            {
                buf[--i] = (byte)('0' + (int)(magnitude % 10));
                magnitude /= 10;
            } while (magnitude != 0);
            if (value < 0)
            {
                buf[--i] = (byte)'-';
            }
            w.WriteBytes(buf + i, 21 - i);
        }

        /// <summary>`{:X}`.</summary>
        public static void UpperHex(this Writer w, ulong value) => Hex(w, value, 0, true);

        /// <summary>`{:x}`.</summary>
        public static void LowerHex(this Writer w, ulong value) => Hex(w, value, 0, false);

        /// <summary>`{:>0WX}` (and `{:0WX}`): upper-case hex, zero-padded to <paramref name="width"/> digits.</summary>
        public static void UpperHexPadded(this Writer w, ulong value, int width) => Hex(w, value, width, true);

        /// <summary>`{:0Wx}`: lower-case hex, zero-padded.</summary>
        public static void LowerHexPadded(this Writer w, ulong value, int width) => Hex(w, value, width, false);

        /// <summary>`{}` of a char (ASCII).</summary>
        public static void Char(this Writer w, byte c) => w.WriteBytes(&c, 1);

        private static void Hex(Writer w, ulong value, int width, bool upper)
        {
            byte* buf = stackalloc byte[64];
            int i = 64;
            do
            {
                int digit = (int)(value & 0xF);
                buf[--i] = (byte)(digit < 10 ? '0' + digit : (upper ? 'A' : 'a') + digit - 10);
                value >>= 4;
            } while (value != 0);
            while (64 - i < width && i > 0)
            {
                buf[--i] = (byte)'0';
            }
            w.WriteBytes(buf + i, 64 - i);
        }
    }
}
