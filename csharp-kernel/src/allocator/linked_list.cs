using System.Runtime.CompilerServices;
using alloc.allocator;
using core.fmt;
using Kernel.consts;
using spin;
using Heap = linked_list_allocator.Heap;

namespace Kernel.allocator.linked_list
{
    /// <summary>`Option&lt;Heap&gt;`: the kernel heap, None until <see cref="Allocator.Init"/>.</summary>
    public struct HeapSlot
    {
        public bool is_some;
        public Heap value;
    }

    /// <summary>allocator/linked_list.rs's statics.</summary>
    public static class LinkedList
    {
        /// <summary>`HEAP: Mutex&lt;Option&lt;Heap&gt;&gt;`, None at boot.</summary>
        public static Mutex<HeapSlot> HEAP;
    }

    /// <summary>
    /// allocator/linked_list.rs: the kernel's global allocator (`Alloc` for `&amp;Allocator`) over a
    /// linked_list_allocator 0.5 heap. An allocation that does not fit grows the heap by
    /// KERNEL_HEAP_SIZE right after its top and tries again, for as long as it takes.
    /// </summary>
    public static unsafe class Allocator
    {
        /// <summary>
        /// `super::map_heap(&amp;mut ActivePageTable::new(), offset, size)`: set by allocator/mod.cs's
        /// init (it owns map_heap); host tests set a fake. Called with no lock held.
        /// </summary>
        public static delegate*<ulong, ulong, void> MapHeapHook;

        /// <summary>`Allocator::init`: the heap becomes one hole of `size` bytes at `offset`.</summary>
        public static void Init(ulong offset, ulong size)
        {
            Heap value = Heap.New(offset, size); // evaluated before the lock is taken, as in the original
            using (var heap = LinkedList.HEAP.Lock())
            {
                heap.Value.value = value;
                heap.Value.is_some = true;
            }
        }

        /// <summary>
        /// `alloc`: first fit under the lock; when Exhausted, the request becomes the layout the
        /// error carries, and the heap grows in three separately locked steps — read size(),
        /// map_heap(KERNEL_HEAP_OFFSET + size, KERNEL_HEAP_SIZE), extend(KERNEL_HEAP_SIZE) — then
        /// the loop tries again.
        /// QUIRK (FIDELITY §4): the lock is released between the three steps (fixed upstream in
        /// 2021, 61d8b0ff); kept: another CPU could allocate or grow the heap in between.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static AllocResult Alloc(Layout layout)
        {
            while (true)
            {
                AllocResult res;
                using (var heap = LinkedList.HEAP.Lock())
                {
                    if (!heap.Value.is_some)
                    {
                        Panic.Fail("__rust_allocate: heap not initialized", "src/allocator/linked_list.rs", 23);
                    }
                    res = heap.Value.value.AllocateFirstFit(layout);
                }

                if (!res.is_ok && res.err.exhausted)
                {
                    layout = res.err.request;

                    ulong size;
                    using (var heap = LinkedList.HEAP.Lock())
                    {
                        if (!heap.Value.is_some)
                        {
                            Panic.Fail("__rust_allocate: heap not initialized", "src/allocator/linked_list.rs", 33);
                        }
                        size = heap.Value.value.Size();
                    }

                    MapHeapHook(Consts.KERNEL_HEAP_OFFSET + size, Consts.KERNEL_HEAP_SIZE);

                    using (var heap = LinkedList.HEAP.Lock())
                    {
                        if (!heap.Value.is_some)
                        {
                            Panic.Fail("__rust_allocate: heap not initialized", "src/allocator/linked_list.rs", 41);
                        }
#if MUTATION_HEAP_GROWTH_HALF // NOT the original: the heap grows by half of what is mapped (make mutants)
                        heap.Value.value.Extend(Consts.KERNEL_HEAP_SIZE / 2);
#else
                        heap.Value.value.Extend(Consts.KERNEL_HEAP_SIZE);
#endif
                    }
                    continue;
                }
                return res;
            }
        }

        /// <summary>`dealloc`: back into the hole list.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Dealloc(byte* ptr, Layout layout)
        {
            using (var heap = LinkedList.HEAP.Lock())
            {
                if (!heap.Value.is_some)
                {
                    Panic.Fail("__rust_deallocate: heap not initialized", "src/allocator/linked_list.rs", 53);
                }
                heap.Value.value.Deallocate(ptr, layout);
            }
        }

        /// <summary>`oom`: "Out of memory: {:?}" of the error.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Oom(AllocErr error)
        {
            var w = Panic.Begin();
            w.Str("Out of memory: ");
            error.Debug(w);
            Panic.End(w, "src/allocator/linked_list.rs", 58);
        }

        /// <summary>`usable_size`: the heap's, i.e. the trait default (size, size).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static UsableSize UsableSize(Layout layout)
        {
            using (var heap = LinkedList.HEAP.Lock())
            {
                if (!heap.Value.is_some)
                {
                    Panic.Fail("__rust_usable_size: heap not initialized", "src/allocator/linked_list.rs", 65);
                }
                return heap.Value.value.UsableSize(layout);
            }
        }
    }
}
