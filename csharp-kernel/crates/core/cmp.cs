namespace core.cmp
{
    /// <summary>
    /// `Ord` of a map key: a total order, resolved at compile time for each key type (a static
    /// abstract member, so that a map needs no comparison pointer and keeps the original's size).
    /// </summary>
    public unsafe interface IOrd<T> where T : unmanaged
    {
        /// <summary>Negative, zero or positive as *a is less than, equal to or greater than *b.</summary>
        static abstract int Cmp(T* a, T* b);
    }

    /// <summary>A `usize` used as a map key (the schemes' handle numbers).</summary>
    public struct Usize : IOrd<Usize>
    {
        public ulong value;

        public Usize(ulong v) { value = v; }

        public static unsafe int Cmp(Usize* a, Usize* b) => a->value < b->value ? -1 : (a->value > b->value ? 1 : 0);
    }

    public static unsafe class Bytes
    {
        /// <summary>Lexicographic order of two byte slices (`[u8]`'s Ord).</summary>
        public static int Cmp(byte* a, ulong a_len, byte* b, ulong b_len)
        {
            ulong n = a_len < b_len ? a_len : b_len;
            for (ulong i = 0; i < n; i++)
            {
                if (a[i] != b[i])
                {
                    return a[i] < b[i] ? -1 : 1;
                }
            }
            return a_len < b_len ? -1 : (a_len > b_len ? 1 : 0);
        }
    }
}
