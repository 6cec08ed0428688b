using alloc.allocator;
using AllocHeap = alloc.heap.Heap;

namespace alloc.boxed
{
    /// <summary>liballoc's `Box&lt;T&gt;` for unmanaged T: one heap block of `size_of T` (none for a zero-sized T).</summary>
    public unsafe struct Box<T> where T : unmanaged
    {
        internal T* ptr;

        /// <summary>`Box::new(x)`.</summary>
        public static Box<T> New(T value)
        {
            Box<T> b;
            Layout layout = Layout.New<T>();
            AllocResult res = AllocHeap.Alloc(layout);
            if (!res.is_ok)
            {
                AllocHeap.Oom(res.err);
            }
            b.ptr = (T*)res.ok;
            *b.ptr = value;
            return b;
        }

        public readonly T* Ptr() => ptr;

        public readonly ref T Value => ref *ptr;

        /// <summary>Drop of the box itself (the caller drops the contents first).</summary>
        public void Dispose()
        {
            AllocHeap.Dealloc((byte*)ptr, Layout.New<T>());
        }
    }
}
