using alloc.raw_vec;
using core.fmt;
using Kernel;

namespace alloc.vec
{
    /// <summary>
    /// liballoc's `Vec&lt;T&gt;` of early 2018 for unmanaged T, on the kernel heap: a RawVec and a
    /// length. `New` allocates nothing; `Push`/`Insert` on a full vector call
    /// <see cref="RawVec{T}.Double"/> (capacity 4, 8, 16, ...); `Remove`/`Pop`/`Truncate` never
    /// shrink; <see cref="Dispose"/> is the drop that frees the whole capacity. Hold it in a field or
    /// local and call methods on that place (it is mutated in place, as `&amp;mut self`).
    /// </summary>
    public unsafe struct Vec<T> where T : unmanaged
    {
        internal RawVec<T> buf;
        internal ulong len;

        /// <summary>`Vec::new()`.</summary>
        public static Vec<T> New()
        {
            Vec<T> v;
            v.buf = RawVec<T>.New();
            v.len = 0;
            return v;
        }

        /// <summary>`Vec::with_capacity(n)`.</summary>
        public static Vec<T> WithCapacity(ulong capacity)
        {
            Vec<T> v;
            v.buf = RawVec<T>.WithCapacity(capacity);
            v.len = 0;
            return v;
        }

        public readonly ulong Len() => len;

        public readonly bool IsEmpty() => len == 0;

        public readonly ulong Capacity() => buf.Cap();

        public readonly T* AsPtr() => buf.Ptr();

        /// <summary>`v[index]`, bounds-checked as slice indexing is.</summary>
        public readonly ref T this[ulong index]
        {
            get
            {
                if (index >= len)
                {
                    var w = Panic.Begin();
                    w.Str("index out of bounds: the len is ");
                    w.Dec(len);
                    w.Str(" but the index is ");
                    w.Dec(index);
                    Panic.End(w, "liballoc/vec.rs", 0);
                }
                return ref buf.Ptr()[index];
            }
        }

        /// <summary>`Vec::push`: doubles the buffer first when it is full.</summary>
        public void Push(T value)
        {
            if (len == buf.Cap())
            {
                buf.Double();
            }
            buf.Ptr()[len] = value;
            len += 1;
        }

        /// <summary>`Vec::pop`.</summary>
        public T? Pop()
        {
            if (len == 0)
            {
                return null;
            }
            len -= 1;
            return buf.Ptr()[len];
        }

        /// <summary>`Vec::insert`: shifts the tail up by one; doubles first when full.</summary>
        public void Insert(ulong index, T element)
        {
            ulong l = len;
            if (index > l)
            {
                Panic.Fail("assertion failed: index <= len", "liballoc/vec.rs", 0);
            }
            if (l == buf.Cap())
            {
                buf.Double();
            }
            T* p = buf.Ptr();
            for (ulong i = l; i > index; i--)
            {
                p[i] = p[i - 1];
            }
            p[index] = element;
            len = l + 1;
        }

        /// <summary>`Vec::remove`: returns element `index` and shifts the tail down; keeps the capacity.</summary>
        public T Remove(ulong index)
        {
            ulong l = len;
            if (index >= l)
            {
                Panic.Fail("assertion failed: index < len", "liballoc/vec.rs", 0);
            }
            T* p = buf.Ptr();
            T ret = p[index];
            for (ulong i = index; i + 1 < l; i++)
            {
                p[i] = p[i + 1];
            }
            len = l - 1;
            return ret;
        }

        /// <summary>`Vec::truncate`: shortens, keeps the capacity.</summary>
        public void Truncate(ulong new_len)
        {
            if (new_len < len)
            {
                len = new_len;
            }
        }

        /// <summary>`Vec::clear`.</summary>
        public void Clear() => Truncate(0);

        /// <summary>Drop: frees the buffer (its whole capacity), if any.</summary>
        public void Dispose()
        {
            buf.Dispose();
        }
    }
}
