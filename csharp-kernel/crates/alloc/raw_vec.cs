using alloc.allocator;
using AllocHeap = alloc.heap.Heap;
using Kernel;

namespace alloc.raw_vec
{
    /// <summary>
    /// liballoc's `RawVec&lt;T, Heap&gt;` of early 2018: a pointer and a capacity (the allocator handle
    /// is zero-sized). An empty one holds a dangling pointer equal to T's alignment and capacity 0,
    /// and owns no heap memory. It grows only by <see cref="Double"/>: 0 → 4 (→ 1 for elements
    /// larger than usize::MAX / 8) by a fresh allocation, then ×2 by the global allocator's realloc.
    /// Dropping it (<see cref="Dispose"/>) frees `cap × size_of T` bytes, if any.
    /// </summary>
    public unsafe struct RawVec<T> where T : unmanaged
    {
        internal T* ptr;
        internal ulong cap;

        /// <summary>`RawVec::new()`: allocates nothing.</summary>
        public static RawVec<T> New()
        {
            RawVec<T> v;
            v.ptr = (T*)Layout.AlignOf<T>();
            v.cap = 0;
            return v;
        }

        /// <summary>`RawVec::with_capacity(cap)`: one allocation of exactly cap elements (none for 0).</summary>
        public static RawVec<T> WithCapacity(ulong cap)
        {
            ulong elem_size = (ulong)sizeof(T);
            if (elem_size != 0 && cap > ~0UL / elem_size)
            {
                Panic.Fail("capacity overflow", "liballoc/raw_vec.rs", 0);
            }
            ulong alloc_size = cap * elem_size;
            RawVec<T> v;
            if (alloc_size == 0)
            {
                v.ptr = (T*)Layout.AlignOf<T>();
            }
            else
            {
                AllocResult result = AllocHeap.Alloc(Layout.FromSizeAlignUnchecked(alloc_size, Layout.AlignOf<T>()));
                if (!result.is_ok)
                {
                    AllocHeap.Oom(result.err);
                }
                v.ptr = (T*)result.ok;
            }
            v.cap = cap;
            return v;
        }

        public readonly T* Ptr() => ptr;

        /// <summary>The capacity (usize::MAX for zero-sized T, as the original).</summary>
        public readonly ulong Cap() => sizeof(T) == 0 ? ~0UL : cap;

        /// <summary>The layout of the current allocation, None when nothing is allocated.</summary>
        private readonly Layout? CurrentLayout()
        {
            if (cap == 0)
            {
                return null;
            }
            return Layout.FromSizeAlignUnchecked(cap * (ulong)sizeof(T), Layout.AlignOf<T>());
        }

        /// <summary>
        /// `RawVec::double`: the only growth `Vec::push`/`insert` use. Empty → alloc_array of 4
        /// (or 1); otherwise realloc to twice the capacity, same alignment. An error goes to oom.
        /// </summary>
        public void Double()
        {
            ulong elem_size = (ulong)sizeof(T);
            if (elem_size == 0)
            {
                Panic.Fail("capacities overflow", "liballoc/raw_vec.rs", 0);
            }
            Layout? cur = CurrentLayout();
            ulong new_cap;
            T* new_ptr;
            if (cur.HasValue)
            {
                new_cap = 2 * cap;
                ulong new_size = new_cap * elem_size;
                Layout new_layout = Layout.FromSizeAlignUnchecked(new_size, cur.GetValueOrDefault().Align());
                AllocResult res = AllocHeap.Realloc((byte*)ptr, cur.GetValueOrDefault(), new_layout);
                if (!res.is_ok)
                {
                    AllocHeap.Oom(res.err);
                }
                new_ptr = (T*)res.ok;
            }
            else
            {
                new_cap = elem_size > ~0UL / 8 ? 1UL : 4UL;
                Layout? array = Layout.Array<T>(new_cap);
                AllocResult res;
                if (array.HasValue && array.GetValueOrDefault().Size() > 0)
                {
                    res = AllocHeap.Alloc(array.GetValueOrDefault());
                }
                else
                {
                    res = AllocResult.Err(AllocErr.Unsupported("invalid layout for alloc_array"));
                }
                if (!res.is_ok)
                {
                    AllocHeap.Oom(res.err);
                }
                new_ptr = (T*)res.ok;
            }
            ptr = new_ptr;
            cap = new_cap;
        }

        /// <summary>Drop: free the allocation, if there is one.</summary>
        public void Dispose()
        {
            if (sizeof(T) != 0)
            {
                Layout? layout = CurrentLayout();
                if (layout.HasValue)
                {
                    AllocHeap.Dealloc((byte*)ptr, layout.GetValueOrDefault());
                }
            }
        }
    }
}
