using Kernel.arch.x86_64.debug;
using Kernel.sync.wait_map;
using Kernel.context.file;
using Kernel.context.context;
using alloc.btree_map;
using alloc.arc;
using System.Runtime.CompilerServices;
using alloc.vec;
using core.fmt;
using Kernel.common;
using Kernel.context;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;
using alloc.boxed;
using goblin.elf64;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.arch.x86_64.paging.temporary_page;
using Kernel.arch.x86_64.start;
using Kernel.consts;
using Kernel.context.memory;
using Kernel.elf;
using Kernel.syscall.validate;
using MemoryRegion = Kernel.context.memory.Memory;

namespace Kernel.syscall
{
    /// <summary>`Result&lt;ContextId&gt;`.</summary>
    public struct ContextIdResult
    {
        public bool is_ok;
        public ContextId ok;
        public int errno;

        /// <summary>`{:?}`: Ok(ContextId(n)) or Err(text).</summary>
        public readonly void Debug(Kernel.arch.x86_64.debug.Writer w)
        {
            if (is_ok)
            {
                w.Str("Ok(");
                ok.Debug(w);
                w.Str(")");
            }
            else
            {
                w.Str("Err(");
                w.Str(Error.Text(errno));
                w.Str(")");
            }
        }
    }

    /// <summary>syscall/process.rs: the process system calls.</summary>
    public static unsafe class Process
    {
        /// <summary>`getpid()`: the current context's id (ESRCH outside of one).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ContextIdResult Getpid()
        {
            ContextIdResult r = default;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                r.is_ok = true;
                r.ok = context.Value.id;
                return r;
            }
        }

        /// <summary>
        /// `brk(address)`: 0 asks for the heap's end (USER_HEAP_OFFSET + its size); an address at or above
        /// USER_HEAP_OFFSET resizes the heap to it (new bytes cleared, no limit: quirk U6) and is returned;
        /// anything below is ENOMEM. A context without a heap panics ("user heap not initialized").
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Brk(ulong address)
        {
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                ulong current;
                if (context.Value.heap.IsSome)
                {
                    current = context.Value.heap.value.With(&HeapEnd, null);
                }
                else
                {
                    Panic.Fail("user heap not initialized", "src/syscall/process.rs", 41);
                    return Result.Err(Error.ENOMEM);
                }

                if (address == 0)
                {
                    return Result.Ok(current);
                }
                else if (address >= Consts.USER_HEAP_OFFSET)
                {
                    //TODO: out of memory errors
                    if (context.Value.heap.IsSome)
                    {
                        ulong new_size = address - Consts.USER_HEAP_OFFSET;
                        context.Value.heap.value.With(&HeapResize, &new_size);
                    }
                    else
                    {
                        Panic.Fail("user heap not initialized", "src/syscall/process.rs", 54);
                    }
                    return Result.Ok(address);
                }
                else
                {
                    return Result.Err(Error.ENOMEM);
                }
            }
        }

        private static ulong HeapEnd(ref MemoryRegion heap, void* _) => heap.StartAddress().Get() + heap.Size();

        private static ulong HeapResize(ref MemoryRegion heap, void* new_size)
        {
            heap.Resize(*(ulong*)new_size, true);
            return 0;
        }

        /// <summary>
        /// `clone(flags, stack_base)`: a new context from the current one. Copied under the list's
        /// read lock, in the original's order: the FX area (512 bytes, 16-aligned) and the kernel stack
        /// (the word below stack_base, where the caller's rbp is saved — the system call's return address, see
        /// asm/interrupt.asm — becomes clone_ret, where the child's first switch returns: its system
        /// call returns 0, QUIRKS U4); with CLONE_VM the image and heap are shared, else copied through
        /// the USER_TMP_* windows; the stack, signal stack and TLS are always copied (the TLS reloaded
        /// from its master image with CLONE_VM); grants, name and env shared with CLONE_VM, cwd with
        /// CLONE_FS, files with CLONE_FILES, signal actions with CLONE_SIGHAND, else copied (files as new
        /// descriptors of the same descriptions, without events). CLONE_VFORK blocks the caller. Then
        /// the new context gets its own page table: the kernel's PML4 entries (image and heap) copied;
        /// with CLONE_VM the user image, heap (QUIRKS U1) and grant entries too, else the per-CPU pages
        /// mapped and the copies moved to their places; the stacks and TLS moved in. A switch, then
        /// the child's id.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ContextIdResult Clone(ulong flags, ulong stack_base)
        {
            ContextIdResult r = default;
            ContextId ppid;
            ContextId pid;

            ContextId pgid;
            uint ruid, rgid, euid, egid;
            SchemeNamespace rns, ens;
            OptionUsize cpu_id = default;
            Kernel.context.arch.Context arch;
            bool vfork;
            BoxSlice kfx_option = default;
            BoxSlice kstack_option = default;
            ulong offset = 0;
            Vec<SharedMemory> image = Vec<SharedMemory>.New();
            OptionSharedMemory heap_option = default;
            OptionMemory stack_option = default;
            OptionMemory sigstack_option = default;
            OptionTls tls_option = default;
            CloneShared shared;

            // Copy from old process
            using (var context_guard = CurrentContext.Read())
            {
                if (context_guard.IsNone)
                {
                    image.Dispose();
                    r.errno = Error.ESRCH;
                    return r;
                }
                ref Kernel.context.context.Context context = ref context_guard.Value;

                ppid = context.id;
                pgid = context.pgid;
                ruid = context.ruid;
                rgid = context.rgid;
                rns = context.rns;
                euid = context.euid;
                egid = context.egid;
                ens = context.ens;

                if ((flags & Flag.CLONE_VM) == Flag.CLONE_VM)
                {
                    cpu_id = context.cpu_id;
                }

                arch = context.arch;

                if (!context.kfx.IsNone)
                {
                    BoxSlice new_fx = BoxSlice.Alloc(512, 16);
                    for (ulong i = 0; i < 512 && i < context.kfx.len; i++)
                    {
                        new_fx.ptr[i] = context.kfx.ptr[i];
                    }
                    kfx_option = new_fx;
                }

                if (!context.kstack.IsNone)
                {
                    offset = stack_base - (ulong)context.kstack.ptr - 8; // Add clone ret
                    BoxSlice new_stack = BoxSlice.From(context.kstack.ptr, context.kstack.len);
                    *(ulong*)(new_stack.ptr + offset) = Kernel.Hal.ContextSwitch.CloneRetAddress();
                    kstack_option = new_stack;
                }

                if ((flags & Flag.CLONE_VM) == Flag.CLONE_VM)
                {
                    for (ulong i = 0; i < context.image.Len(); i++)
                    {
                        image.Push(context.image[i].Clone());
                    }

                    if (context.heap.IsSome)
                    {
                        heap_option = OptionSharedMemory.Some(context.heap.value.Clone());
                    }
                }
                else
                {
                    for (ulong i = 0; i < context.image.Len(); i++)
                    {
                        Vec<SharedMemory>* image_ptr = &image;
                        context.image[i].With(&CopyImageBody, image_ptr);
                    }

                    if (context.heap.IsSome)
                    {
                        OptionSharedMemory* heap_ptr = &heap_option;
                        context.heap.value.With(&CopyHeapBody, heap_ptr);
                    }
                }

                if (context.stack.is_some)
                {
                    stack_option = OptionMemory.Some(CopyMemory(ref context.stack.value, Consts.USER_TMP_STACK_OFFSET));
                }

                if (context.sigstack.is_some)
                {
                    sigstack_option = OptionMemory.Some(CopyMemory(ref context.sigstack.value, Consts.USER_TMP_SIGSTACK_OFFSET));
                }

                if (context.tls.is_some)
                {
                    ref Tls tls = ref context.tls.value;
                    Tls new_tls;
                    new_tls.master = tls.master;
                    new_tls.file_size = tls.file_size;
                    new_tls.mem = MemoryRegion.New(
                        new VirtualAddress(Consts.USER_TMP_TLS_OFFSET),
                        tls.mem.Size(),
                        EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE,
                        true);
                    new_tls.offset = tls.offset;

                    if ((flags & Flag.CLONE_VM) == Flag.CLONE_VM)
                    {
                        new_tls.Load();
                    }
                    else
                    {
                        MemoryRegion.Copy((byte*)tls.mem.StartAddress().Get(), (byte*)new_tls.mem.StartAddress().Get(), tls.mem.Size());
                    }

                    new_tls.mem.Remap(tls.mem.Flags());
                    tls_option.is_some = true;
                    tls_option.value = new_tls;
                }

                shared = CopyShared(ref context, flags);
            }

            // If not cloning files, dup to get a new number from scheme
            // (outside the context lock: this could switch)
            if ((flags & Flag.CLONE_FILES) == 0)
            {
                RenumberFiles(shared.files);
            }

            // If vfork, block the current process
            if ((flags & Flag.CLONE_VFORK) == Flag.CLONE_VFORK)
            {
                using (var context = CurrentContext.Write())
                {
                    if (context.IsNone)
                    {
                        r.errno = Error.ESRCH;
                        return r;
                    }
                    context.Value.Block();
                }
                vfork = true;
            }
            else
            {
                vfork = false;
            }

            // Set up new process
            using (var contexts = ContextMod.ContextsMut())
            {
                Kernel.context.list.ContextResult nc = contexts.Value.NewContext();
                if (!nc.is_ok)
                {
                    r.errno = nc.errno;
                    return r;
                }
                using (var context_guard = nc.ok.Value.Write())
                {
                    ref Kernel.context.context.Context context = ref context_guard.Value;

                    pid = context.id;

                    context.pgid = pgid;
                    context.ppid = ppid;
                    context.ruid = ruid;
                    context.rgid = rgid;
                    context.rns = rns;
                    context.euid = euid;
                    context.egid = egid;
                    context.ens = ens;

                    context.cpu_id = cpu_id;

                    context.status = Status.Runnable;

                    context.vfork = vfork;

                    context.arch = arch;

                    ActivePageTable active_table = ActivePageTable.New();

                    TemporaryPage temporary_page = new TemporaryPage(Page.ContainingAddress(new VirtualAddress(Consts.USER_TMP_MISC_OFFSET)));

                    Kernel.memory.Frame? table_frame = Kernel.memory.Memory.AllocateFrames(1);
                    if (!table_frame.HasValue)
                    {
                        Panic.Fail("no more frames in syscall::clone new_table", "src/syscall/process.rs", 352);
                    }
                    InactivePageTable new_table = InactivePageTable.New(table_frame.Value, ref active_table, ref temporary_page);

                    context.arch.SetPageTable(new_table.Address());

                    // Copy kernel image mapping
                    CopyP4Entry(ref active_table, ref new_table, ref temporary_page, Consts.KERNEL_PML4, "kernel image not mapped", 360);

                    // Copy kernel heap mapping
                    CopyP4Entry(ref active_table, ref new_table, ref temporary_page, Consts.KERNEL_HEAP_PML4, "kernel heap not mapped", 369);

                    if (!kfx_option.IsNone)
                    {
                        context.arch.SetFx((ulong)kfx_option.ptr);
                        context.kfx = kfx_option;
                    }

                    // Set kernel stack
                    if (!kstack_option.IsNone)
                    {
                        context.arch.SetStack((ulong)kstack_option.ptr + offset);
                        context.kstack = kstack_option;
                    }

                    // Setup heap
                    if ((flags & Flag.CLONE_VM) == Flag.CLONE_VM)
                    {
                        // Copy user image mapping, if found
                        if (!image.IsEmpty())
                        {
                            CopyP4Entry(ref active_table, ref new_table, ref temporary_page, Consts.USER_PML4, "user image not mapped", 393);
                        }
                        context.image.Dispose();
                        context.image = image;

                        // Copy user heap mapping, if found (QUIRKS U1: a heap never grown has no entry)
                        if (heap_option.IsSome)
                        {
                            CopyP4Entry(ref active_table, ref new_table, ref temporary_page, Consts.USER_HEAP_PML4, "user heap not mapped", 403);
                            context.heap = heap_option;
                        }

                        // Copy grant mapping
                        bool has_grants;
                        using (var g = shared.grants.Value.Lock())
                        {
                            has_grants = !g.Value.IsEmpty();
                        }
                        if (has_grants)
                        {
                            CopyP4Entry(ref active_table, ref new_table, ref temporary_page, Consts.USER_GRANT_PML4, "user grants not mapped", 413);
                        }
                        Arc<Mutex<Vec<Grant>>> old_grants = context.grants;
                        context.grants = shared.grants;
                        shared.grants = default;
                        DropGrants(old_grants);
                    }
                    else
                    {
                        // Copy percpu mapping
                        for (ulong cpu = 0; cpu < Lib.CpuCount(); cpu++)
                        {
                            ulong size = Kernel.Hal.Registers.LinkerSymbol(Kernel.Hal.Registers.TBSS_END) - Kernel.Hal.Registers.LinkerSymbol(Kernel.Hal.Registers.TDATA_START);

                            ulong start = Consts.KERNEL_PERCPU_OFFSET + Consts.KERNEL_PERCPU_SIZE * cpu;
                            ulong end = start + size;

                            Page start_page = Page.ContainingAddress(new VirtualAddress(start));
                            Page end_page = Page.ContainingAddress(new VirtualAddress(end - 1));
                            PageIter pages = Page.RangeInclusive(start_page, end_page);
                            Page? next;
                            while ((next = pages.Next()).HasValue)
                            {
                                Page page = next.Value;
                                Kernel.memory.Frame? frame = active_table.mapper.TranslatePage(page);
                                if (!frame.HasValue)
                                {
                                    Panic.Fail("kernel percpu not mapped", "src/syscall/process.rs", 438);
                                }
                                MapArgs args;
                                args.page = page;
                                args.frame = frame.Value;
                                args.flags = EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE;
                                active_table.With(ref new_table, ref temporary_page, &MapToBody, &args);
                            }
                        }

                        // Move copy of image
                        MoveArgs move;
                        move.new_table = &new_table;
                        move.temporary_page = &temporary_page;
                        for (ulong i = 0; i < image.Len(); i++)
                        {
                            image[i].With(&MoveImageBody, &move);
                        }
                        context.image.Dispose();
                        context.image = image;

                        // Move copy of heap
                        if (heap_option.IsSome)
                        {
                            heap_option.value.With(&MoveHeapBody, &move);
                            context.heap = heap_option;
                        }
                    }

                    // Setup user stack
                    if (stack_option.is_some)
                    {
                        stack_option.value.MoveTo(new VirtualAddress(Consts.USER_STACK_OFFSET), ref new_table, ref temporary_page);
                        context.stack = stack_option;
                    }

                    // Setup user sigstack
                    if (sigstack_option.is_some)
                    {
                        sigstack_option.value.MoveTo(new VirtualAddress(Consts.USER_SIGSTACK_OFFSET), ref new_table, ref temporary_page);
                        context.sigstack = sigstack_option;
                    }

                    // Setup user TLS
                    if (tls_option.is_some)
                    {
                        tls_option.value.mem.MoveTo(new VirtualAddress(Consts.USER_TLS_OFFSET), ref new_table, ref temporary_page);
                        context.tls = tls_option;
                    }

                    Arc<Mutex<BoxSlice>> old_name = context.name;
                    context.name = shared.name;
                    if (old_name.Release())
                    {
                        old_name.Value.data.Dispose();
                        old_name.Free();
                    }

                    Arc<Mutex<Vec<byte>>> old_cwd = context.cwd;
                    context.cwd = shared.cwd;
                    if (old_cwd.Release())
                    {
                        old_cwd.Value.data.Dispose();
                        old_cwd.Free();
                    }

                    Arc<Mutex<OrdMap<BoxSlice, EnvValue>>> old_env = context.env;
                    context.env = shared.env;
                    if (old_env.Release())
                    {
                        old_env.Value.data.Dispose(); // a new context's env is empty
                        old_env.Free();
                    }

                    Arc<Mutex<Vec<FileDescriptor>>> old_files = context.files;
                    context.files = shared.files;
                    if (old_files.Release())
                    {
                        old_files.Value.data.Dispose(); // a new context's file table is empty
                        old_files.Free();
                    }

                    Arc<Mutex<Vec<SigActionEntry>>> old_actions = context.actions;
                    context.actions = shared.actions;
                    if (old_actions.Release())
                    {
                        old_actions.Value.data.Dispose();
                        old_actions.Free();
                    }
                }
            }

            // Without CLONE_VM the grants made for the child were never given to it: dropped here
            if (!shared.grants.IsNull)
            {
                DropGrants(shared.grants);
            }

            Kernel.context.@switch.Switch.Run();

            r.is_ok = true;
#if MUTATION_CLONE_CHILD_PID_OFF_BY_ONE // NOT the original: the parent is told the next id, not its child's (make mutants)
            r.ok = ContextId.From(pid.Into() + 1);
#else
            r.ok = pid;
#endif
            return r;
        }

        /// <summary>What clone gives the child of the parent's shared parts (shared or copied by flags).</summary>
        public struct CloneShared
        {
            public Arc<Mutex<Vec<Grant>>> grants;
            public Arc<Mutex<BoxSlice>> name;
            public Arc<Mutex<Vec<byte>>> cwd;
            public Arc<Mutex<OrdMap<BoxSlice, EnvValue>>> env;
            public Arc<Mutex<Vec<FileDescriptor>>> files;
            public Arc<Mutex<Vec<SigActionEntry>>> actions;
        }

        /// <summary>
        /// clone's copy of the parent's shared parts, in the original's order: grants, name and env are
        /// the parent's with CLONE_VM, cwd with CLONE_FS, files with CLONE_FILES, actions with
        /// CLONE_SIGHAND; otherwise new ones (the grants empty, the others copies: the file table's
        /// descriptors share their descriptions; the env's values are new Arcs of copied bytes).
        /// </summary>
        public static CloneShared CopyShared(ref Kernel.context.context.Context context, ulong flags)
        {
            CloneShared shared;
            if ((flags & Flag.CLONE_VM) == Flag.CLONE_VM)
            {
                shared.grants = context.grants.Clone();
            }
            else
            {
                shared.grants = Arc<Mutex<Vec<Grant>>>.New(new Mutex<Vec<Grant>>(Vec<Grant>.New()));
            }

            if ((flags & Flag.CLONE_VM) == Flag.CLONE_VM)
            {
                shared.name = context.name.Clone();
            }
            else
            {
                BoxSlice copy;
                using (var n = context.name.Value.Lock())
                {
                    copy = BoxSlice.From(n.Value.ptr, n.Value.len);
                }
                shared.name = Arc<Mutex<BoxSlice>>.New(new Mutex<BoxSlice>(copy));
            }

            if ((flags & Flag.CLONE_FS) == Flag.CLONE_FS)
            {
                shared.cwd = context.cwd.Clone();
            }
            else
            {
                Vec<byte> copy;
                using (var c = context.cwd.Value.Lock())
                {
                    copy = Kernel.context.context.Context.CloneVec(ref c.Value);
                }
                shared.cwd = Arc<Mutex<Vec<byte>>>.New(new Mutex<Vec<byte>>(copy));
            }

            if ((flags & Flag.CLONE_VM) == Flag.CLONE_VM)
            {
                shared.env = context.env.Clone();
            }
            else
            {
                OrdMap<BoxSlice, EnvValue> new_env = OrdMap<BoxSlice, EnvValue>.New();
                using (var e = context.env.Value.Lock())
                {
                    for (ulong i = 0; i < e.Value.Len(); i++)
                    {
                        var item = e.Value.At(i);
                        BoxSlice key = BoxSlice.From(item->key.ptr, item->key.len);
                        Vec<byte> value_copy;
                        using (var v = item->value.value.Value.Lock())
                        {
                            value_copy = Kernel.context.context.Context.CloneVec(ref v.Value);
                        }
                        EnvValue value;
                        value.value = Arc<Mutex<Vec<byte>>>.New(new Mutex<Vec<byte>>(value_copy));
                        new_env.Insert(key, value, out _, out _);
                    }
                }
                shared.env = Arc<Mutex<OrdMap<BoxSlice, EnvValue>>>.New(new Mutex<OrdMap<BoxSlice, EnvValue>>(new_env));
            }

            if ((flags & Flag.CLONE_FILES) == Flag.CLONE_FILES)
            {
                shared.files = context.files.Clone();
            }
            else
            {
                Vec<FileDescriptor> copy;
                using (var f = context.files.Value.Lock())
                {
                    copy = Vec<FileDescriptor>.WithCapacity(f.Value.Len());
                    for (ulong i = 0; i < f.Value.Len(); i++)
                    {
                        FileDescriptor d = f.Value[i];
                        if (!d.IsNone)
                        {
                            d.description = d.description.Clone();
                        }
                        copy.Push(d);
                    }
                }
                shared.files = Arc<Mutex<Vec<FileDescriptor>>>.New(new Mutex<Vec<FileDescriptor>>(copy));
            }

            if ((flags & Flag.CLONE_SIGHAND) == Flag.CLONE_SIGHAND)
            {
                shared.actions = context.actions.Clone();
            }
            else
            {
                Vec<SigActionEntry> copy;
                using (var a = context.actions.Value.Lock())
                {
                    copy = Vec<SigActionEntry>.WithCapacity(a.Value.Len());
                    for (ulong i = 0; i < a.Value.Len(); i++)
                    {
                        copy.Push(a.Value[i]);
                    }
                }
                shared.actions = Arc<Mutex<Vec<SigActionEntry>>>.New(new Mutex<Vec<SigActionEntry>>(copy));
            }
            return shared;
        }

        /// <summary>
        /// clone without CLONE_FILES, outside the context lock: every descriptor of the copied table
        /// replaced by a new one of the same description, without its event, keeping close-on-exec.
        /// </summary>
        public static void RenumberFiles(Arc<Mutex<Vec<FileDescriptor>>> files)
        {
            using (var f = files.Value.Lock())
            {
                for (ulong fd = 0; fd < f.Value.Len(); fd++)
                {
                    FileDescriptor file = f.Value[fd];
                    if (!file.IsNone)
                    {
                        FileDescriptor new_file = default;
                        new_file.description = file.description.Clone();
                        new_file.has_event = false;
                        new_file.cloexec = file.cloexec;
                        f.Value[fd] = new_file;
                        file.description.Release(); // the old descriptor dropped: never the last reference
                    }
                }
            }
        }

        /// <summary>An empty grant list's Arc dropped (a new context's own, or the unused copy).</summary>
        private static void DropGrants(Arc<Mutex<Vec<Grant>>> grants)
        {
            if (grants.Release())
            {
                grants.Value.data.Dispose();
                grants.Free();
            }
        }

        /// <summary>
        /// A clone copy of a user memory at <paramref name="tmp_start"/>: mapped writable (not cleared),
        /// the bytes copied, then given the original's flags.
        /// </summary>
        private static MemoryRegion CopyMemory(ref MemoryRegion memory, ulong tmp_start)
        {
            MemoryRegion new_memory = MemoryRegion.New(
                new VirtualAddress(tmp_start),
                memory.Size(),
                EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE,
                false);
            MemoryRegion.Copy((byte*)memory.StartAddress().Get(), (byte*)new_memory.StartAddress().Get(), memory.Size());
            new_memory.Remap(memory.Flags());
            return new_memory;
        }

        private static ulong CopyImageBody(ref MemoryRegion memory, void* image)
        {
            MemoryRegion new_memory = CopyMemory(ref memory, memory.StartAddress().Get() + Consts.USER_TMP_OFFSET);
            ((Vec<SharedMemory>*)image)->Push(new_memory.ToShared());
            return 0;
        }

        private static ulong CopyHeapBody(ref MemoryRegion heap, void* heap_option)
        {
            MemoryRegion new_heap = CopyMemory(ref heap, Consts.USER_TMP_HEAP_OFFSET);
            *(OptionSharedMemory*)heap_option = OptionSharedMemory.Some(new_heap.ToShared());
            return 0;
        }

        private struct MoveArgs
        {
            public InactivePageTable* new_table;
            public TemporaryPage* temporary_page;
        }

        private static ulong MoveImageBody(ref MemoryRegion memory, void* argument)
        {
            MoveArgs* a = (MoveArgs*)argument;
            VirtualAddress start = new VirtualAddress(memory.StartAddress().Get() - Consts.USER_TMP_OFFSET + Consts.USER_OFFSET);
            memory.MoveTo(start, ref *a->new_table, ref *a->temporary_page);
            return 0;
        }

        private static ulong MoveHeapBody(ref MemoryRegion heap, void* argument)
        {
            MoveArgs* a = (MoveArgs*)argument;
            heap.MoveTo(new VirtualAddress(Consts.USER_HEAP_OFFSET), ref *a->new_table, ref *a->temporary_page);
            return 0;
        }

        private struct P4EntryArgs
        {
            public ulong index;
            public Kernel.memory.Frame frame;
            public EntryFlags flags;
        }

        private static void SetP4EntryBody(ref Mapper mapper, void* argument)
        {
            P4EntryArgs* a = (P4EntryArgs*)argument;
            (*mapper.P4Mut())[a->index].Set(a->frame, a->flags);
        }

        /// <summary>The active PML4's entry <paramref name="index"/> copied into the new table (`expect` naming what is not mapped).</summary>
        private static void CopyP4Entry(ref ActivePageTable active_table, ref InactivePageTable new_table, ref TemporaryPage temporary_page, ulong index, string not_mapped, uint line)
        {
            Kernel.memory.Frame? frame = (*active_table.mapper.P4())[index].PointedFrame();
            if (!frame.HasValue)
            {
                Panic.Fail(not_mapped, "src/syscall/process.rs", line);
            }
            P4EntryArgs args;
            args.index = index;
            args.frame = frame.Value;
            args.flags = (*active_table.mapper.P4())[index].Flags();
            active_table.With(ref new_table, ref temporary_page, &SetP4EntryBody, &args);
        }

        private struct MapArgs
        {
            public Page page;
            public Kernel.memory.Frame frame;
            public EntryFlags flags;
        }

        private static void MapToBody(ref Mapper mapper, void* argument)
        {
            MapArgs* a = (MapArgs*)argument;
            MapperFlush result = mapper.MapTo(a->page, a->frame, a->flags);
            // Ignore result due to operating on inactive table
            result.Ignore();
        }

        /// <summary>`[usize; 2]`: one (pointer, length) pair of exec's argument list.</summary>
        public struct UsizePair
        {
            public ulong ptr;
            public ulong len;
        }

        /// <summary>`Vec&lt;Box&lt;[u8]&gt;&gt;`'s drop: every box, then the vector.</summary>
        private static void DropArgs(ref Vec<BoxSlice> args)
        {
            for (ulong i = 0; i < args.Len(); i++)
            {
                args[i].Dispose();
            }
            args.Dispose();
        }

        /// <summary>`vec.into_boxed_slice()`: the same block when it is full, else shrunk (a new block, H3).</summary>
        private static BoxSlice IntoBoxedSlice(ref Vec<byte> v)
        {
            BoxSlice b;
            if (v.Capacity() == v.Len())
            {
                b.ptr = v.AsPtr();
                b.len = v.Len();
                v = Vec<byte>.New();
                return b;
            }
            b = BoxSlice.From(v.AsPtr(), v.Len());
            v.Dispose();
            return b;
        }

        /// <summary>Host tests only (quirk EXEC1): exec's `#!` loop gives ELOOP after this many scripts (0: never, the kernel's value).</summary>
#pragma warning disable CS0649 // set by host tests only
        internal static ulong ScriptHopLimitForTests;
#pragma warning restore CS0649

        /// <summary>Host tests only: the scripts exec has followed, and its argument count when the limit stopped it.</summary>
        internal static ulong ScriptHopsForTests, ScriptArgsForTests;

        /// <summary>
        /// `exec(path, arg_ptrs)`: every argument validated and copied into the kernel (a bad one is its
        /// error, EFAULT); the path canonicalized, opened, fstat'ed, checked for execute permission
        /// (other, then owner and group by the effective ids; root always; EACCES) and read whole into
        /// a buffer of st_size bytes. A file starting "#!" names its interpreter on its first line: the
        /// line (leading spaces dropped) split at every space gives the new argument list's head, then
        /// the path as given, then the old arguments but the first (quirk U5); the interpreter is
        /// opened in turn. Then setuid/setgid from the last file's mode, E2BIG above 4095 arguments,
        /// ENOEXEC for a file elf.rs refuses (printed "exec: failed to execute PATH: ERROR") or a
        /// loadable segment at or above 2 GiB ("exec: invalid section address X"); past these checks
        /// there is no return (<see cref="ExecNoreturn"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Exec(byte* path, ulong path_len, UsizePair* arg_ptrs, ulong arg_count)
        {
            Vec<BoxSlice> args = Vec<BoxSlice>.New();
            // `for arg_ptr in arg_ptrs`: the slice iterator runs to ptr + len * 16, wrapping (quirk V1)
            UsizePair* arg_end = (UsizePair*)unchecked((ulong)arg_ptrs + arg_count * (ulong)sizeof(UsizePair));
            for (UsizePair* arg_ptr = arg_ptrs; arg_ptr != arg_end; arg_ptr++)
            {
                var arg = Validate.ValidateSlice((byte*)arg_ptr->ptr, arg_ptr->len);
                if (!arg.ok)
                {
                    DropArgs(ref args);
                    return Result.Err(arg.err);
                }
                // Argument must be moved into kernel space before exec unmaps all memory
                args.Push(BoxSlice.From(arg.ptr, arg.len));
            }

            uint uid, gid;
            Vec<byte> canonical;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    DropArgs(ref args);
                    return Result.Err(Error.ESRCH);
                }
                uid = context.Value.euid;
                gid = context.Value.egid;
                canonical = context.Value.Canonicalize(path, path_len);
            }

            Stat stat;
            BoxSlice data = default;
            while (true)
            {
                FileHandleResult file = Fs.Open(canonical.AsPtr(), canonical.Len(), Flag.O_RDONLY);
                if (!file.is_ok)
                {
                    data.Dispose();
                    canonical.Dispose();
                    DropArgs(ref args);
                    return Result.Err(file.errno);
                }

                stat = default;
                Result res = Fs.FileOpMutSlice(Number.SYS_FSTAT, file.ok, (byte*)&stat, (ulong)sizeof(Stat));
                if (!res.is_ok)
                {
                    Fs.Close(file.ok);
                    data.Dispose();
                    canonical.Dispose();
                    DropArgs(ref args);
                    return res;
                }

                if (!MayExecute(stat.st_mode, stat.st_uid, stat.st_gid, uid, gid))
                {
                    Fs.Close(file.ok);
                    data.Dispose();
                    canonical.Dispose();
                    DropArgs(ref args);
                    return Result.Err(Error.EACCES);
                }

                //TODO: Only read elf header, not entire file. Then read required segments
                BoxSlice new_data = BoxSlice.Zeroed(stat.st_size);
                data.Dispose();
                data = new_data;
                res = Fs.FileOpMutSlice(Number.SYS_READ, file.ok, data.ptr, data.len);
                if (!res.is_ok)
                {
                    Fs.Close(file.ok);
                    data.Dispose();
                    canonical.Dispose();
                    DropArgs(ref args);
                    return res;
                }
                Fs.Close(file.ok);

                if (data.len >= 2 && data.ptr[0] == (byte)'#' && data.ptr[1] == (byte)'!')
                {
                    // data[2..].split(b'\n').next() is always Some: the first line
                    byte* line = data.ptr + 2;
                    ulong line_len = 0;
                    while (line_len < data.len - 2 && line[line_len] != (byte)'\n')
                    {
                        line_len++;
                    }
                    // Strip whitespace: from the first byte that is not a space (0 if none)
                    ulong skip = 0;
                    while (skip < line_len && line[skip] == (byte)' ')
                    {
                        skip++;
                    }
                    if (skip == line_len)
                    {
                        skip = 0;
                    }
                    line += skip;
                    line_len -= skip;

                    ulong executable_len = 0;
                    while (executable_len < line_len && line[executable_len] != (byte)' ')
                    {
                        executable_len++;
                    }

                    Vec<BoxSlice> parts = SplitScriptLine(line, line_len);
                    if (!args.IsEmpty())
                    {
                        BoxSlice removed = args.Remove(0);
                        removed.Dispose();
                    }
                    parts.Push(BoxSlice.From(path, path_len));
                    for (ulong i = 0; i < args.Len(); i++)
                    {
                        parts.Push(BoxSlice.From(args[i].ptr, args[i].len));
                    }
                    DropArgs(ref args);
                    args = parts;

                    Vec<byte> new_canonical;
                    using (var context = CurrentContext.Read())
                    {
                        if (context.IsNone)
                        {
                            data.Dispose();
                            canonical.Dispose();
                            DropArgs(ref args);
                            return Result.Err(Error.ESRCH);
                        }
                        new_canonical = context.Value.Canonicalize(line, executable_len);
                    }
                    canonical.Dispose();
                    canonical = new_canonical;

                    // Quirk EXEC1: nothing bounds this loop (E2BIG is checked after it): a script that names
                    // itself as its interpreter comes back here for good, one argument longer each time.
                    // Host tests only stop it (ScriptHopLimitForTests; 0, the kernel's value, never stops).
                    ScriptHopsForTests++;
                    if (ScriptHopLimitForTests != 0 && ScriptHopsForTests >= ScriptHopLimitForTests)
                    {
                        ScriptArgsForTests = args.Len();
                        data.Dispose();
                        canonical.Dispose();
                        DropArgs(ref args);
                        return Result.Err(Error.ELOOP);
                    }
                }
                else
                {
                    break;
                }
            }

            // Set UID and GID are determined after resolving any hashbangs
            bool has_setuid = (stat.st_mode & Flag.MODE_SETUID) == Flag.MODE_SETUID;
            bool has_setgid = (stat.st_mode & Flag.MODE_SETGID) == Flag.MODE_SETGID;

            // The argument list is limited to avoid using too much userspace stack (checked last,
            // after every hashbang)
            if (args.Len() > 4095)
            {
                data.Dispose();
                canonical.Dispose();
                DropArgs(ref args);
                return Result.Err(Error.E2BIG);
            }

            ElfResult elf = Elf.From(data.ptr, data.len);
            if (elf.ok)
            {
                // We check the validity of all loadable sections here
                ElfSegments segments = elf.value.Segments();
                ProgramHeader* segment;
                while ((segment = segments.Next()) != null)
                {
                    if (segment->p_type == ProgramHeaderMod.PT_LOAD)
                    {
                        ulong voff = segment->p_vaddr % 4096;
                        ulong vaddr = segment->p_vaddr - voff;

                        // The user and kernel TLS bases are right above 2 GiB: loadable sections stay below
                        if (vaddr >= 0x8000_0000)
                        {
                            using (var w = Writer.New())
                            {
                                w.Str("exec: invalid section address ");
                                w.UpperHex(segment->p_vaddr);
                                w.Str("\n");
                            }
                            data.Dispose();
                            canonical.Dispose();
                            DropArgs(ref args);
                            return Result.Err(Error.ENOEXEC);
                        }
                    }
                }
            }
            else
            {
                using (var w = Writer.New())
                {
                    w.Str("exec: failed to execute ");
                    w.WriteBytes(path, (int)path_len);
                    w.Str(": ");
                    elf.err.Display(w);
                    w.Str("\n");
                }
                data.Dispose();
                canonical.Dispose();
                DropArgs(ref args);
                return Result.Err(Error.ENOEXEC);
            }

            // This is the point of no return, quite literaly. Any checks for validity need
            // to be done before, and appropriate errors returned. Otherwise, we have nothing
            // to return to.
            BoxSlice canonical_box = IntoBoxedSlice(ref canonical);
            ExecNoreturn(canonical_box, has_setuid, stat.st_uid, has_setgid, stat.st_gid, data, args);
            return Result.Err(Error.ENOEXEC);
        }

        /// <summary>
        /// The execute permission of a file for the effective ids: its "other" bits, its owner's when
        /// uid owns it, its group's when gid is its group; root (uid 0) may always.
        /// </summary>
        public static bool MayExecute(ushort st_mode, uint st_uid, uint st_gid, uint uid, uint gid)
        {
            ulong perm = (ulong)(ushort)(st_mode & 0x7);
            if (st_uid == uid)
            {
                perm |= (ulong)(ushort)((st_mode >> 6) & 0x7);
            }
            if (st_gid == gid)
            {
                perm |= (ulong)(ushort)((st_mode >> 3) & 0x7);
            }
            if (uid == 0)
            {
                perm |= 0x7;
            }
            return (perm & 0x1) == 0x1;
        }

        /// <summary>`line.split(|x| *x == b' ')` collected into boxed slices: every single space splits (empty parts kept).</summary>
        public static Vec<BoxSlice> SplitScriptLine(byte* line, ulong line_len)
        {
            Vec<BoxSlice> parts = Vec<BoxSlice>.New();
            ulong begin = 0;
            for (ulong i = 0; i <= line_len; i++)
            {
                if (i == line_len || line[i] == (byte)' ')
                {
                    parts.Push(BoxSlice.From(line + begin, i - begin));
                    begin = i + 1;
                }
            }
            return parts;
        }

        /// <summary>
        /// Exec's argument layout on the new user stack: from the top (<paramref name="sp"/>) down, for
        /// each argument from the last to the first, its address (USER_ARG_OFFSET + the lengths of the
        /// arguments after it) then its length; then the count. So [sp] = argc, [sp + 8 + 16i] = the
        /// length of argument i, [sp + 16 + 16i] = its address; the strings lie at USER_ARG_OFFSET
        /// last argument first, without separators. Returns the new sp; <paramref name="arg_size"/>
        /// is the strings' total length.
        /// </summary>
        public static ulong PushArgs(ulong sp, BoxSlice* args, ulong count, out ulong arg_size)
        {
            arg_size = 0;
            for (ulong i = count; i > 0; i--)
            {
                BoxSlice arg = args[i - 1];
                sp -= 8;
                *(ulong*)sp = Consts.USER_ARG_OFFSET + arg_size;
                sp -= 8;
                *(ulong*)sp = arg.len;

                arg_size += arg.len;
            }

            sp -= 8;
            *(ulong*)sp = count;
            return sp;
        }

        /// <summary>The argument strings at <paramref name="dst"/> (USER_ARG_OFFSET): the last argument first.</summary>
        public static void CopyArgs(byte* dst, BoxSlice* args, ulong count)
        {
            ulong arg_offset = 0;
            for (ulong i = count; i > 0; i--)
            {
                BoxSlice arg = args[i - 1];
                MemoryRegion.Copy(arg.ptr, dst + arg_offset, arg.len);
                arg_offset += arg.len;
            }
        }

        /// <summary>
        /// A PT_TLS segment's sizes: the memory size rounded up to its alignment (when it has one),
        /// then to whole pages; the offset of the image in those pages (at their end).
        /// </summary>
        public static void TlsSizes(ulong p_memsz, ulong p_align, out ulong rounded_size, out ulong rounded_offset)
        {
            ulong aligned_size = p_align > 0 ? ((p_memsz + (p_align - 1)) / p_align) * p_align : p_memsz;
            rounded_size = ((aligned_size + 4095) / 4096) * 4096;
            rounded_offset = rounded_size - aligned_size;
        }

        /// <summary>
        /// `exec_noreturn(canonical, setuid, setgid, data, args)`: the context gets its new name, loses
        /// its memory (empty), takes the setuid/setgid ids, maps every PT_LOAD segment (writable while
        /// the file bytes are copied, then remapped to its flags: present if readable, executable if
        /// executable, else writable if writable — never both) and a PT_TLS segment's TCB page, then a
        /// heap of size 0, the 1 MiB stack, the 256 KiB signal stack, the TLS and the arguments; the
        /// signal actions are reset; the descriptors marked close-on-exec are closed; a vfork parent
        /// is woken; then user mode at the entry point.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ExecNoreturn(BoxSlice canonical, bool has_setuid, uint setuid, bool has_setgid, uint setgid, BoxSlice data, Vec<BoxSlice> args)
        {
            ulong entry;
            ulong sp = Consts.USER_STACK_OFFSET + Consts.USER_STACK_SIZE - 256;

            {
                bool vfork;
                ContextId ppid;
                Arc<Mutex<Vec<FileDescriptor>>> files;
                using (var context = CurrentContext.Write())
                {
                    if (context.IsNone)
                    {
                        Panic.Fail("exec_noreturn pid not found: No such process", "src/syscall/process.rs", 558);
                    }
                    fixed (Kernel.context.context.Context* c = &context.Value)
                    {
                        // Set name
                        Arc<Mutex<BoxSlice>> old_name = c->name;
                        c->name = Arc<Mutex<BoxSlice>>.New(new Mutex<BoxSlice>(canonical));
                        if (old_name.Release())
                        {
                            old_name.Value.data.Dispose();
                            old_name.Free();
                        }

                        Empty(c, false);

                        if (has_setuid)
                        {
                            c->euid = setuid;
                        }

                        if (has_setgid)
                        {
                            c->egid = setgid;
                        }

                        // Map and copy new segments
                        bool has_tls = false;
                        ulong tls_master = 0, tls_file_size = 0, tls_size = 0, tls_offset = 0;
                        {
                            ElfResult elf = Elf.From(data.ptr, data.len);
                            if (!elf.ok)
                            {
                                var w = Panic.Begin();
                                w.Str("called `Result::unwrap()` on an `Err` value: \"");
                                elf.err.Display(w);
                                w.Str("\"");
                                Panic.End(w, "src/syscall/process.rs", 577);
                            }
                            entry = elf.value.Entry();
                            ElfSegments segments = elf.value.Segments();
                            ProgramHeader* segment;
                            while ((segment = segments.Next()) != null)
                            {
                                if (segment->p_type == ProgramHeaderMod.PT_LOAD)
                                {
                                    ulong voff = segment->p_vaddr % 4096;
                                    ulong vaddr = segment->p_vaddr - voff;

                                    MemoryRegion memory = MemoryRegion.New(
                                        new VirtualAddress(vaddr),
                                        segment->p_memsz + voff,
                                        EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE,
                                        true);

                                    // Copy file data
                                    MemoryRegion.Copy(elf.value.data + segment->p_offset, (byte*)segment->p_vaddr, segment->p_filesz);

                                    memory.Remap(SegmentFlags(segment->p_flags));

                                    c->image.Push(memory.ToShared());
                                }
                                else if (segment->p_type == ProgramHeaderMod.PT_TLS)
                                {
                                    MemoryRegion memory = MemoryRegion.New(
                                        new VirtualAddress(Consts.USER_TCB_OFFSET),
                                        4096,
                                        EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE,
                                        true);
                                    TlsSizes(segment->p_memsz, segment->p_align, out ulong rounded_size, out ulong rounded_offset);
                                    ulong tcb_offset = Consts.USER_TLS_OFFSET + rounded_size;
                                    *(ulong*)Consts.USER_TCB_OFFSET = tcb_offset;

                                    c->image.Push(memory.ToShared());

                                    has_tls = true;
                                    tls_master = segment->p_vaddr;
                                    tls_file_size = segment->p_filesz;
                                    tls_size = rounded_size;
                                    tls_offset = rounded_offset;
                                }
                            }
                        }

                        // Data no longer required, can deallocate
                        data.Dispose();

                        // Map heap
                        c->heap = OptionSharedMemory.Some(MemoryRegion.New(
                            new VirtualAddress(Consts.USER_HEAP_OFFSET),
                            0,
                            EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE,
                            true).ToShared());

                        // Map stack
                        c->stack = OptionMemory.Some(MemoryRegion.New(
                            new VirtualAddress(Consts.USER_STACK_OFFSET),
                            Consts.USER_STACK_SIZE,
                            EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE,
                            true));

                        // Map signal stack
                        c->sigstack = OptionMemory.Some(MemoryRegion.New(
                            new VirtualAddress(Consts.USER_SIGSTACK_OFFSET),
                            Consts.USER_SIGSTACK_SIZE,
                            EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE,
                            true));

                        // Map TLS
                        if (has_tls)
                        {
                            Tls tls;
                            tls.master = tls_master;
                            tls.file_size = tls_file_size;
                            tls.mem = MemoryRegion.New(
                                new VirtualAddress(Consts.USER_TLS_OFFSET),
                                tls_size,
                                EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE | EntryFlags.USER_ACCESSIBLE,
                                true);
                            tls.offset = tls_offset;

                            tls.Load();

                            c->tls.is_some = true;
                            c->tls.value = tls;
                        }

                        // Push arguments
                        sp = PushArgs(sp, args.AsPtr(), args.Len(), out ulong arg_size);

                        if (arg_size > 0)
                        {
                            MemoryRegion memory = MemoryRegion.New(
                                new VirtualAddress(Consts.USER_ARG_OFFSET),
                                arg_size,
                                EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE,
                                true);

                            CopyArgs((byte*)Consts.USER_ARG_OFFSET, args.AsPtr(), args.Len());

                            memory.Remap(EntryFlags.NO_EXECUTE | EntryFlags.USER_ACCESSIBLE);

                            c->image.Push(memory.ToShared());
                        }

                        // Args no longer required, can deallocate
                        DropArgs(ref args);

                        Vec<SigActionEntry> actions = Vec<SigActionEntry>.WithCapacity(128);
                        SigActionEntry dfl = default;
                        dfl.action.sa_handler = Flag.SIG_DFL;
                        for (int i = 0; i < 128; i++)
                        {
                            actions.Push(dfl);
                        }
                        Arc<Mutex<Vec<SigActionEntry>>> old_actions = c->actions;
                        c->actions = Arc<Mutex<Vec<SigActionEntry>>>.New(new Mutex<Vec<SigActionEntry>>(actions));
                        if (old_actions.Release())
                        {
                            old_actions.Value.data.Dispose();
                            old_actions.Free();
                        }

                        vfork = c->vfork;
                        c->vfork = false;

                        files = c->files.Clone();

                        ppid = c->ppid;
                    }
                }

                using (var files_guard = files.Value.Lock())
                {
                    ref Vec<FileDescriptor> fs = ref files_guard.Value;
                    for (ulong fd = 0; fd < fs.Len(); fd++)
                    {
                        bool cloexec = false;
                        if (!fs[fd].IsNone && fs[fd].cloexec)
                        {
                            cloexec = true;
                        }

                        if (cloexec)
                        {
                            FileDescriptor file = fs[fd];
                            fs[fd] = default;
                            file.Close(FileHandle.From(fd));
                        }
                    }
                }
                if (files.Release())
                {
                    files.Value.data.Dispose();
                    files.Free();
                }

                if (vfork)
                {
                    using (var contexts = ContextMod.Contexts())
                    {
                        var parent_lock = contexts.Value.Get(ppid);
                        if (parent_lock != null)
                        {
                            using (var parent = parent_lock->Value.Write())
                            {
                                if (!parent.Value.Unblock())
                                {
                                    using (var w = Writer.New()) { w.Dec(ppid.Into()); w.Str(" not blocked for exec vfork unblock\n"); }
                                }
                            }
                        }
                        else
                        {
                            using (var w = Writer.New()) { w.Dec(ppid.Into()); w.Str(" not found for exec vfork unblock\n"); }
                        }
                    }
                }
            }

            // Go to usermode
            Start.Usermode(entry, sp, 0);
        }

        /// <summary>
        /// A loadable segment's final page flags: user accessible and no-execute, present if readable;
        /// executable segments lose NO_EXECUTE and are never writable (W ^ X), others are writable if
        /// they ask to be.
        /// </summary>
        public static EntryFlags SegmentFlags(uint p_flags)
        {
            EntryFlags flags = EntryFlags.NO_EXECUTE | EntryFlags.USER_ACCESSIBLE;

            if ((p_flags & ProgramHeaderMod.PF_R) == ProgramHeaderMod.PF_R)
            {
                flags |= EntryFlags.PRESENT;
            }

            // W ^ X. If it is executable, do not allow it to be writable, even if requested
            if ((p_flags & ProgramHeaderMod.PF_X) == ProgramHeaderMod.PF_X)
            {
                flags &= ~EntryFlags.NO_EXECUTE;
            }
            else if ((p_flags & ProgramHeaderMod.PF_W) == ProgramHeaderMod.PF_W)
            {
                flags |= EntryFlags.WRITABLE;
            }

            return flags;
        }

        /// <summary>`getpgid(pid)`: the process group of pid (0: the current context); ESRCH for none.</summary>
        public static ContextIdResult Getpgid(ContextId pid)
        {
            ContextIdResult r = default;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = pid.Into() == 0 ? contexts.Value.Current() : contexts.Value.Get(pid);
                if (context_lock == null)
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                using (var context = context_lock->Value.Read())
                {
                    r.is_ok = true;
                    r.ok = context.Value.pgid;
                    return r;
                }
            }
        }

        /// <summary>`getppid()`.</summary>
        public static ContextIdResult Getppid()
        {
            ContextIdResult r = default;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                r.is_ok = true;
                r.ok = context.Value.ppid;
                return r;
            }
        }

        /// <summary>
        /// `kill(pid, sig)`: sig below 0x7F (EINVAL otherwise; 0 only checks). pid &gt; 0: that context;
        /// -1: every context with an id above 2; 0: the caller's process group; below -1: the group
        /// -pid. A context may be signalled when the sender's euid is 0 or equals its ruid, or the
        /// sender's ruid does; the signal is queued on its pending list, and SIGCONT turns a stopped
        /// context into a blocked one. ESRCH when none was found, EPERM when none was allowed; else a
        /// switch (so that a signal to itself is delivered) and 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Kill(ContextId pid, ulong sig)
        {
            uint ruid, euid;
            ContextId current_pgid;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                ruid = context.Value.ruid;
                euid = context.Value.euid;
                current_pgid = context.Value.pgid;
            }

            if (sig < 0x7F)
            {
                ulong found = 0;
                ulong sent = 0;
                using (var contexts = ContextMod.Contexts())
                {
                    if ((long)pid.Into() > 0)
                    {
                        var context_lock = contexts.Value.Get(pid);
                        if (context_lock != null)
                        {
                            using (var context = context_lock->Value.Write())
                            {
                                found += 1;
                                if (Send(ref context.Value, ruid, euid, sig))
                                {
                                    sent += 1;
                                }
                            }
                        }
                    }
                    else if ((long)pid.Into() == -1)
                    {
                        for (ulong i = 0; i < contexts.Value.Len(); i++)
                        {
                            using (var context = contexts.Value.At(i)->value.Value.Write())
                            {
                                if (context.Value.id.Into() > 2)
                                {
                                    found += 1;
                                    if (Send(ref context.Value, ruid, euid, sig))
                                    {
                                        sent += 1;
                                    }
                                }
                            }
                        }
                    }
                    else
                    {
                        ContextId pgid = pid.Into() == 0 ? current_pgid : ContextId.From((ulong)(-(long)pid.Into()));
                        for (ulong i = 0; i < contexts.Value.Len(); i++)
                        {
                            using (var context = contexts.Value.At(i)->value.Value.Write())
                            {
                                if (context.Value.pgid.Into() == pgid.Into())
                                {
                                    found += 1;
                                    if (Send(ref context.Value, ruid, euid, sig))
                                    {
                                        sent += 1;
                                    }
                                }
                            }
                        }
                    }
                }

                if (found == 0)
                {
                    return Result.Err(Error.ESRCH);
                }
                if (sent == 0)
                {
                    return Result.Err(Error.EPERM);
                }
                Kernel.context.@switch.Switch.Run();
                return Result.Ok(0);
            }
            return Result.Err(Error.EINVAL);
        }

        /// <summary>kill's `send` closure: whether the sender may signal the context; the signal queued.</summary>
        private static bool Send(ref Kernel.context.context.Context context, uint ruid, uint euid, ulong sig)
        {
            if (euid == 0 || euid == context.ruid || ruid == context.ruid)
            {
                if (sig != 0)
                {
                    context.pending.PushBack((byte)sig);
                    if (sig == Flag.SIGCONT && context.status.tag == Status.STOPPED)
                    {
                        context.status = Status.Blocked;
                    }
                }
                return true;
            }
            return false;
        }

        /// <summary>
        /// `setpgid(pid, pgid)`: for the current context or one of its children only (ESRCH otherwise,
        /// and for no such context): pgid 0 makes it its own group leader.
        /// </summary>
        public static Result Setpgid(ContextId pid, ContextId pgid)
        {
            using (var contexts = ContextMod.Contexts())
            {
                var current = contexts.Value.Current();
                if (current == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                ContextId current_pid;
                using (var context = current->Value.Read())
                {
                    current_pid = context.Value.id;
                }
                var context_lock = pid.Into() == 0 ? current : contexts.Value.Get(pid);
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Write())
                {
                    if (context.Value.id.Into() == current_pid.Into() || context.Value.ppid.Into() == current_pid.Into())
                    {
                        context.Value.pgid = pgid.Into() == 0 ? context.Value.id : pgid;
                        return Result.Ok(0);
                    }
                    return Result.Err(Error.ESRCH);
                }
            }
        }

        /// <summary>
        /// `empty(context, reaping)`: when reaping, the memory must already be gone (asserted); else the
        /// image, heap, stack, signal stack and TLS are dropped in that order (unmapped, their frames
        /// freed). When this context is the last holder of its grants, they are unmapped: from the
        /// active table, or — reaping, where a grant should not exist and says so — from the context's
        /// own table through the temporary page at USER_TMP_GRANT_OFFSET.
        /// </summary>
        private static void Empty(Kernel.context.context.Context* context, bool reaping)
        {
            if (reaping)
            {
                // Memory should already be unmapped
                if (!context->image.IsEmpty()) Panic.Fail("assertion failed: context.image.is_empty()", "src/syscall/process.rs", 503);
                if (context->heap.IsSome) Panic.Fail("assertion failed: context.heap.is_none()", "src/syscall/process.rs", 504);
                if (context->stack.is_some) Panic.Fail("assertion failed: context.stack.is_none()", "src/syscall/process.rs", 505);
                if (context->sigstack.is_some) Panic.Fail("assertion failed: context.sigstack.is_none()", "src/syscall/process.rs", 506);
                if (context->tls.is_some) Panic.Fail("assertion failed: context.tls.is_none()", "src/syscall/process.rs", 507);
            }
            else
            {
                // Unmap previous image, heap, grants, stack, and tls
                for (ulong i = 0; i < context->image.Len(); i++)
                {
                    context->image[i].Drop();
                }
                context->image.Clear();
                context->heap.DropTake();
                context->stack.DropTake();
                context->sigstack.DropTake();
                context->tls.DropTake();
            }

            if (context->grants.StrongCount() == 1)
            {
                using (var grants = context->grants.Value.Lock())
                {
                    for (ulong i = 0; i < grants.Value.Len(); i++)
                    {
                        Grant grant = grants.Value[i];
                        if (reaping)
                        {
                            using (var w = Writer.New())
                            {
                                w.Dec(context->id.Into());
                                w.Str(": ");
                                using (var name = context->name.Value.Lock())
                                {
                                    w.WriteBytes(name.Value.ptr, (int)name.Value.len);
                                }
                                w.Str(": Grant should not exist: ");
                                grant.Debug(w);
                                w.Str("\n");
                            }

                            InactivePageTable new_table = InactivePageTable.FromAddress(context->arch.GetPageTable());
                            TemporaryPage temporary_page = new TemporaryPage(Page.ContainingAddress(new VirtualAddress(Consts.USER_TMP_GRANT_OFFSET)));

                            grant.UnmapInactive(ref new_table, ref temporary_page);
                        }
                        else
                        {
                            grant.Unmap();
                        }
                    }
                    grants.Value.Clear();
                }
            }
        }

        /// <summary>
        /// `exit(status)`: the files closed (when this context is their last holder) and replaced by an
        /// empty table; children handed to the parent; memory emptied; status Exited(status); the
        /// parent woken if it vforked, sent the children's pending statuses and this one's
        /// ((pid, pgid) → (pid, status)); then switch away for good. Exiting context 1 (kmain's) says
        /// so and stops the machine: kreset for status SIGTERM (its default action), kstop otherwise.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Exit(ulong status)
        {
            Arc<RwLock<Kernel.context.context.Context>> context_lock;
            using (var contexts = ContextMod.Contexts())
            {
                var current = contexts.Value.Current();
                if (current == null)
                {
                    Panic.Fail("exit failed to find context: No such process", "src/syscall/process.rs", 916);
                }
                context_lock = current->Clone();
            }

            Vec<FileDescriptor> close_files = Vec<FileDescriptor>.New();
            ContextId pid;
            using (var context = context_lock.Value.Write())
            {
                if (context.Value.files.StrongCount() == 1)
                {
                    using (var files = context.Value.files.Value.Lock())
                    {
                        close_files = files.Value;
                        files.Value = Vec<FileDescriptor>.New();
                    }
                }
                Arc<Mutex<Vec<FileDescriptor>>> old = context.Value.files;
                context.Value.files = Arc<Mutex<Vec<FileDescriptor>>>.New(new Mutex<Vec<FileDescriptor>>(Vec<FileDescriptor>.New()));
                if (old.Release())
                {
                    old.Value.data.Dispose();
                    old.Free();
                }
                pid = context.Value.id;
            }

            for (ulong fd = 0; fd < close_files.Len(); fd++)
            {
                FileDescriptor file = close_files[fd];
                if (!file.IsNone)
                {
                    file.Close(FileHandle.From(fd));
                }
            }
            close_files.Dispose();

            ContextId pgid, ppid;
            using (var context = context_lock.Value.Read())
            {
                pgid = context.Value.pgid;
                ppid = context.Value.ppid;
            }

            using (var contexts = ContextMod.Contexts())
            {
                for (ulong i = 0; i < contexts.Value.Len(); i++)
                {
                    using (var context = contexts.Value.At(i)->value.Value.Write())
                    {
                        if (context.Value.ppid.Into() == pid.Into())
                        {
                            context.Value.ppid = ppid;
                            context.Value.vfork = false;
                        }
                    }
                }
            }

            bool vfork;
            OrdMap<WaitpidKey, WaitpidValue> children;
            using (var context = context_lock.Value.Write())
            {
                fixed (Kernel.context.context.Context* c = &context.Value)
                {
                    Empty(c, false);
                }
                vfork = context.Value.vfork;
                context.Value.vfork = false;
                context.Value.status = Status.Exited(status);
                children = context.Value.waitpid.Value.ReceiveAll();
            }

            using (var contexts = ContextMod.Contexts())
            {
                var parent_lock = contexts.Value.Get(ppid);
                if (parent_lock != null)
                {
                    Arc<WaitMap<WaitpidKey, WaitpidValue>> waitpid;
                    using (var parent = parent_lock->Value.Write())
                    {
                        if (vfork && !parent.Value.Unblock())
                        {
                            using (var w = Writer.New()) { w.Dec(pid.Into()); w.Str(": "); w.Dec(ppid.Into()); w.Str(" not blocked for exit vfork unblock\n"); }
                        }
                        waitpid = parent.Value.waitpid.Clone();
                    }
                    for (ulong i = 0; i < children.Len(); i++)
                    {
                        var e = children.At(i);
                        waitpid.Value.Send(e->key, e->value);
                    }
                    WaitpidKey key = default;
                    key.pid.is_some = true;
                    key.pid.value = pid;
                    key.pgid.is_some = true;
                    key.pgid.value = pgid;
                    WaitpidValue v;
                    v.id = pid;
                    v.status = status;
                    waitpid.Value.Send(key, v);
                    waitpid.Release();
                }
                else
                {
                    using (var w = Writer.New()) { w.Dec(pid.Into()); w.Str(": "); w.Dec(ppid.Into()); w.Str(" not found for exit vfork unblock\n"); }
                }
            }
            children.Dispose();

            if (pid.Into() == 1)
            {
                using (var w = Writer.New()) { w.Str("Main kernel thread exited with status "); w.UpperHex(status); w.Str("\n"); }
                if (status == Flag.SIGTERM)
                {
                    Kernel.arch.x86_64.stop.Stop.KReset();
                }
                else
                {
                    Kernel.arch.x86_64.stop.Stop.KStop();
                }
            }
            context_lock.Release();

            Kernel.context.@switch.Switch.Run();

            Panic.Fail("internal error: entered unreachable code", "src/syscall/process.rs", 1017);
        }

        /// <summary>
        /// `sigaction(sig, act, oldact, restorer)`: for 0 &lt; sig &lt;= 0x7F (EINVAL otherwise): oldact
        /// gets the action (without its restorer), then act and restorer replace it. The pointers are
        /// the dispatcher's, validated (null: not given).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Sigaction(ulong sig, SigAction* act_opt, SigAction* oldact_opt, ulong restorer)
        {
            if (sig > 0 && sig <= 0x7F)
            {
                using (var context = CurrentContext.Read())
                {
                    if (context.IsNone)
                    {
                        return Result.Err(Error.ESRCH);
                    }
                    using (var actions = context.Value.actions.Value.Lock())
                    {
                        if (oldact_opt != null)
                        {
                            *oldact_opt = actions.Value[sig].action;
                        }
                        if (act_opt != null)
                        {
                            SigActionEntry e;
                            e.action = *act_opt;
                            e.restorer = restorer;
                            actions.Value[sig] = e;
                        }
                    }
                }
                return Result.Ok(0);
            }
            return Result.Err(Error.EINVAL);
        }

        /// <summary>
        /// `sigreturn()`: the context asks to get its state from before the signal back (ksig_restore:
        /// another context's switch does it) and blocks until then.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Result Sigreturn()
        {
            using (var context = CurrentContext.Write())
            {
                if (context.IsNone)
                {
                    return Result.Err(Error.ESRCH);
                }
                context.Value.ksig_restore = true;
                context.Value.Block();
            }

            Kernel.context.@switch.Switch.Run();

            Panic.Fail("internal error: entered unreachable code", "src/syscall/process.rs", 1202);
            return Result.Ok(0);
        }

        /// <summary>
        /// `reap(pid)`: once the context is no longer running on any CPU, it leaves the list and its
        /// memory is emptied; the list's Arc, the last, is dropped: the Context and its parts are freed.
        /// </summary>
        private static ContextIdResult Reap(ContextId pid)
        {
            ContextIdResult r = default;
            bool running = true;
            while (running)
            {
                using (var contexts = ContextMod.Contexts())
                {
                    var context_lock = contexts.Value.Get(pid);
                    if (context_lock == null)
                    {
                        r.errno = Error.ESRCH;
                        return r;
                    }
                    using (var context = context_lock->Value.Read())
                    {
                        running = context.Value.running;
                    }
                }
                Kernel.arch.x86_64.interrupt.Interrupt.Pause();
            }
            using (var contexts = ContextMod.ContextsMut())
            {
                if (!contexts.Value.map.Remove(pid, out var removed))
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                using (var context = removed.value.Value.Write())
                {
                    fixed (Kernel.context.context.Context* c = &context.Value)
                    {
                        Empty(c, true);
                    }
                }
                Kernel.context.context.Context.DropArc(removed.value);
            }
            r.is_ok = true;
            r.ok = pid;
            return r;
        }

        /// <summary>What waitpid's grim_reaper does with a received status: None means wait on.</summary>
        private static bool GrimReaper(ContextId w_pid, ulong status, ulong* status_slice, ulong flags, out ContextIdResult res)
        {
            res = default;
            if (status == 0xffff) // wifcontinued
            {
                if ((flags & Flag.WCONTINUED) == Flag.WCONTINUED)
                {
                    *status_slice = status;
                    res.is_ok = true;
                    res.ok = w_pid;
                    return true;
                }
                return false;
            }
            if ((status & 0xff) == 0x7f) // wifstopped
            {
                if ((flags & Flag.WUNTRACED) == Flag.WUNTRACED)
                {
                    *status_slice = status;
                    res.is_ok = true;
                    res.ok = w_pid;
                    return true;
                }
                return false;
            }
#if MUTATION_WAITPID_STATUS_SHIFT // NOT the original: an exited child's status word shifted one byte down (make mutants)
            *status_slice = status >> 8;
#else
            *status_slice = status;
#endif
            res = Reap(w_pid);
            return true;
        }

        /// <summary>
        /// `waitpid(pid, status, flags)`: pid 0 any child, -pgid a process group, else that child (the
        /// original's "hack for rustc" adopts a context that is not a child, saying so). WNOHANG gives
        /// 0 when nothing is there yet; stopped and continued children only with WUNTRACED/WCONTINUED.
        /// The status pointer is the dispatcher's, validated (null: not wanted).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ContextIdResult Waitpid(ContextId pid, ulong* status_ptr, ulong flags)
        {
            ContextIdResult none = default;
            ContextId ppid;
            Arc<WaitMap<WaitpidKey, WaitpidValue>> waitpid;
            using (var context = CurrentContext.Read())
            {
                if (context.IsNone)
                {
                    none.errno = Error.ESRCH;
                    return none;
                }
                ppid = context.Value.id;
                waitpid = context.Value.waitpid.Clone();
            }
            ulong tmp = 0;
            ulong* status_slice = status_ptr != null ? status_ptr : &tmp;
            ContextIdResult zero = default;
            zero.is_ok = true;
            zero.ok = ContextId.From(0);

            while (true)
            {
                ContextIdResult res;
                bool have;
                if (pid.Into() == 0)
                {
                    WaitpidKey k;
                    WaitpidValue v;
                    if ((flags & Flag.WNOHANG) == Flag.WNOHANG)
                    {
                        if (waitpid.Value.ReceiveAnyNonblock(out k, out v))
                        {
                            have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                        }
                        else
                        {
                            res = zero;
                            have = true;
                        }
                    }
                    else
                    {
                        waitpid.Value.ReceiveAny(out k, out v);
                        have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                    }
                }
                else if ((long)pid.Into() < 0)
                {
                    WaitpidKey key = default;
                    key.pgid.is_some = true;
                    key.pgid.value = ContextId.From((ulong)(-(long)pid.Into()));
                    if ((flags & Flag.WNOHANG) == Flag.WNOHANG)
                    {
                        if (waitpid.Value.ReceiveNonblock(key, out WaitpidValue v))
                        {
                            have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                        }
                        else
                        {
                            res = zero;
                            have = true;
                        }
                    }
                    else
                    {
                        WaitpidValue v = waitpid.Value.Receive(key);
                        have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                    }
                }
                else
                {
                    bool hack = false;
                    Status hack_status = default;
                    using (var contexts = ContextMod.Contexts())
                    {
                        var context_lock = contexts.Value.Get(pid);
                        if (context_lock == null)
                        {
                            waitpid.Release();
                            none.errno = Error.ECHILD;
                            return none;
                        }
                        using (var context = context_lock->Value.Write())
                        {
                            if (context.Value.ppid.Into() != ppid.Into())
                            {
                                using (var w = Writer.New())
                                {
                                    w.Str("Hack for rustc - changing ppid of ");
                                    w.Dec(context.Value.id.Into());
                                    w.Str(" from ");
                                    w.Dec(context.Value.ppid.Into());
                                    w.Str(" to ");
                                    w.Dec(ppid.Into());
                                    w.Str("\n");
                                }
                                context.Value.ppid = ppid;
                                hack = true;
                                hack_status = context.Value.status;
                            }
                        }
                    }
                    WaitpidKey key = default;
                    key.pid.is_some = true;
                    key.pid.value = pid;
                    if (hack && hack_status.tag == Status.EXITED)
                    {
                        waitpid.Value.ReceiveNonblock(key, out _);
                        have = GrimReaper(pid, hack_status.value, status_slice, flags, out res);
                    }
                    else if ((flags & Flag.WNOHANG) == Flag.WNOHANG)
                    {
                        if (waitpid.Value.ReceiveNonblock(key, out WaitpidValue v))
                        {
                            have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                        }
                        else
                        {
                            res = zero;
                            have = true;
                        }
                    }
                    else
                    {
                        WaitpidValue v = waitpid.Value.Receive(key);
                        have = GrimReaper(v.id, v.status, status_slice, flags, out res);
                    }
                }
                if (have)
                {
                    waitpid.Release();
                    return res;
                }
            }
        }
    }
}
