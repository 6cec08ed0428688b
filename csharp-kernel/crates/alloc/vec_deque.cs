using alloc.raw_vec;

namespace alloc.vec_deque
{
    /// <summary>
    /// liballoc's `VecDeque&lt;T&gt;` as the rebuilt original has it (today's: a head, a length and a
    /// RawVec, 32 bytes; `new` allocates nothing): a ring buffer that doubles when full.
    /// </summary>
    public unsafe struct VecDeque<T> where T : unmanaged
    {
        internal ulong head;
        internal ulong len;
        internal RawVec<T> buf;

        /// <summary>`VecDeque::new()`.</summary>
        public static VecDeque<T> New()
        {
            VecDeque<T> d;
            d.head = 0;
            d.len = 0;
            d.buf = RawVec<T>.New();
            return d;
        }

        public readonly ulong Len() => len;

        public readonly bool IsEmpty() => len == 0;

        /// <summary>`push_back`: when full, the buffer doubles and the wrapped part moves after the old end.</summary>
        public void PushBack(T value)
        {
            if (len == buf.Cap())
            {
                ulong old_cap = buf.Cap();
                buf.Double();
                // The elements before head (the wrapped tail) follow the old end.
                T* p = buf.Ptr();
                for (ulong i = 0; i < head + len - old_cap && head + len > old_cap; i++)
                {
                    p[old_cap + i] = p[i];
                }
            }
            ulong cap = buf.Cap();
            buf.Ptr()[(head + len) % cap] = value;
            len += 1;
        }

        /// <summary>`pop_front`.</summary>
        public T? PopFront()
        {
            if (len == 0)
            {
                return null;
            }
            T v = buf.Ptr()[head];
            head = (head + 1) % buf.Cap();
            len -= 1;
            return v;
        }

        /// <summary>Drop: frees the buffer.</summary>
        public void Dispose() => buf.Dispose();
    }
}
