using System.Runtime.CompilerServices;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.consts;

namespace Kernel.allocator
{
    /// <summary>
    /// allocator/mod.rs: maps the kernel heap's pages and sets up the global allocator. (The
    /// module's `pub use self::linked_list::Allocator` — the allocator type itself — is
    /// <see cref="linked_list.Allocator"/>; this class holds the module's functions.)
    /// </summary>
    public static unsafe class Allocator
    {
        /// <summary>
        /// Maps [offset, offset + size) to fresh frames, PRESENT | GLOBAL | WRITABLE | NO_EXECUTE, one
        /// page after the other, then flushes the whole TLB once.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void MapHeap(ref ActivePageTable active_table, ulong offset, ulong size)
        {
            MapperFlushAll flush_all = MapperFlushAll.New();

            Page heap_start_page = Page.ContainingAddress(new VirtualAddress(offset));
            Page heap_end_page = Page.ContainingAddress(new VirtualAddress(offset + size - 1));
            PageIter pages = Page.RangeInclusive(heap_start_page, heap_end_page);
            while (pages.Next() is Page page)
            {
#if MUTATION_HEAP_PAGES_NOT_GLOBAL // NOT the original: heap pages mapped without GLOBAL (make mutants)
                MapperFlush result = active_table.mapper.Map(page, EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
#else
                MapperFlush result = active_table.mapper.Map(page, EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
#endif
                flush_all.Consume(result);
            }

            flush_all.Flush(ref active_table);
        }

        /// <summary>What the heap calls to grow: `map_heap(&amp;mut ActivePageTable::new(), offset, size)`.</summary>
        private static void MapHeapInActiveTable(ulong offset, ulong size)
        {
            ActivePageTable active_table = ActivePageTable.New();
            MapHeap(ref active_table, offset, size);
        }

        /// <summary>Maps the first KERNEL_HEAP_SIZE (1 MiB) at KERNEL_HEAP_OFFSET, then makes it the heap.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Init(ref ActivePageTable active_table)
        {
            ulong offset = Consts.KERNEL_HEAP_OFFSET;
#if MUTATION_HEAP_INITIAL_HALF // NOT the original: the initial heap is 512 KiB (make mutants)
            ulong size = Consts.KERNEL_HEAP_SIZE / 2;
#else
            ulong size = Consts.KERNEL_HEAP_SIZE;
#endif

            // The heap's growth maps its pages through map_heap (linked_list.rs calls super::map_heap)
            linked_list.Allocator.MapHeapHook = &MapHeapInActiveTable;

            // Map heap pages
            MapHeap(ref active_table, offset, size);

            // Initialize global heap
            linked_list.Allocator.Init(offset, size);
        }
    }
}
