using System.Runtime.CompilerServices;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.arch.x86_64.paging.table;
using Kernel.arch.x86_64.paging.temporary_page;
using Kernel.consts;
using Kernel.Hal;
using Kernel.memory;

namespace Kernel.arch.x86_64.paging
{
    /// <summary>paging/mod.rs: paging setup, the active and inactive tables, addresses and pages.</summary>
    public static unsafe class Paging
    {
        /// <summary>Number of entries per page table.</summary>
        public const ulong ENTRY_COUNT = 512;

        /// <summary>Size of pages.</summary>
        public const ulong PAGE_SIZE = 4096;

        /// <summary>IA32_PAT.</summary>
        public const uint IA32_PAT = 0x277;

        /// <summary>
        /// Setup page attribute table: PA0 write back, PA1 write through, PA2 uncached (UC-), PA3
        /// uncacheable, PA4 write combining, PA5..7 = PA1..3 (0x0007040100070406).
        /// </summary>
        internal static void InitPat()
        {
            ulong uncacheable = 0;
            ulong write_combining = 1;
            ulong write_through = 4;
            ulong write_back = 6;
            ulong uncached = 7;

            ulong pat0 = write_back;
#if MUTATION_PAT_SWAP_1_2 // NOT the original: PAT entries 1 and 2 swapped (make mutants)
            ulong pat1 = uncached;
            ulong pat2 = write_through;
#else
            ulong pat1 = write_through;
            ulong pat2 = uncached;
#endif
            ulong pat3 = uncacheable;

            ulong pat4 = write_combining;
            ulong pat5 = pat1;
            ulong pat6 = pat2;
            ulong pat7 = pat3;

            Registers.Wrmsr(IA32_PAT, pat7 << 56 | pat6 << 48 | pat5 << 40 | pat4 << 32
                                    | pat3 << 24 | pat2 << 16 | pat1 << 8 | pat0);
        }

        /// <summary>
        /// Copy tdata, clear tbss, set TCB self pointer: the CPU's block at KERNEL_PERCPU_OFFSET +
        /// KERNEL_PERCPU_SIZE * cpu_id gets the TLS image, its last word holds the block's end, and
        /// that word's address (end - 8) is returned: the FS base.
        /// </summary>
        public static ulong InitTcb(ulong cpu_id)
        {
            ulong start = Consts.KERNEL_PERCPU_OFFSET + Consts.KERNEL_PERCPU_SIZE * cpu_id;
            return InitTcbAt(start, Registers.LinkerSymbol(Registers.TDATA_START),
                Registers.LinkerSymbol(Registers.TBSS_START), Registers.LinkerSymbol(Registers.TBSS_END));
        }

        /// <summary><see cref="InitTcb"/> for a block at <paramref name="start"/> and an image at the given bounds (the tests' view).</summary>
        internal static ulong InitTcbAt(ulong start, ulong tdata_start, ulong tbss_start, ulong tbss_end)
        {
            ulong size = tbss_end - tdata_start;
            ulong tbss_offset = tbss_start - tdata_start;

            ulong end = start + size;
            ulong tcb_offset = end - 8;

            byte* src = (byte*)tdata_start;
            byte* dst = (byte*)start;
            for (ulong i = 0; i < tbss_offset; i++)
            {
                dst[i] = src[i];
            }
            for (ulong i = tbss_offset; i < size; i++)
            {
                dst[i] = 0;
            }

            *(ulong*)tcb_offset = end;
            return tcb_offset;
        }

        /// <summary>What init's mapping step (the original's closure) needs.</summary>
        private struct InitContext
        {
            public ulong cpu_id;
            public ulong kernel_start;
            public ulong kernel_end;
            public ulong stack_start;
            public ulong stack_end;
        }

        /// <summary>
        /// Initialize paging: a new PML4 with the stack, the kernel image (flags by section) and this
        /// CPU's TLS block, built through the temporary page, then switched to. Returns the active
        /// table and the thread control block offset.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ActivePageTable Init(ulong cpu_id, ulong kernel_start, ulong kernel_end, ulong stack_start, ulong stack_end, out ulong tcb_offset)
        {
            InitPat();

            ActivePageTable active_table = ActivePageTable.New();

            TemporaryPage temporary_page = new TemporaryPage(Page.ContainingAddress(new VirtualAddress(Consts.USER_TMP_MISC_OFFSET)));

            InactivePageTable new_table;
            {
                Frame? frame = Memory.AllocateFrames(1);
                if (!frame.HasValue)
                {
                    Panic.Fail("no more frames in paging::init new_table", "src/arch/x86_64/paging/mod.rs", 116);
                }
                new_table = InactivePageTable.New(frame.Value, ref active_table, ref temporary_page);
            }

            InitContext context = new InitContext
            {
                cpu_id = cpu_id,
                kernel_start = kernel_start,
                kernel_end = kernel_end,
                stack_start = stack_start,
                stack_end = stack_end,
            };
            active_table.With(ref new_table, ref temporary_page, &InitMappings, &context);

            // The table set up by the loader gives way to the new one; this flushes the TLB
            active_table.Switch(new_table);

            tcb_offset = InitTcb(cpu_id);
            return active_table;
        }

        /// <summary>
        /// Paging for an AP: no table of its own. The BSP's table (handed over by the trampoline)
        /// gets, through the temporary page, this CPU's TLS block and the AP's stack at
        /// KERNEL_OFFSET, then becomes the active table. Returns the thread control block offset.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ulong InitAp(ulong cpu_id, ulong bsp_table, ulong stack_start, ulong stack_end)
        {
            InitPat();

            ActivePageTable active_table = ActivePageTable.New();

            InactivePageTable new_table = InactivePageTable.FromAddress(bsp_table);

            TemporaryPage temporary_page = new TemporaryPage(Page.ContainingAddress(new VirtualAddress(Consts.USER_TMP_MISC_OFFSET)));

            InitContext context = new InitContext
            {
                cpu_id = cpu_id,
                stack_start = stack_start,
                stack_end = stack_end,
            };
            active_table.With(ref new_table, ref temporary_page, &InitApMappings, &context);

            // The loader's table gives way to the BSP's; this flushes the TLB
            active_table.Switch(new_table);

            return InitTcb(cpu_id);
        }

        /// <summary>The body of init_ap's `with` closure: this CPU's TLS block, then its stack.</summary>
        private static void InitApMappings(ref Mapper mapper, void* argument)
        {
            InitContext* context = (InitContext*)argument;

            // Map tdata and tbss
            {
                ulong size = Registers.LinkerSymbol(Registers.TBSS_END) - Registers.LinkerSymbol(Registers.TDATA_START);

                ulong start = Consts.KERNEL_PERCPU_OFFSET + Consts.KERNEL_PERCPU_SIZE * context->cpu_id;
                ulong end = start + size;

                Page start_page = Page.ContainingAddress(new VirtualAddress(start));
                Page end_page = Page.ContainingAddress(new VirtualAddress(end - 1));
                PageIter pages = Page.RangeInclusive(start_page, end_page);
                while (pages.Next() is Page page)
                {
                    MapperFlush result = mapper.Map(page, EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE);
                    // not the active table: the switch flushes everything
                    result.Ignore();
                }
            }

            // Remap stack writable, no execute
            ulong remap_start = context->stack_start - Consts.KERNEL_OFFSET;
            ulong remap_end = context->stack_end - Consts.KERNEL_OFFSET;
            if (remap_end > remap_start)
            {
                Frame start_frame = Frame.ContainingAddress(new PhysicalAddress(remap_start));
                Frame end_frame = Frame.ContainingAddress(new PhysicalAddress(remap_end - 1));
                for (ulong number = start_frame.number; number <= end_frame.number; number++)
                {
                    Frame frame = new Frame(number);
                    Page page = Page.ContainingAddress(new VirtualAddress(frame.StartAddress().Get() + Consts.KERNEL_OFFSET));
                    MapperFlush result = mapper.MapTo(page, frame, EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE);
                    // not the active table: the switch flushes everything
                    result.Ignore();
                }
            }
        }

        /// <summary>The body of init's `with` closure: runs with the new table recursively mapped.</summary>
        private static void InitMappings(ref Mapper mapper, void* argument)
        {
            InitContext* context = (InitContext*)argument;

            // Remap stack writable, no execute
            {
                Frame start_frame = Frame.ContainingAddress(new PhysicalAddress(context->stack_start - Consts.KERNEL_OFFSET));
                Frame end_frame = Frame.ContainingAddress(new PhysicalAddress(context->stack_end - Consts.KERNEL_OFFSET - 1));
                for (ulong number = start_frame.number; number <= end_frame.number; number++)
                {
                    Frame frame = new Frame(number);
                    Page page = Page.ContainingAddress(new VirtualAddress(frame.StartAddress().Get() + Consts.KERNEL_OFFSET));
#if MUTATION_STACK_EXECUTABLE // NOT the original: the kernel stack mapped executable (make mutants)
                    MapperFlush result = mapper.MapTo(page, frame, EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.WRITABLE);
#else
                    MapperFlush result = mapper.MapTo(page, frame, EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE);
#endif
                    // not the active table: the switch flushes everything
                    result.Ignore();
                }
            }

            // Map all frames in kernel
            {
                Frame start_frame = Frame.ContainingAddress(new PhysicalAddress(context->kernel_start));
#if MUTATION_KERNEL_MAP_ONE_PAGE_SHORT // NOT the original: the kernel slot's last page is not mapped (make mutants)
                Frame end_frame = Frame.ContainingAddress(new PhysicalAddress(context->kernel_end - 1 - 4096));
#else
                Frame end_frame = Frame.ContainingAddress(new PhysicalAddress(context->kernel_end - 1));
#endif
                for (ulong number = start_frame.number; number <= end_frame.number; number++)
                {
                    Frame frame = new Frame(number);
                    ulong phys_addr = frame.StartAddress().Get();
                    ulong virt_addr = phys_addr + Consts.KERNEL_OFFSET;

                    EntryFlags flags = SectionFlags(virt_addr);

                    Page page = Page.ContainingAddress(new VirtualAddress(virt_addr));
                    MapperFlush result = mapper.MapTo(page, frame, flags);
                    // not the active table: the switch flushes everything
                    result.Ignore();
                }
            }

            // Map tdata and tbss
            {
                ulong size = Registers.LinkerSymbol(Registers.TBSS_END) - Registers.LinkerSymbol(Registers.TDATA_START);

                ulong start = Consts.KERNEL_PERCPU_OFFSET + Consts.KERNEL_PERCPU_SIZE * context->cpu_id;
                ulong end = start + size;

                Page start_page = Page.ContainingAddress(new VirtualAddress(start));
                Page end_page = Page.ContainingAddress(new VirtualAddress(end - 1));
                PageIter pages = Page.RangeInclusive(start_page, end_page);
                while (pages.Next() is Page page)
                {
#if MUTATION_TLS_NOT_GLOBAL // NOT the original: the per-CPU (tdata/tbss) pages mapped without GLOBAL (make mutants)
                    MapperFlush result = mapper.Map(page, EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE);
#else
                    MapperFlush result = mapper.Map(page, EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE);
#endif
                    // not the active table: the switch flushes everything
                    result.Ignore();
                }
            }
        }

        /// <summary>The flags a kernel image page gets, by the section its address falls in.</summary>
        public static EntryFlags SectionFlags(ulong virt_addr)
        {
#if MUTATION_TEXT_END_ONE_PAGE_PAST // NOT the original: the text/rodata boundary one page late (the first rodata page executable) (make mutants)
            if (InSection(virt_addr, Registers.TEXT_START, Registers.TEXT_END) || virt_addr - Registers.LinkerSymbol(Registers.TEXT_END) < 4096)
#else
            if (InSection(virt_addr, Registers.TEXT_START, Registers.TEXT_END))
#endif
            {
                // text: read-only
#if MUTATION_TEXT_WRITABLE // NOT the original: kernel text mapped writable (make mutants)
                return EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.WRITABLE;
#else
                return EntryFlags.PRESENT | EntryFlags.GLOBAL;
#endif
            }
            else if (InSection(virt_addr, Registers.RODATA_START, Registers.RODATA_END))
            {
#if MUTATION_RODATA_EXECUTABLE // NOT the original: rodata mapped executable (make mutants)
                return EntryFlags.PRESENT | EntryFlags.GLOBAL;
#else
                // rodata: read-only, no execute
                return EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE;
#endif
            }
            else if (InSection(virt_addr, Registers.DATA_START, Registers.DATA_END))
            {
                // data: writable, no execute
                return EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE;
            }
            else if (InSection(virt_addr, Registers.TDATA_START, Registers.TDATA_END))
            {
                // tdata (the master copy): read-only, no execute
                return EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE;
            }
            else if (InSection(virt_addr, Registers.BSS_START, Registers.BSS_END))
            {
                // bss: writable, no execute
                return EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE;
            }
            else
            {
                // anything else: read-only, no execute
                return EntryFlags.PRESENT | EntryFlags.GLOBAL | EntryFlags.NO_EXECUTE;
            }
        }

        private static bool InSection(ulong virt_addr, uint start, uint end)
        {
            return virt_addr >= Registers.LinkerSymbol(start) && virt_addr < Registers.LinkerSymbol(end);
        }
    }

    /// <summary>paging/mod.rs: the page table in CR3, reached through the recursive mapping.</summary>
    public unsafe struct ActivePageTable
    {
        /// <summary>The original's Deref/DerefMut target.</summary>
        public Mapper mapper;

        public static ActivePageTable New() => new ActivePageTable { mapper = Mapper.New() };

        /// <summary>Loads <paramref name="new_table"/> into CR3; returns the table that was there.</summary>
        public InactivePageTable Switch(InactivePageTable new_table)
        {
            InactivePageTable old_table = new InactivePageTable(Frame.ContainingAddress(new PhysicalAddress(Registers.ReadCr3())));
            Registers.WriteCr3(new_table.p4_frame.StartAddress().Get());
            return old_table;
        }

        public void Flush(Page page)
        {
            Registers.Invlpg(page.StartAddress().Get());
        }

        public void FlushAll()
        {
            Registers.FlushTlb();
        }

        /// <summary>
        /// Runs <paramref name="f"/> (the original's closure, here a function with its argument) with
        /// <paramref name="table"/> in the recursive slot of the active PML4, so that the mapper edits
        /// the inactive table; the active PML4 is reached meanwhile through the temporary page.
        /// </summary>
        public void With(ref InactivePageTable table, ref TemporaryPage temporary_page, delegate*<ref Mapper, void*, void> f, void* argument)
        {
            {
                Frame backup = Frame.ContainingAddress(new PhysicalAddress(Registers.ReadCr3()));

                // map temporary_page to current p4 table
                Table<Level1>* p4_table = temporary_page.MapTableFrame(backup.Clone(), EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE, ref this);

                // overwrite recursive mapping
                (*mapper.P4Mut())[Consts.RECURSIVE_PAGE_PML4].Set(table.p4_frame.Clone(), EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
                FlushAll();

                // execute f in the new context
                f(ref mapper, argument);

                // restore recursive mapping to original p4 table
                (*p4_table)[Consts.RECURSIVE_PAGE_PML4].Set(backup, EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
                FlushAll();
            }

            temporary_page.Unmap(ref this);
        }

        public readonly ulong Address() => Registers.ReadCr3();
    }

    /// <summary>paging/mod.rs: a PML4 that is not in CR3.</summary>
    public struct InactivePageTable
    {
        internal Frame p4_frame;

        internal InactivePageTable(Frame p4_frame) { this.p4_frame = p4_frame; }

        /// <summary>Zeroes <paramref name="frame"/> through the temporary page and maps it recursively into itself.</summary>
        public static unsafe InactivePageTable New(Frame frame, ref ActivePageTable active_table, ref TemporaryPage temporary_page)
        {
            {
                Table<Level1>* table = temporary_page.MapTableFrame(frame.Clone(), EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE, ref active_table);
                // now we are able to zero the table
                table->Zero();
                // set up recursive mapping for the table
                (*table)[Consts.RECURSIVE_PAGE_PML4].Set(frame.Clone(), EntryFlags.PRESENT | EntryFlags.WRITABLE | EntryFlags.NO_EXECUTE);
            }
            temporary_page.Unmap(ref active_table);

            return new InactivePageTable(frame);
        }

        public static InactivePageTable FromAddress(ulong cr3) => new InactivePageTable(Frame.ContainingAddress(new PhysicalAddress(cr3)));

        public readonly ulong Address() => p4_frame.StartAddress().Get();
    }

    /// <summary>A physical address.</summary>
    public struct PhysicalAddress
    {
        private readonly ulong value;

        public PhysicalAddress(ulong address) { value = address; }

        public readonly ulong Get() => value;
    }

    /// <summary>A virtual address.</summary>
    public struct VirtualAddress
    {
        private readonly ulong value;

        public VirtualAddress(ulong address) { value = address; }

        public readonly ulong Get() => value;
    }

    /// <summary>A page of virtual memory.</summary>
    public struct Page
    {
        internal ulong number;

        public readonly VirtualAddress StartAddress() => new VirtualAddress(number * Paging.PAGE_SIZE);

        public readonly ulong P4Index() => (number >> 27) & 0x1FF;

        public readonly ulong P3Index() => (number >> 18) & 0x1FF;

        public readonly ulong P2Index() => (number >> 9) & 0x1FF;

        public readonly ulong P1Index() => number & 0x1FF;

        /// <summary>The page holding <paramref name="address"/> (no canonical-address check, as in the original).</summary>
        public static Page ContainingAddress(VirtualAddress address) => new Page { number = address.Get() / Paging.PAGE_SIZE };

        public static PageIter RangeInclusive(Page start, Page end) => new PageIter(start, end);
    }

    /// <summary>Iterates from one page up to another, both included.</summary>
    public struct PageIter
    {
        private Page start;
        private readonly Page end;

        public PageIter(Page start, Page end)
        {
            this.start = start;
            this.end = end;
        }

        public Page? Next()
        {
            if (start.number <= end.number)
            {
                Page page = start;
                start.number += 1;
                return page;
            }
            return null;
        }
    }
}
