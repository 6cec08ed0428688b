using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.arch.x86_64.paging.table;
using Kernel.memory;

namespace Kernel.arch.x86_64.paging.temporary_page
{
    /// <summary>temporary_page.rs: one page of the active table, mapped to a frame for a while.</summary>
    public unsafe struct TemporaryPage
    {
        private Page page;

        public TemporaryPage(Page page) { this.page = page; }

        public readonly VirtualAddress StartAddress() => page.StartAddress();

        /// <summary>Maps the temporary page to <paramref name="frame"/> in the active table; returns its start address.</summary>
        public VirtualAddress Map(Frame frame, EntryFlags flags, ref ActivePageTable active_table)
        {
            if (active_table.mapper.TranslatePage(page).HasValue)
            {
                Panic.Fail("temporary page is already mapped", "src/arch/x86_64/paging/temporary_page.rs", 28);
            }
            MapperFlush result = active_table.mapper.MapTo(page, frame, flags);
            result.Flush(ref active_table);
            return page.StartAddress();
        }

        /// <summary>Maps the temporary page to a page table frame; returns the table it now shows.</summary>
        public Table<Level1>* MapTableFrame(Frame frame, EntryFlags flags, ref ActivePageTable active_table)
        {
            return (Table<Level1>*)Map(frame, flags, ref active_table).Get();
        }

        /// <summary>Unmaps the temporary page in the active table (its tables are kept).</summary>
        public void Unmap(ref ActivePageTable active_table)
        {
            MapperFlush result = active_table.mapper.UnmapReturn(page, true, out Frame _frame);
            result.Flush(ref active_table);
        }
    }
}
