using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.table;
using Kernel.memory;

namespace Kernel.arch.x86_64.paging.mapper
{
    /// <summary>
    /// mapper.rs: the promise, returned by every mapping operation, to flush the changed page from
    /// the TLB — or to say why not (<see cref="Ignore"/>). The original panics "Mapper flush was not
    /// utilized" when one is dropped unused; C# has no drop, so the port relies on its call sites
    /// (each one consumes its flush as the original's does).
    /// </summary>
    public struct MapperFlush
    {
        private readonly Page page;

        /// <summary>Create a new page flush promise.</summary>
        public MapperFlush(Page page) { this.page = page; }

        /// <summary>Flush this page in the active table.</summary>
        public void Flush(ref ActivePageTable table)
        {
            table.Flush(page);
        }

        /// <summary>Ignore the flush (the original: unsafe, give a reason).</summary>
        public void Ignore() { }
    }

    /// <summary>mapper.rs: one flush of the whole TLB standing for any number of consumed page flushes.</summary>
    public struct MapperFlushAll
    {
        private bool flag;

        /// <summary>Create a new promise to flush all mappings.</summary>
        public static MapperFlushAll New() => new MapperFlushAll { flag = false };

        /// <summary>Consume a single page flush.</summary>
        public void Consume(MapperFlush flush)
        {
            flag = true;
        }

        /// <summary>Flush the active page table, if any page flush was consumed.</summary>
        public void Flush(ref ActivePageTable table)
        {
            if (flag)
            {
                table.FlushAll();
            }
        }

        /// <summary>Ignore the flush (the original: unsafe, give a reason).</summary>
        public void Ignore() { }
    }

    /// <summary>mapper.rs: maps pages through the recursively mapped PML4.</summary>
    public unsafe struct Mapper
    {
        private Table<Level4>* p4;

        /// <summary>Create a new page table (the recursive mapping's view of the active PML4).</summary>
        public static Mapper New() => new Mapper { p4 = (Table<Level4>*)TableOps.P4 };

        public readonly Table<Level4>* P4() => p4;

        public readonly Table<Level4>* P4Mut() => p4;

        /// <summary>Map a page to a frame.</summary>
        public MapperFlush MapTo(Page page, Frame frame, EntryFlags flags)
        {
            Table<Level3>* p3 = TableOps.NextTableCreate<Level4, Level3>(P4Mut(), page.P4Index());
            Table<Level2>* p2 = TableOps.NextTableCreate<Level3, Level2>(p3, page.P3Index());
            Table<Level1>* p1 = TableOps.NextTableCreate<Level2, Level1>(p2, page.P2Index());

            if (!(*p1)[page.P1Index()].IsUnused())
            {
                var w = Panic.Begin();
                w.UpperHex(page.StartAddress().Get());
                w.Str(": Set to ");
                w.UpperHex((*p1)[page.P1Index()].Address().Get());
                w.Str(": ");
                (*p1)[page.P1Index()].Flags().Debug(w);
                w.Str(", requesting ");
                w.UpperHex(frame.StartAddress().Get());
                w.Str(": ");
                flags.Debug(w);
                Panic.End(w, "src/arch/x86_64/paging/mapper.rs", 105);
            }
            p1->IncrementEntryCount();
            (*p1)[page.P1Index()].Set(frame, flags | EntryFlags.PRESENT);
            return new MapperFlush(page);
        }

        /// <summary>Map a page to the next free frame.</summary>
        public MapperFlush Map(Page page, EntryFlags flags)
        {
            Frame? frame = Memory.AllocateFrames(1);
            if (!frame.HasValue)
            {
                Panic.Fail("out of frames", "src/arch/x86_64/paging/mapper.rs", 117);
            }
            return MapTo(page, frame.Value, flags);
        }

        /// <summary>Update flags for a page.</summary>
        public MapperFlush Remap(Page page, EntryFlags flags)
        {
            Table<Level3>* p3 = TableOps.NextTable<Level4, Level3>(P4Mut(), page.P4Index());
            if (p3 == null) Panic.Fail("failed to remap: no p3", "src/arch/x86_64/paging/mapper.rs", 123);
            Table<Level2>* p2 = TableOps.NextTable<Level3, Level2>(p3, page.P3Index());
            if (p2 == null) Panic.Fail("failed to remap: no p2", "src/arch/x86_64/paging/mapper.rs", 124);
            Table<Level1>* p1 = TableOps.NextTable<Level2, Level1>(p2, page.P2Index());
            if (p1 == null) Panic.Fail("failed to remap: no p1", "src/arch/x86_64/paging/mapper.rs", 125);
            Frame? frame = (*p1)[page.P1Index()].PointedFrame();
            if (!frame.HasValue) Panic.Fail("failed to remap: not mapped", "src/arch/x86_64/paging/mapper.rs", 126);
            (*p1)[page.P1Index()].Set(frame.Value, flags | EntryFlags.PRESENT);
            return new MapperFlush(page);
        }

        /// <summary>Identity map a frame.</summary>
        public MapperFlush IdentityMap(Frame frame, EntryFlags flags)
        {
            Page page = Page.ContainingAddress(new VirtualAddress(frame.StartAddress().Get()));
            return MapTo(page, frame, flags);
        }

        /// <summary>
        /// Clears the page's entry and, unless <paramref name="keep_parents"/>, frees every table
        /// (P1, then P2, then P3) that the removal leaves empty — P3 included, a hazard of 0.3.5 that
        /// upstream stopped in 2020 (FIDELITY.md §4); kept.
        /// </summary>
        private Frame UnmapInner(ref Page page, bool keep_parents)
        {
            Frame frame;

            Table<Level4>* p4 = P4Mut();
            Table<Level3>* p3 = TableOps.NextTable<Level4, Level3>(p4, page.P4Index());
            if (p3 != null)
            {
                Table<Level2>* p2 = TableOps.NextTable<Level3, Level2>(p3, page.P3Index());
                if (p2 != null)
                {
                    Table<Level1>* p1 = TableOps.NextTable<Level2, Level1>(p2, page.P2Index());
                    if (p1 != null)
                    {
                        Frame? pointed = (*p1)[page.P1Index()].PointedFrame();
                        if (pointed.HasValue)
                        {
                            frame = pointed.Value;
                        }
                        else
                        {
                            UnmapPanic(page, "): frame not found", 147);
                            frame = default;
                        }

                        p1->DecrementEntryCount();
                        (*p1)[page.P1Index()].SetUnused();

                        if (keep_parents || !p1->IsUnused())
                        {
                            return frame;
                        }
                    }
                    else
                    {
                        UnmapPanic(page, "): p1 not found", 157);
                        frame = default;
                    }

                    Frame? p1_frame = (*p2)[page.P2Index()].PointedFrame();
                    if (p1_frame.HasValue)
                    {
                        p2->DecrementEntryCount();
                        (*p2)[page.P2Index()].SetUnused();
                        Memory.DeallocateFrames(p1_frame.Value, 1);
                    }
                    else
                    {
                        UnmapPanic(page, "): p1_frame not found", 166);
                    }

                    if (!p2->IsUnused())
                    {
                        return frame;
                    }
                }
                else
                {
                    UnmapPanic(page, "): p2 not found", 173);
                    frame = default;
                }

                Frame? p2_frame = (*p3)[page.P3Index()].PointedFrame();
                if (p2_frame.HasValue)
                {
                    p3->DecrementEntryCount();
                    (*p3)[page.P3Index()].SetUnused();
                    Memory.DeallocateFrames(p2_frame.Value, 1);
                }
                else
                {
                    UnmapPanic(page, "): p2_frame not found", 182);
                }

                if (!p3->IsUnused())
                {
                    return frame;
                }
            }
            else
            {
                UnmapPanic(page, "): p3 not found", 189);
                frame = default;
            }

            Frame? p3_frame = (*p4)[page.P4Index()].PointedFrame();
            if (p3_frame.HasValue)
            {
                p4->DecrementEntryCount();
                (*p4)[page.P4Index()].SetUnused();
                Memory.DeallocateFrames(p3_frame.Value, 1);
            }
            else
            {
                UnmapPanic(page, "): p3_frame not found", 198);
            }

            return frame;
        }

        /// <summary>`panic!("unmap_inner({:X})...", page.start_address().get())` at mapper.rs:line.</summary>
        private static void UnmapPanic(Page page, string rest, uint line)
        {
            var w = Panic.Begin();
            w.Str("unmap_inner(");
            w.UpperHex(page.StartAddress().Get());
            w.Str(rest);
            Panic.End(w, "src/arch/x86_64/paging/mapper.rs", line);
        }

        /// <summary>
        /// Unmap a page, freeing its frame. Inlined into its callers as in the original's build, so that a
        /// free is seen as its caller's (observe.toml: the frees of Memory's drop are unseen, as the
        /// original's inlined ones; brk's shrink calls deallocate_frames).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public MapperFlush Unmap(Page page)
        {
            Frame frame = UnmapInner(ref page, false);
            Memory.DeallocateFrames(frame, 1);
            return new MapperFlush(page);
        }

        /// <summary>Unmap a page, return frame without free.</summary>
        public MapperFlush UnmapReturn(Page page, bool keep_parents, out Frame frame)
        {
            frame = UnmapInner(ref page, keep_parents);
            return new MapperFlush(page);
        }

        public readonly Frame? TranslatePage(Page page)
        {
            Table<Level3>* p3 = TableOps.NextTable<Level4, Level3>(P4(), page.P4Index());
            if (p3 == null) return null;
            Table<Level2>* p2 = TableOps.NextTable<Level3, Level2>(p3, page.P3Index());
            if (p2 == null) return null;
            Table<Level1>* p1 = TableOps.NextTable<Level2, Level1>(p2, page.P2Index());
            if (p1 == null) return null;
            return (*p1)[page.P1Index()].PointedFrame();
        }

        public readonly EntryFlags? TranslatePageFlags(Page page)
        {
            Table<Level3>* p3 = TableOps.NextTable<Level4, Level3>(P4(), page.P4Index());
            if (p3 == null) return null;
            Table<Level2>* p2 = TableOps.NextTable<Level3, Level2>(p3, page.P3Index());
            if (p2 == null) return null;
            Table<Level1>* p1 = TableOps.NextTable<Level2, Level1>(p2, page.P2Index());
            if (p1 == null) return null;
            return (*p1)[page.P1Index()].Flags();
        }

        /// <summary>Translate a virtual address to a physical one.</summary>
        public readonly PhysicalAddress? Translate(VirtualAddress virtual_address)
        {
            ulong offset = virtual_address.Get() % Paging.PAGE_SIZE;
            Frame? frame = TranslatePage(Page.ContainingAddress(virtual_address));
            if (frame.HasValue)
            {
                return new PhysicalAddress(frame.Value.StartAddress().Get() + offset);
            }
            return null;
        }
    }
}
