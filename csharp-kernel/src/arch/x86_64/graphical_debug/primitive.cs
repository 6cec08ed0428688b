namespace Kernel.arch.x86_64.graphical_debug.primitive
{
    /// <summary>
    /// primitive.rs: the display's memory primitives. The original uses `rep movsb`, `rep stosd` and
    /// `rep stosq` with the direction flag cleared; these loops have the same semantics: ascending
    /// addresses, one element at a time (so an overlapping copy towards lower addresses, as
    /// scrolling does, reads each source byte before it is overwritten).
    /// </summary>
    public static unsafe class Primitive
    {
        /// <summary>Copies <paramref name="len"/> bytes from <paramref name="src"/> to <paramref name="dst"/>, lowest first.</summary>
        public static void FastCopy(byte* dst, byte* src, ulong len)
        {
            for (ulong i = 0; i < len; i++)
            {
                dst[i] = src[i];
            }
        }

        /// <summary>Stores <paramref name="src"/> into <paramref name="len"/> u32s at <paramref name="dst"/>.</summary>
        public static void FastSet32(uint* dst, uint src, ulong len)
        {
            for (ulong i = 0; i < len; i++)
            {
                dst[i] = src;
            }
        }

        /// <summary>Stores <paramref name="src"/> into <paramref name="len"/> u64s at <paramref name="dst"/>.</summary>
        public static void FastSet64(ulong* dst, ulong src, ulong len)
        {
            for (ulong i = 0; i < len; i++)
            {
                dst[i] = src;
            }
        }
    }
}
