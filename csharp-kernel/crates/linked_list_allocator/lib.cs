using System.Runtime.CompilerServices;
using alloc.allocator;
using Kernel;
using linked_list_allocator.hole;
using spin;

namespace linked_list_allocator
{
    /// <summary>
    /// linked_list_allocator 0.5.0's `Heap`: bottom, size and the hole list. Requests are rounded
    /// up to at least min_size and to a multiple of 8 before they reach the hole list, on
    /// allocation and on deallocation alike.
    /// </summary>
    public unsafe struct Heap
    {
        internal ulong bottom;
        internal ulong size;
        internal HoleList holes;

        /// <summary>`Heap::empty()`: every allocation fails.</summary>
        public static Heap Empty()
        {
            Heap h;
            h.bottom = 0;
            h.size = 0;
            h.holes = HoleList.Empty();
            return h;
        }

        /// <summary>`Heap::init`: makes an empty heap cover [heap_bottom, heap_bottom + heap_size).</summary>
        public void Init(ulong heap_bottom, ulong heap_size)
        {
            bottom = heap_bottom;
            size = heap_size;
            holes = HoleList.New(heap_bottom, heap_size);
        }

        /// <summary>`Heap::new`: a heap of one hole covering [heap_bottom, heap_bottom + heap_size).</summary>
        public static Heap New(ulong heap_bottom, ulong heap_size)
        {
            Heap h;
            h.bottom = heap_bottom;
            h.size = heap_size;
            h.holes = HoleList.New(heap_bottom, heap_size);
            return h;
        }

        /// <summary>The size the hole list sees for a request: at least min_size, rounded up to 8.</summary>
        private static Layout Adjust(Layout layout)
        {
            ulong sz = layout.Size();
            if (sz < HoleList.MinSize())
            {
                sz = HoleList.MinSize();
            }
            sz = LinkedListAllocator.AlignUp(sz, 8);
            return LayoutOption.Unwrap(Layout.FromSizeAlign(sz, layout.Align()));
        }

        /// <summary>`allocate_first_fit`: first fit over the holes; Exhausted carries the adjusted layout.</summary>
        public AllocResult AllocateFirstFit(Layout layout)
        {
            return holes.AllocateFirstFit(Adjust(layout));
        }

        /// <summary>`deallocate`: gives the (adjusted) block back to the hole list.</summary>
        public void Deallocate(byte* ptr, Layout layout)
        {
            holes.Deallocate(ptr, Adjust(layout));
        }

        public readonly ulong Bottom() => bottom;

        public readonly ulong Size() => size;

        /// <summary>bottom + size.</summary>
        public readonly ulong Top() => bottom + size;

        /// <summary>
        /// `extend(by)`: frees [top, top + by) into the hole list (with the size as given, not
        /// adjusted), then grows `size`. An observation point ("heap_extend").
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Extend(ulong by)
        {
            ulong top = Top();
            Layout layout = LayoutOption.Unwrap(Layout.FromSizeAlign(by, 1));
            holes.Deallocate((byte*)top, layout);
            size += by;
        }

        /// <summary>The `Alloc` trait's default usable_size, which 0.5.0 does not override: (size, size).</summary>
        public readonly UsableSize UsableSize(Layout layout)
        {
            return new UsableSize(layout.Size(), layout.Size());
        }

        /// <summary>`Alloc::alloc` for Heap.</summary>
        public AllocResult Alloc(Layout layout) => AllocateFirstFit(layout);

        /// <summary>`Alloc::dealloc` for Heap.</summary>
        public void Dealloc(byte* ptr, Layout layout) => Deallocate(ptr, layout);

        /// <summary>`Alloc::oom` for Heap.</summary>
        public readonly void Oom(AllocErr err)
        {
            Panic.Fail("Out of memory", "src/lib.rs", 140);
        }

        /// <summary>The hole list, for tests and observers.</summary>
        public readonly HoleList Holes() => holes;
    }

    /// <summary>`LockedHeap` (feature use_spin, on by default): a Heap in a spin Mutex.</summary>
    public struct LockedHeap
    {
        internal Mutex<Heap> inner;

        public static LockedHeap Empty()
        {
            LockedHeap l;
            l.inner = new Mutex<Heap>(Heap.Empty());
            return l;
        }

        public static LockedHeap New(ulong heap_bottom, ulong heap_size)
        {
            LockedHeap l;
            l.inner = new Mutex<Heap>(Heap.New(heap_bottom, heap_size));
            return l;
        }
    }

    /// <summary>The crate's free functions.</summary>
    public static class LinkedListAllocator
    {
        /// <summary>`align_down`: power-of-two alignments mask; 0 leaves the address; anything else panics.</summary>
        public static ulong AlignDown(ulong addr, ulong align)
        {
            if (align != 0 && (align & (align - 1)) == 0)
            {
                return addr & ~(align - 1);
            }
            else if (align == 0)
            {
                return addr;
            }
            Panic.Fail("`align` must be a power of 2", "src/lib.rs", 199);
            return 0;
        }

        /// <summary>`align_up` = align_down(addr + align - 1, align), in wrapping arithmetic.</summary>
        public static ulong AlignUp(ulong addr, ulong align)
        {
            return AlignDown(addr + align - 1, align);
        }
    }
}
