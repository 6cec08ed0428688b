using alloc.allocator;
using Kernel.Hal;
using AllocHeap = alloc.heap.Heap;

namespace alloc.arc
{
    /// <summary>liballoc's `ArcInner&lt;T&gt;`: the strong and weak counts, then the value (16 + size_of T bytes).</summary>
    public struct ArcInner<T> where T : unmanaged
    {
        public ulong strong;
        public ulong weak;
        public T data;
    }

    /// <summary>
    /// liballoc's `Arc&lt;T&gt;` for unmanaged T: one heap block holding the counts and the value.
    /// `New` allocates it; `Clone` counts a new owner; <see cref="Release"/> is the drop of one owner:
    /// true when it was the last strong one, and then the caller drops the value's contents and calls
    /// <see cref="Free"/> (the implicit weak reference goes with it, as in liballoc).
    /// </summary>
    public unsafe struct Arc<T> where T : unmanaged
    {
        internal ArcInner<T>* ptr;

        /// <summary>`Arc::new(value)`.</summary>
        public static Arc<T> New(T value)
        {
            AllocResult res = AllocHeap.Alloc(Layout.New<ArcInner<T>>());
            if (!res.is_ok)
            {
                AllocHeap.Oom(res.err);
            }
            Arc<T> a;
            a.ptr = (ArcInner<T>*)res.ok;
            a.ptr->strong = 1;
            a.ptr->weak = 1;
            a.ptr->data = value;
            return a;
        }

        public readonly bool IsNull => ptr == null;

        public readonly ArcInner<T>* Inner => ptr;

        /// <summary>The shared value.</summary>
        public readonly ref T Value => ref ptr->data;

        public readonly T* Ptr => &ptr->data;

        /// <summary>`Arc::clone`: one more strong owner.</summary>
        public readonly Arc<T> Clone()
        {
            Atomic.FetchAdd(&ptr->strong, 1);
            return this;
        }

        /// <summary>`Arc::strong_count`.</summary>
        public readonly ulong StrongCount() => Atomic.Load(&ptr->strong);

        /// <summary>`Arc::ptr_eq`.</summary>
        public readonly bool PtrEq(Arc<T> other) => ptr == other.ptr;

        /// <summary>Drop of one strong owner: true when it was the last (the caller then drops the value and calls Free).</summary>
        public readonly bool Release()
        {
            return Atomic.FetchAdd(&ptr->strong, ~0UL) == 1;
        }

        /// <summary>Frees the block once the last strong owner has dropped the value (and no weak one is left).</summary>
        public readonly void Free()
        {
            if (Atomic.FetchAdd(&ptr->weak, ~0UL) == 1)
            {
                AllocHeap.Dealloc((byte*)ptr, Layout.New<ArcInner<T>>());
            }
        }

        /// <summary>`Arc::downgrade`: a weak reference to the same block.</summary>
        public readonly Weak<T> Downgrade()
        {
            Atomic.FetchAdd(&ptr->weak, 1);
            Weak<T> w;
            w.ptr = ptr;
            return w;
        }
    }

    /// <summary>liballoc's `Weak&lt;T&gt;`.</summary>
    public unsafe struct Weak<T> where T : unmanaged
    {
        internal ArcInner<T>* ptr;

        /// <summary>`Weak::upgrade`: a strong reference while the value lives, none after.</summary>
        public readonly bool Upgrade(out Arc<T> arc)
        {
            while (true)
            {
                ulong n = Atomic.Load(&ptr->strong);
                if (n == 0)
                {
                    arc = default;
                    return false;
                }
                if (Atomic.CompareExchange(&ptr->strong, n, n + 1) == n)
                {
                    arc.ptr = ptr;
                    return true;
                }
            }
        }

        /// <summary>Drop of the weak reference.</summary>
        public readonly void Release()
        {
            if (Atomic.FetchAdd(&ptr->weak, ~0UL) == 1)
            {
                AllocHeap.Dealloc((byte*)ptr, Layout.New<ArcInner<T>>());
            }
        }
    }
}
