using alloc.allocator;
using core.cmp;
using AllocHeap = alloc.heap.Heap;

namespace alloc.boxed
{
    /// <summary>
    /// liballoc's `Box&lt;[u8]&gt;` (a pointer and a length, 16 bytes; a null pointer is the
    /// `None` of `Option&lt;Box&lt;[u8]&gt;&gt;`, as the niche makes it). An empty one owns no memory.
    /// </summary>
    public unsafe struct BoxSlice : IOrd<BoxSlice>
    {
        public byte* ptr;
        public ulong len;

        public readonly bool IsNone => ptr == null;

        /// <summary>A box of <paramref name="len"/> bytes with <paramref name="align"/> (uninitialised), as `Heap.alloc(layout)` gives.</summary>
        public static BoxSlice Alloc(ulong len, ulong align)
        {
            BoxSlice b;
            b.len = len;
            if (len == 0)
            {
                b.ptr = (byte*)align;
                return b;
            }
            AllocResult res = AllocHeap.Alloc(Layout.FromSizeAlignUnchecked(len, align));
            if (!res.is_ok)
            {
                AllocHeap.Oom(res.err);
            }
            b.ptr = res.ok;
            return b;
        }

        /// <summary>`vec![0; len].into_boxed_slice()`: one zeroed allocation of exactly len bytes.</summary>
        public static BoxSlice Zeroed(ulong len)
        {
            BoxSlice b;
            b.len = len;
            if (len == 0)
            {
                b.ptr = (byte*)1;
                return b;
            }
            AllocResult res = AllocHeap.AllocZeroed(Layout.FromSizeAlignUnchecked(len, 1));
            if (!res.is_ok)
            {
                AllocHeap.Oom(res.err);
            }
            b.ptr = res.ok;
            return b;
        }

        /// <summary>`slice.to_vec().into_boxed_slice()`: a copy of the bytes.</summary>
        public static BoxSlice From(byte* src, ulong len)
        {
            BoxSlice b = Alloc(len, 1);
            for (ulong i = 0; i < len; i++)
            {
                b.ptr[i] = src[i];
            }
            return b;
        }

        /// <summary>
        /// `vec.into_boxed_slice()`: `shrink_to_fit` (a realloc to the length when the capacity is
        /// larger; empty: the buffer freed and the box dangling), then the buffer is the box's.
        /// </summary>
        public static BoxSlice FromVec(alloc.vec.Vec<byte> v)
        {
            BoxSlice b;
            b.len = v.len;
            ulong cap = v.buf.cap;
            if (cap == v.len)
            {
                b.ptr = cap == 0 ? (byte*)1 : v.buf.ptr;
                return b;
            }
            if (v.len == 0)
            {
                AllocHeap.Dealloc(v.buf.ptr, Layout.FromSizeAlignUnchecked(cap, 1));
                b.ptr = (byte*)1;
                return b;
            }
            AllocResult res = AllocHeap.Realloc(v.buf.ptr, Layout.FromSizeAlignUnchecked(cap, 1), Layout.FromSizeAlignUnchecked(v.len, 1));
            if (!res.is_ok)
            {
                AllocHeap.Oom(res.err);
            }
            b.ptr = res.ok;
            return b;
        }

        /// <summary>Drop: frees the bytes (align as allocated).</summary>
        public void Dispose(ulong align = 1)
        {
            if (ptr != null && len != 0)
            {
                AllocHeap.Dealloc(ptr, Layout.FromSizeAlignUnchecked(len, align));
            }
            ptr = null;
            len = 0;
        }

        public static int Cmp(BoxSlice* a, BoxSlice* b) => Bytes.Cmp(a->ptr, a->len, b->ptr, b->len);
    }
}
