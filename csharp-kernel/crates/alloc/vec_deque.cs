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

        /// <summary>`deque[i]`: the i-th element from the front.</summary>
        public readonly T* At(ulong i) => buf.Ptr() + (head + i) % buf.Cap();

        /// <summary>`remove(i)`: the i-th element taken out, the order of the others kept (no reallocation).</summary>
        public T? Remove(ulong i)
        {
            if (i >= len)
            {
                return null;
            }
            ulong cap = buf.Cap();
            T* p = buf.Ptr();
            T v = p[(head + i) % cap];
            for (ulong k = i; k + 1 < len; k++)
            {
                p[(head + k) % cap] = p[(head + k + 1) % cap];
            }
            len -= 1;
            return v;
        }

        /// <summary>`self[i]`: the i-th element from the front.</summary>
        public readonly ref T this[ulong index] => ref buf.Ptr()[(head + index) % buf.Cap()];

        /// <summary>`pop_back`.</summary>
        public T? PopBack()
        {
            if (len == 0)
            {
                return null;
            }
            len -= 1;
            return buf.Ptr()[(head + len) % buf.Cap()];
        }

        /// <summary>`swap_remove_back(index)`: the element at index, replaced by the last one (None past the end).</summary>
        public T? SwapRemoveBack(ulong index)
        {
            if (len > 0 && index < len - 1)
            {
                T t = this[index];
                this[index] = this[len - 1];
                this[len - 1] = t;
            }
            else if (index >= len)
            {
                return null;
            }
            return PopBack();
        }

        /// <summary>Drop: frees the buffer.</summary>
        public void Dispose() => buf.Dispose();
    }
}
