using System.Runtime.CompilerServices;

namespace System
{
    /// <summary>Block copy and fill, which the compiler calls for large struct copies and zeroing.</summary>
    internal static unsafe class SpanHelpers
    {
        [Intrinsic]
        internal static void Memmove(ref byte dest, ref byte src, nuint len)
        {
            fixed (byte* d = &dest)
            fixed (byte* s = &src)
            {
                if (d <= s || d >= s + len)
                {
                    for (nuint i = 0; i < len; i++) d[i] = s[i];
                }
                else
                {
                    for (nuint i = len; i > 0; i--) d[i - 1] = s[i - 1];
                }
            }
        }

        [Intrinsic]
        internal static void ClearWithoutReferences(ref byte dest, nuint len) => Fill(ref dest, 0, len);

        internal static void Fill(ref byte dest, byte value, nuint len)
        {
            fixed (byte* d = &dest)
            {
                for (nuint i = 0; i < len; i++) d[i] = value;
            }
        }
    }
}
