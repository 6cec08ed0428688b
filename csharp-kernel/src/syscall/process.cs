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
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                using (var context = context_lock->Value.Read())
                {
                    r.is_ok = true;
                    r.ok = context.Value.id;
                    return r;
                }
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
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
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
        }

        private static ulong HeapEnd(ref MemoryRegion heap, void* _) => heap.StartAddress().Get() + heap.Size();

        private static ulong HeapResize(ref MemoryRegion heap, void* new_size)
        {
            heap.Resize(*(ulong*)new_size, true);
            return 0;
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
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    DropArgs(ref args);
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    uid = context.Value.euid;
                    gid = context.Value.egid;
                    canonical = context.Value.Canonicalize(path, path_len);
                }
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
                    using (var contexts = ContextMod.Contexts())
                    {
                        var context_lock = contexts.Value.Current();
                        if (context_lock == null)
                        {
                            data.Dispose();
                            canonical.Dispose();
                            DropArgs(ref args);
                            return Result.Err(Error.ESRCH);
                        }
                        using (var context = context_lock->Value.Read())
                        {
                            new_canonical = context.Value.Canonicalize(line, executable_len);
                        }
                    }
                    canonical.Dispose();
                    canonical = new_canonical;
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
                using (var contexts = ContextMod.Contexts())
                {
                    var context_lock = contexts.Value.Current();
                    if (context_lock == null)
                    {
                        Panic.Fail("exec_noreturn pid not found: No such process", "src/syscall/process.rs", 558);
                    }
                    using (var context = context_lock->Value.Write())
                    {
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
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    r.errno = Error.ESRCH;
                    return r;
                }
                using (var context = context_lock->Value.Read())
                {
                    r.is_ok = true;
                    r.ok = context.Value.ppid;
                    return r;
                }
            }
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
        /// so and stops the machine (kstop/kreset: not ported yet).
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
                Panic.Fail(status == Flag.SIGTERM ? "kreset: not ported yet" : "kstop: not ported yet", "src/syscall/process.rs", 1008);
            }
            context_lock.Release();

            Kernel.context.@switch.Switch.Run();

            Panic.Fail("internal error: entered unreachable code", "src/syscall/process.rs", 1017);
        }

        /// <summary>
        /// `reap(pid)`: once the context is no longer running on any CPU, it leaves the list and its
        /// memory is emptied; the list's Arc is dropped (the Context's own parts are not freed yet).
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
                removed.value.Release();
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
            *status_slice = status;
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
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    none.errno = Error.ESRCH;
                    return none;
                }
                using (var context = context_lock->Value.Read())
                {
                    ppid = context.Value.id;
                    waitpid = context.Value.waitpid.Clone();
                }
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
