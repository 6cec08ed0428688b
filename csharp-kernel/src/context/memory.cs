using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using alloc.arc;
using core.fmt;
using alloc.vec_deque;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.arch.x86_64.paging.temporary_page;
using spin;
using Frame = Kernel.memory.Frame;

namespace Kernel.context.memory
{
    /// <summary>
    /// context/memory.rs `Grant`: a range of pages mapped to frames that belong to someone else
    /// (physical memory, another context's pages), 32 bytes. Never unmapped by a drop: the owner
    /// calls <see cref="Unmap"/> or <see cref="UnmapInactive"/>, and dropping a grant still mapped
    /// is the original's assertion (<see cref="Drop"/>).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Grant
    {
        public ulong start;
        public ulong size;
        public EntryFlags flags;
        public bool mapped;

        /// <summary>`physmap(from, to, size, flags)`: the pages from <paramref name="to"/> mapped in the active table to the frames from <paramref name="from"/>.</summary>
        public static Grant Physmap(PhysicalAddress from, VirtualAddress to, ulong size, EntryFlags flags)
        {
            ActivePageTable active_table = ActivePageTable.New();

            MapperFlushAll flush_all = MapperFlushAll.New();

            Page start_page = Page.ContainingAddress(to);
            Page end_page = Page.ContainingAddress(new VirtualAddress(to.Get() + size - 1));
            PageIter pages = Page.RangeInclusive(start_page, end_page);
            while (pages.Next() is Page page)
            {
                Frame frame = Frame.ContainingAddress(new PhysicalAddress(page.StartAddress().Get() - to.Get() + from.Get()));
                MapperFlush result = active_table.mapper.MapTo(page, frame, flags);
                flush_all.Consume(result);
            }

            flush_all.Flush(ref active_table);

            return Make(to, size, flags);
        }

        private static Grant Make(VirtualAddress start, ulong size, EntryFlags flags)
        {
            Grant g;
            g.start = start.Get();
            g.size = size;
            g.flags = flags;
            g.mapped = true;
            return g;
        }

        /// <summary>What map_inactive's closure uses: the frames found in the active table and where they go.</summary>
        private unsafe struct MapInactiveArgs
        {
            public VecDeque<Frame>* frames;
            public ulong to;
            public ulong size;
            public EntryFlags flags;
        }

        /// <summary>
        /// `map_inactive(from, to, size, flags, new_table, temporary_page)`: the frames behind the
        /// active table's pages at <paramref name="from"/> mapped again at <paramref name="to"/> in
        /// <paramref name="new_table"/> (through the temporary page).
        /// </summary>
        public static unsafe Grant MapInactive(VirtualAddress from, VirtualAddress to, ulong size, EntryFlags flags, ref InactivePageTable new_table, ref TemporaryPage temporary_page)
        {
            ActivePageTable active_table = ActivePageTable.New();

            VecDeque<Frame> frames = VecDeque<Frame>.New();

            Page start_page = Page.ContainingAddress(from);
            Page end_page = Page.ContainingAddress(new VirtualAddress(from.Get() + size - 1));
            PageIter pages = Page.RangeInclusive(start_page, end_page);
            while (pages.Next() is Page page)
            {
                Frame? frame = active_table.mapper.TranslatePage(page);
                if (!frame.HasValue)
                {
                    Panic.Fail("grant references unmapped memory", "src/context/memory.rs", 52);
                }
                frames.PushBack(frame.Value);
            }

            MapInactiveArgs args;
            args.frames = &frames;
            args.to = to.Get();
            args.size = size;
            args.flags = flags;
            active_table.With(ref new_table, ref temporary_page, &MapInactiveBody, &args);

            frames.Dispose();

            return Make(to, size, flags);
        }

        private static unsafe void MapInactiveBody(ref Mapper mapper, void* argument)
        {
            MapInactiveArgs* args = (MapInactiveArgs*)argument;
            Page start_page = Page.ContainingAddress(new VirtualAddress(args->to));
            Page end_page = Page.ContainingAddress(new VirtualAddress(args->to + args->size - 1));
            PageIter pages = Page.RangeInclusive(start_page, end_page);
            while (pages.Next() is Page page)
            {
                Frame? frame = args->frames->PopFront();
                if (!frame.HasValue)
                {
                    Panic.Fail("grant did not find enough frames", "src/context/memory.rs", 60);
                }
                MapperFlush result = mapper.MapTo(page, frame.Value, args->flags);
                // Ignore result due to mapping on inactive table
                result.Ignore();
            }
        }

        public readonly VirtualAddress StartAddress() => new VirtualAddress(start);

        public readonly ulong Size() => size;

        public readonly EntryFlags Flags() => flags;

        /// <summary>`unmap(self)`: the pages unmapped from the active table; the frames are not freed (they are not the grant's).</summary>
        public void Unmap()
        {
            if (!mapped)
            {
                Panic.Fail("assertion failed: self.mapped", "src/context/memory.rs", 88);
            }

            ActivePageTable active_table = ActivePageTable.New();

            MapperFlushAll flush_all = MapperFlushAll.New();

            Page start_page = Page.ContainingAddress(new VirtualAddress(start));
            Page end_page = Page.ContainingAddress(new VirtualAddress(start + size - 1));
            PageIter pages = Page.RangeInclusive(start_page, end_page);
            while (pages.Next() is Page page)
            {
                MapperFlush result = active_table.mapper.UnmapReturn(page, false, out Frame _frame);
                flush_all.Consume(result);
            }

            flush_all.Flush(ref active_table);

            mapped = false;
            Drop();
        }

        private static unsafe void UnmapInactiveBody(ref Mapper mapper, void* argument)
        {
            Grant* self = (Grant*)argument;
            Page start_page = Page.ContainingAddress(new VirtualAddress(self->start));
            Page end_page = Page.ContainingAddress(new VirtualAddress(self->start + self->size - 1));
            PageIter pages = Page.RangeInclusive(start_page, end_page);
            while (pages.Next() is Page page)
            {
                MapperFlush result = mapper.UnmapReturn(page, false, out Frame _frame);
                // This is not the active table, so the flush can be ignored
                result.Ignore();
            }
        }

        /// <summary>`unmap_inactive(self, new_table, temporary_page)`: the same, in an inactive table.</summary>
        public unsafe void UnmapInactive(ref InactivePageTable new_table, ref TemporaryPage temporary_page)
        {
            if (!mapped)
            {
                Panic.Fail("assertion failed: self.mapped", "src/context/memory.rs", 107);
            }

            ActivePageTable active_table = ActivePageTable.New();

            fixed (Grant* self = &this)
            {
                active_table.With(ref new_table, ref temporary_page, &UnmapInactiveBody, self);
            }

            mapped = false;
            Drop();
        }

        /// <summary>Drop: a grant must be unmapped before it goes.</summary>
        public readonly void Drop()
        {
            if (mapped)
            {
                Panic.Fail("assertion failed: !self.mapped", "src/context/memory.rs", 127);
            }
        }

        /// <summary>`{:?}` (derived): `Grant { start: VirtualAddress(n), size: n, flags: FLAGS, mapped: b }`.</summary>
        public readonly void Debug(Kernel.arch.x86_64.debug.Writer w)
        {
            w.Str("Grant { start: VirtualAddress(");
            w.Dec(start);
            w.Str("), size: ");
            w.Dec(size);
            w.Str(", flags: ");
            flags.Debug(w);
            w.Str(", mapped: ");
            w.Str(mapped ? "true" : "false");
            w.Str(" }");
        }
    }

    /// <summary>
    /// context/memory.rs `SharedMemory`: Owned(Arc&lt;Mutex&lt;Memory&gt;&gt;) or
    /// Borrowed(Weak&lt;Mutex&lt;Memory&gt;&gt;) (16 bytes: the tag, then the block both point to).
    /// Dropping the last owner of an Owned one drops the memory (unmaps it).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SharedMemory
    {
        public const ulong OWNED = 0, BORROWED = 1;

        /// <summary>0 = Owned, 1 = Borrowed.</summary>
        public ulong kind;
        /// <summary>The shared block (a strong reference when Owned, a weak one when Borrowed).</summary>
        public Arc<Mutex<Memory>> inner;

        public readonly bool IsNone => inner.IsNull;

        public static SharedMemory Owned(Arc<Mutex<Memory>> arc)
        {
            SharedMemory s;
            s.kind = OWNED;
            s.inner = arc;
            return s;
        }

        private static SharedMemory Borrowed(Weak<Mutex<Memory>> weak)
        {
            SharedMemory s;
            s.kind = BORROWED;
            s.inner.ptr = weak.ptr;
            return s;
        }

        /// <summary>
        /// `with(f)`: <paramref name="f"/> on the memory, locked (a Borrowed one must still be alive:
        /// "SharedMemory::Borrowed no longer valid").
        /// </summary>
        public readonly ulong With(delegate*<ref Memory, void*, ulong> f, void* argument)
        {
            if (kind == OWNED)
            {
                using (var memory = inner.Value.Lock())
                {
                    return f(ref memory.Value, argument);
                }
            }
            Weak<Mutex<Memory>> weak;
            weak.ptr = inner.ptr;
            if (!weak.Upgrade(out Arc<Mutex<Memory>> memory_lock))
            {
                Panic.Fail("SharedMemory::Borrowed no longer valid", "src/context/memory.rs", 145);
            }
            ulong r;
            using (var memory = memory_lock.Value.Lock())
            {
                r = f(ref memory.Value, argument);
            }
            DropArc(memory_lock);
            return r;
        }

        /// <summary>`borrow()`: a Borrowed one pointing to the same memory.</summary>
        public readonly SharedMemory Borrow() => Borrowed(inner.Downgrade());

        /// <summary>`clone()` (derived): one more strong (Owned) or weak (Borrowed) reference.</summary>
        public readonly SharedMemory Clone()
        {
            if (kind == OWNED)
            {
                return Owned(inner.Clone());
            }
            return Borrowed(inner.Downgrade());
        }

        private static void DropArc(Arc<Mutex<Memory>> arc)
        {
            if (arc.Release())
            {
                arc.Value.data.Drop();
                arc.Free();
            }
        }

        /// <summary>Drop: the reference goes; the memory with the last strong one.</summary>
        public void Drop()
        {
            if (inner.IsNull)
            {
                return;
            }
            if (kind == OWNED)
            {
                DropArc(inner);
            }
            else
            {
                Weak<Mutex<Memory>> weak;
                weak.ptr = inner.ptr;
                weak.Release();
            }
            inner = default;
        }
    }

    /// <summary>
    /// context/memory.rs `Memory`: a range of user pages with their flags, whose frames it owns
    /// (24 bytes). New maps (and may clear) them; <see cref="Drop"/> unmaps them and frees the frames.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Memory
    {
        public ulong start;
        public ulong size;
        public EntryFlags flags;

        /// <summary>`Memory::new(start, size, flags, clear)`: each page mapped to a new frame (in page order).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Memory New(VirtualAddress start, ulong size, EntryFlags flags, bool clear)
        {
            Memory memory;
            memory.start = start.Get();
            memory.size = size;
            memory.flags = flags;

            memory.Map(clear);

            return memory;
        }

        /// <summary>`to_shared(self)`: Owned, in a new Arc&lt;Mutex&gt;.</summary>
        public readonly SharedMemory ToShared() => SharedMemory.Owned(Arc<Mutex<Memory>>.New(new Mutex<Memory>(this)));

        public readonly VirtualAddress StartAddress() => new VirtualAddress(start);

        public readonly ulong Size() => size;

        public readonly EntryFlags Flags() => flags;

        /// <summary>`pages()`: from the page of start to the page of start + size - 1 (empty when size is 0 and start is page aligned).</summary>
        public readonly PageIter Pages()
        {
            Page start_page = Page.ContainingAddress(new VirtualAddress(start));
            Page end_page = Page.ContainingAddress(new VirtualAddress(start + size - 1));
            return Page.RangeInclusive(start_page, end_page);
        }

        private unsafe void Map(bool clear)
        {
            ActivePageTable active_table = ActivePageTable.New();

            MapperFlushAll flush_all = MapperFlushAll.New();

            PageIter pages = Pages();
            while (pages.Next() is Page page)
            {
                MapperFlush result = active_table.mapper.Map(page, flags);
                flush_all.Consume(result);
            }

            flush_all.Flush(ref active_table);

            if (clear)
            {
                if (!flags.Contains(EntryFlags.WRITABLE))
                {
                    Panic.Fail("assertion failed: self.flags.contains(EntryFlags::WRITABLE)", "src/context/memory.rs", 215);
                }
                WriteBytes((byte*)StartAddress().Get(), 0, size);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Unmap()
        {
            ActivePageTable active_table = ActivePageTable.New();

            MapperFlushAll flush_all = MapperFlushAll.New();

            PageIter pages = Pages();
            while (pages.Next() is Page page)
            {
                MapperFlush result = active_table.mapper.Unmap(page);
                flush_all.Consume(result);
            }

            flush_all.Flush(ref active_table);
        }

        /// <summary>What move_to's closure uses.</summary>
        private struct MoveToArgs
        {
            public Page page;
            public Frame frame;
            public ulong start;
            public ulong new_start;
            public EntryFlags flags;
        }

        private static unsafe void MoveToBody(ref Mapper mapper, void* argument)
        {
            MoveToArgs* args = (MoveToArgs*)argument;
            Page new_page = Page.ContainingAddress(new VirtualAddress(args->page.StartAddress().Get() - args->start + args->new_start));
            MapperFlush result = mapper.MapTo(new_page, args->frame, args->flags);
            // This is not the active table, so the flush can be ignored
            result.Ignore();
        }

        /// <summary>
        /// `move_to(new_start, new_table, temporary_page)`: page by page, unmapped from the active table
        /// (its frame kept) and mapped at the new address in <paramref name="new_table"/>.
        /// </summary>
        public unsafe void MoveTo(VirtualAddress new_start, ref InactivePageTable new_table, ref TemporaryPage temporary_page)
        {
            ActivePageTable active_table = ActivePageTable.New();

            MapperFlushAll flush_all = MapperFlushAll.New();

            PageIter pages = Pages();
            while (pages.Next() is Page page)
            {
                MapperFlush result = active_table.mapper.UnmapReturn(page, false, out Frame frame);
                flush_all.Consume(result);

                MoveToArgs args;
                args.page = page;
                args.frame = frame;
                args.start = start;
                args.new_start = new_start.Get();
                args.flags = flags;
                active_table.With(ref new_table, ref temporary_page, &MoveToBody, &args);
            }

            flush_all.Flush(ref active_table);

            start = new_start.Get();
        }

        /// <summary>`remap(new_flags)`: every page's flags replaced.</summary>
        public void Remap(EntryFlags new_flags)
        {
            ActivePageTable active_table = ActivePageTable.New();

            MapperFlushAll flush_all = MapperFlushAll.New();

            PageIter pages = Pages();
            while (pages.Next() is Page page)
            {
                MapperFlush result = active_table.mapper.Remap(page, new_flags);
                flush_all.Consume(result);
            }

            flush_all.Flush(ref active_table);

            flags = new_flags;
        }

        /// <summary>
        /// `resize(new_size, clear)`: growing maps the pages from start + size to start + new_size - 1
        /// that are not mapped yet (and clears the new bytes); shrinking unmaps the mapped pages from
        /// start + new_size to start + size - 1. The pages are counted from the byte offsets:
        /// shrinking to a size that is not page aligned unmaps the page still partly in use, which
        /// the drop then unmaps again (quirk U3).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public unsafe void Resize(ulong new_size, bool clear)
        {
            ActivePageTable active_table = ActivePageTable.New();

            if (new_size > size)
            {
                MapperFlushAll flush_all = MapperFlushAll.New();

                PageIter pages = GrowPages(start, size, new_size);
                while (pages.Next() is Page page)
                {
                    if (!active_table.mapper.TranslatePage(page).HasValue)
                    {
                        MapperFlush result = active_table.mapper.Map(page, flags);
                        flush_all.Consume(result);
                    }
                }

                flush_all.Flush(ref active_table);

                if (clear)
                {
                    WriteBytes((byte*)(start + size), 0, new_size - size);
                }
            }
            else if (new_size < size)
            {
                MapperFlushAll flush_all = MapperFlushAll.New();

                PageIter pages = ShrinkPages(start, size, new_size);
                while (pages.Next() is Page page)
                {
                    if (active_table.mapper.TranslatePage(page).HasValue)
                    {
                        MapperFlush result = active_table.mapper.Unmap(page);
                        flush_all.Consume(result);
                    }
                }

                flush_all.Flush(ref active_table);
            }

            size = new_size;
        }

        /// <summary>The pages resize looks at when growing from <paramref name="size"/> to <paramref name="new_size"/>.</summary>
        public static PageIter GrowPages(ulong start, ulong size, ulong new_size)
        {
            Page start_page = Page.ContainingAddress(new VirtualAddress(start + size));
            Page end_page = Page.ContainingAddress(new VirtualAddress(start + new_size - 1));
            return Page.RangeInclusive(start_page, end_page);
        }

        /// <summary>The pages resize looks at when shrinking from <paramref name="size"/> to <paramref name="new_size"/>.</summary>
        public static PageIter ShrinkPages(ulong start, ulong size, ulong new_size)
        {
            Page start_page = Page.ContainingAddress(new VirtualAddress(start + new_size));
            Page end_page = Page.ContainingAddress(new VirtualAddress(start + size - 1));
            return Page.RangeInclusive(start_page, end_page);
        }

        /// <summary>Drop: the pages unmapped, their frames (and tables left empty) freed.</summary>
        public void Drop()
        {
            Unmap();
        }

        /// <summary>`intrinsics::write_bytes`.</summary>
        internal static unsafe void WriteBytes(byte* dst, byte value, ulong count)
        {
            for (ulong i = 0; i < count; i++)
            {
                dst[i] = value;
            }
        }

        /// <summary>`intrinsics::copy` (memmove).</summary>
        internal static unsafe void Copy(byte* src, byte* dst, ulong count)
        {
            if (dst <= src)
            {
                for (ulong i = 0; i < count; i++)
                {
                    dst[i] = src[i];
                }
            }
            else
            {
                for (ulong i = count; i > 0; i--)
                {
                    dst[i - 1] = src[i - 1];
                }
            }
        }
    }

    /// <summary>`Option&lt;Memory&gt;`.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OptionMemory
    {
        public bool is_some;
        public Memory value;

        public static OptionMemory Some(Memory m) => new OptionMemory { is_some = true, value = m };

        /// <summary>`drop(self.take())`.</summary>
        public void DropTake()
        {
            if (is_some)
            {
                is_some = false;
                value.Drop();
                value = default;
            }
        }
    }

    /// <summary>`Option&lt;SharedMemory&gt;` (None is the null Arc: the niche).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OptionSharedMemory
    {
        public SharedMemory value;

        public readonly bool IsSome => !value.IsNone;

        public static OptionSharedMemory Some(SharedMemory m) => new OptionSharedMemory { value = m };

        /// <summary>`drop(self.take())`.</summary>
        public void DropTake()
        {
            SharedMemory m = value;
            value = default;
            m.Drop();
        }
    }

    /// <summary>context/memory.rs `Tls`: master image address, file size, the memory and its offset (48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Tls
    {
        public ulong master;
        public ulong file_size;
        public Memory mem;
        public ulong offset;

        /// <summary>`load()`: the master image's file bytes copied to mem + offset.</summary>
        public readonly unsafe void Load()
        {
            Memory.Copy((byte*)master, (byte*)(mem.StartAddress().Get() + offset), file_size);
        }
    }

    /// <summary>`Option&lt;Tls&gt;`.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OptionTls
    {
        public bool is_some;
        public Tls value;

        /// <summary>`drop(self.take())`: the memory unmapped.</summary>
        public void DropTake()
        {
            if (is_some)
            {
                is_some = false;
                value.mem.Drop();
                value = default;
            }
        }
    }
}
