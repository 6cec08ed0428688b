using System.Runtime.CompilerServices;
using alloc.arc;
using alloc.boxed;
using alloc.btree_map;
using core.cmp;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.temporary_page;
using Kernel.consts;
using Kernel.context.memory;
using Kernel.common;
using Kernel.context;
using Kernel.context.@event;
using Kernel.Hal;
using Kernel.sync.wait_map;
using Kernel.sync.wait_queue;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using syscall.number;
using Ctx = Kernel.context.context.Context;

namespace Kernel.scheme.user
{
    /// <summary>`(Weak&lt;RwLock&lt;Context&gt;&gt;, usize)`: whose fmap waits for an answer, and its size.</summary>
    public struct FmapEntry
    {
        public Weak<RwLock<Ctx>> context;
        public ulong size;
    }

    /// <summary>
    /// scheme/user.rs `UserInner`: a scheme served by a process (232 bytes, the original's fields in
    /// declaration order). A call becomes a Packet queued on `todo` (the server reads it through its
    /// `:name` handle, EVENT_READ on that handle is triggered), and the caller waits on `done` for
    /// the answer under the packet's id. Buffers cross into the server's address space as grants
    /// (capture/release).
    /// </summary>
    public unsafe struct UserInner
    {
        public SchemeId root_id;
        public ulong handle_id;
        public BoxSlice name;
        public ulong flags;
        public SchemeId scheme_id;
        public ulong next_id;
        public Weak<RwLock<Ctx>> context;
        public WaitQueue<Packet> todo;
        public Mutex<OrdMap<Usize, FmapEntry>> fmap;
        public WaitMap<Usize, ulong> done;

        public static UserInner New(SchemeId root_id, ulong handle_id, BoxSlice name, ulong flags, Weak<RwLock<Ctx>> context)
        {
            UserInner u;
            u.root_id = root_id;
            u.handle_id = handle_id;
            u.name = name;
            u.flags = flags;
            u.scheme_id = SchemeId.From(0);
            u.next_id = 1;
            u.context = context;
            u.todo = WaitQueue<Packet>.New();
            u.fmap = new Mutex<OrdMap<Usize, FmapEntry>>(OrdMap<Usize, FmapEntry>.New());
            u.done = WaitMap<Usize, ulong>.New();
            return u;
        }

        /// <summary>Drop of the last owner: the name, the server's context (weak), the queues and the pending fmaps.</summary>
        public void Drop()
        {
            name.Dispose();
            context.Release();
            using (var g = todo.inner.Lock())
            {
                g.Value.Dispose();
            }
            todo.condition.Dispose();
            using (var g = fmap.Lock())
            {
                for (ulong i = 0; i < g.Value.Len(); i++)
                {
                    g.Value.At(i)->value.context.Release();
                }
                g.Value.Dispose();
            }
            using (var g = done.inner.Lock())
            {
                g.Value.Dispose();
            }
            done.condition.Dispose();
        }

        public ulong NextId()
        {
            fixed (ulong* p = &next_id)
            {
                return Atomic.FetchAdd(p, 1);
            }
        }

        /// <summary>`call(a, b, c, d)`: a packet with the next id and the caller's pid, euid, egid (ESRCH without a context).</summary>
        public Result Call(ulong a, ulong b, ulong c, ulong d)
        {
            ulong pid;
            uint uid, gid;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    pid = context.Value.id.Into();
                    uid = context.Value.euid;
                    gid = context.Value.egid;
                }
            }

            Packet packet;
            packet.id = NextId();
            packet.pid = pid;
            packet.uid = uid;
            packet.gid = gid;
            packet.a = a;
            packet.b = b;
            packet.c = c;
            packet.d = d;
            return CallInner(packet);
        }

        /// <summary>`call_inner(packet)`: queued, the server's handle triggered (48 bytes per queued packet), then the answer waited for.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public Result CallInner(Packet packet)
        {
            ulong id = packet.id;

            ulong len = todo.Send(packet);
            EventMod.Trigger(root_id, handle_id, Flag.EVENT_READ, (ulong)sizeof(Packet) * len);

            return Error.Demux(done.Receive(new Usize(id)));
        }

        public Result Capture(byte* buf, ulong len) => CaptureInner(context, (ulong)buf, len, false);

        public Result CaptureMut(byte* buf, ulong len) => CaptureInner(context, (ulong)buf, len, true);

        /// <summary>
        /// `capture_inner(context, address, size, writable)`: 0 for an empty buffer; otherwise the
        /// pages holding it are granted into the server's address space at the first gap of its
        /// grants from USER_GRANT_OFFSET (present, no-execute, user, writable if asked), and the
        /// buffer's address there is returned (ESRCH once the server is gone).
        /// </summary>
        public static Result CaptureInner(Weak<RwLock<Ctx>> context_weak, ulong address, ulong size, bool writable)
        {
            if (size == 0)
            {
                return Result.Ok(0);
            }
            if (!context_weak.Upgrade(out Arc<RwLock<Ctx>> context_lock))
            {
                return Result.Err(Error.ESRCH);
            }
            Result r = Grants.CaptureInto(context_lock, address, size, writable);
            context_lock.Release();
            return r;
        }

        /// <summary>`release(address)`: 0 is nothing; the server's grant holding the address is unmapped (EFAULT if none).</summary>
        public Result Release(ulong address)
        {
            if (address == 0)
            {
                return Result.Ok(0);
            }
            if (!context.Upgrade(out Arc<RwLock<Ctx>> context_lock))
            {
                return Result.Err(Error.ESRCH);
            }
            Result r = Grants.ReleaseFrom(context_lock, address);
            context_lock.Release();
            return r;
        }

        /// <summary>`read(buf)`: whole packets, waiting for the first unless the handle was opened O_NONBLOCK; bytes read.</summary>
        public Result Read(byte* buf, ulong len)
        {
            ulong n = todo.ReceiveInto((Packet*)buf, len / (ulong)sizeof(Packet), (flags & Flag.O_NONBLOCK) != Flag.O_NONBLOCK);
            return Result.Ok(n * (ulong)sizeof(Packet));
        }

        /// <summary>
        /// `write(buf)`: each whole packet is an answer. Id 0 is a message to the kernel: SYS_FEVENT
        /// triggers (this scheme, b) with flags c and data d; anything else is printed. Otherwise, an
        /// answer to a pending fmap whose result is an address gets that memory granted to the
        /// caller (its address, or the error, becomes the result); the waiting caller gets a.
        /// </summary>
        public Result Write(byte* buf, ulong len)
        {
            ulong packet_size = (ulong)sizeof(Packet);
            ulong count = len / packet_size;
            ulong i = 0;
            while (i < count)
            {
                Packet packet = ((Packet*)buf)[i];
                if (packet.id == 0)
                {
                    if (packet.a == Number.SYS_FEVENT)
                    {
                        EventMod.Trigger(scheme_id, packet.b, packet.c, packet.d);
                    }
                    else
                    {
                        using (var w = Writer.New())
                        {
                            w.Str("Unknown scheme -> kernel message ");
                            w.Dec(packet.a);
                            w.Str("\n");
                        }
                    }
                }
                else
                {
                    bool found;
                    OrdMap<Usize, FmapEntry>.Entry e;
                    using (var g = fmap.Lock())
                    {
                        found = g.Value.Remove(new Usize(packet.id), out e);
                    }
                    if (found)
                    {
                        Result address = Error.Demux(packet.a);
                        if (address.is_ok)
                        {
                            packet.a = Error.Mux(CaptureInner(e.value.context, address.ok, e.value.size, true));
                        }
                        e.value.context.Release();
                    }

                    done.Send(new Usize(packet.id), packet.a);
                }
                i += 1;
            }
            return Result.Ok(i * packet_size);
        }

        public Result Fevent() => Result.Ok(handle_id);

        public static Result Fsync() => Result.Ok(0);
    }

    /// <summary>
    /// scheme/user.rs `UserScheme`: the scheme list's entry for a served scheme, a weak hold on its
    /// UserInner (8 bytes): once the server's `:name` handle is closed, every call is ENODEV.
    /// </summary>
    public unsafe struct UserScheme
    {
        public Weak<UserInner> inner;

        public static UserScheme New(Weak<UserInner> inner)
        {
            UserScheme s;
            s.inner = inner;
            return s;
        }

        /// <summary>Drop of a strong reference to the inner (the inner with it if it was the last).</summary>
        public static void DropInner(Arc<UserInner> inner)
        {
            if (inner.Release())
            {
                inner.Value.Drop();
                inner.Free();
            }
        }

        /// <summary>A call that passes a buffer: captured, called with (b, address, len) or (address, len, d), released.</summary>
        private Result WithBuffer(ulong a, ulong b, byte* buf, ulong len, ulong d, bool path_first, bool mutable)
        {
            if (!inner.Upgrade(out Arc<UserInner> i))
            {
                return Result.Err(Error.ENODEV);
            }
            Result address = mutable ? i.Value.CaptureMut(buf, len) : i.Value.Capture(buf, len);
            if (!address.is_ok)
            {
                DropInner(i);
                return address;
            }
            Result result = path_first
                ? i.Value.Call(a, address.ok, len, d)
                : i.Value.Call(a, b, address.ok, len);
            i.Value.Release(address.ok);
            DropInner(i);
            return result;
        }

        /// <summary>A call without a buffer.</summary>
        private Result Plain(ulong a, ulong b, ulong c, ulong d)
        {
            if (!inner.Upgrade(out Arc<UserInner> i))
            {
                return Result.Err(Error.ENODEV);
            }
            Result result = i.Value.Call(a, b, c, d);
            DropInner(i);
            return result;
        }

        public Result Open(byte* path, ulong len, ulong flags) => WithBuffer(Number.SYS_OPEN, 0, path, len, flags, true, false);

        public Result Chmod(byte* path, ulong len, ushort mode) => WithBuffer(Number.SYS_CHMOD, 0, path, len, mode, true, false);

        public Result Rmdir(byte* path, ulong len) => WithBuffer(Number.SYS_RMDIR, 0, path, len, 0, true, false);

        public Result Unlink(byte* path, ulong len) => WithBuffer(Number.SYS_UNLINK, 0, path, len, 0, true, false);

        public Result Dup(ulong file, byte* buf, ulong len) => WithBuffer(Number.SYS_DUP, file, buf, len, 0, false, false);

        public Result Read(ulong file, byte* buf, ulong len) => WithBuffer(Number.SYS_READ, file, buf, len, 0, false, true);

        public Result Write(ulong file, byte* buf, ulong len) => WithBuffer(Number.SYS_WRITE, file, buf, len, 0, false, false);

        public Result Seek(ulong file, ulong position, ulong whence) => Plain(Number.SYS_LSEEK, file, position, whence);

        public Result Fchmod(ulong file, ushort mode) => Plain(Number.SYS_FCHMOD, file, mode, 0);

        public Result Fchown(ulong file, uint uid, uint gid) => Plain(Number.SYS_FCHOWN, file, uid, gid);

        public Result Fcntl(ulong file, ulong cmd, ulong arg) => Plain(Number.SYS_FCNTL, file, cmd, arg);

        public Result Fevent(ulong file, ulong flags) => Plain(Number.SYS_FEVENT, file, flags, 0);

        /// <summary>
        /// `fmap(file, offset, size)`: the caller (weakly) and the size are remembered under a new
        /// packet id, and the packet {SYS_FMAP, file, offset, size} waits for the server's answer
        /// (whose address write() grants to the caller).
        /// </summary>
        public Result Fmap(ulong file, ulong offset, ulong size)
        {
            if (!inner.Upgrade(out Arc<UserInner> i))
            {
                return Result.Err(Error.ENODEV);
            }

            ulong pid;
            uint uid, gid;
            Weak<RwLock<Ctx>> context_lock;
            using (var contexts = ContextMod.Contexts())
            {
                var current = contexts.Value.Current();
                if (current == null)
                {
                    DropInner(i);
                    return Result.Err(Error.ESRCH);
                }
                using (var context = current->Value.Read())
                {
                    pid = context.Value.id.Into();
                    uid = context.Value.euid;
                    gid = context.Value.egid;
                }
                context_lock = current->Downgrade();
            }

            ulong id = i.Value.NextId();

            using (var g = i.Value.fmap.Lock())
            {
                FmapEntry e;
                e.context = context_lock;
                e.size = size;
                if (g.Value.Insert(new Usize(id), e, out FmapEntry old, out _))
                {
                    old.context.Release();
                }
            }

            Packet packet;
            packet.id = id;
            packet.pid = pid;
            packet.uid = uid;
            packet.gid = gid;
            packet.a = Number.SYS_FMAP;
            packet.b = file;
            packet.c = offset;
            packet.d = size;
            Result result = i.Value.CallInner(packet);
            DropInner(i);
            return result;
        }

        public Result Fpath(ulong file, byte* buf, ulong len) => WithBuffer(Number.SYS_FPATH, file, buf, len, 0, false, true);

        public Result Frename(ulong file, byte* path, ulong len) => WithBuffer(Number.SYS_FRENAME, file, path, len, 0, false, false);

        public Result Fstat(ulong file, Stat* stat) => WithBuffer(Number.SYS_FSTAT, file, (byte*)stat, (ulong)sizeof(Stat), 0, false, true);

        public Result Fstatvfs(ulong file, StatVfs* stat) => WithBuffer(Number.SYS_FSTATVFS, file, (byte*)stat, (ulong)sizeof(StatVfs), 0, false, true);

        public Result Fsync(ulong file) => Plain(Number.SYS_FSYNC, file, 0, 0);

        public Result Ftruncate(ulong file, ulong len) => Plain(Number.SYS_FTRUNCATE, file, len, 0);

        public Result Futimens(ulong file, TimeSpec* times, ulong count) => WithBuffer(Number.SYS_FUTIMENS, file, (byte*)times, (ulong)sizeof(TimeSpec) * count, 0, false, false);

        public Result Close(ulong file) => Plain(Number.SYS_CLOSE, file, 0, 0);
    }

    /// <summary>
    /// The grant half of `capture_inner` and `release`: the server's grants (locked under its read
    /// lock), its inactive table and the temporary page at USER_TMP_GRANT_OFFSET; the buffer's pages
    /// go into the first gap of the grants from USER_GRANT_OFFSET (`Grant::map_inactive`, the frames
    /// read from the active — the caller's — table), and come out through `unmap_inactive`.
    /// </summary>
    public static unsafe class Grants
    {
        public static Result CaptureInto(Arc<RwLock<Ctx>> context_lock, ulong address, ulong size, bool writable)
        {
            using (var context = context_lock.Value.Read())
            {
                using (var grants = context.Value.grants.Value.Lock())
                {
                    InactivePageTable new_table = InactivePageTable.FromAddress(context.Value.arch.GetPageTable());
                    TemporaryPage temporary_page = new TemporaryPage(Page.ContainingAddress(new VirtualAddress(Consts.USER_TMP_GRANT_OFFSET)));

                    ulong from_address = (address / 4096) * 4096;
                    ulong offset = address - from_address;
                    ulong full_size = ((offset + size + 4095) / 4096) * 4096;
                    ulong to_address = Consts.USER_GRANT_OFFSET;

                    EntryFlags flags = EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.USER_ACCESSIBLE;
                    if (writable)
                    {
                        flags |= EntryFlags.WRITABLE;
                    }

                    for (ulong i = 0; i < grants.Value.Len(); i++)
                    {
                        ulong start = grants.Value[i].StartAddress().Get();
                        if (to_address + full_size < start)
                        {
                            grants.Value.Insert(i, Grant.MapInactive(
                                new VirtualAddress(from_address),
                                new VirtualAddress(to_address),
                                full_size,
                                flags,
                                ref new_table,
                                ref temporary_page));

                            return Result.Ok(to_address + offset);
                        }
                        else
                        {
                            ulong pages = (grants.Value[i].Size() + 4095) / 4096;
                            ulong end = start + pages * 4096;
                            to_address = end;
                        }
                    }

                    grants.Value.Push(Grant.MapInactive(
                        new VirtualAddress(from_address),
                        new VirtualAddress(to_address),
                        full_size,
                        flags,
                        ref new_table,
                        ref temporary_page));

                    return Result.Ok(to_address + offset);
                }
            }
        }

        public static Result ReleaseFrom(Arc<RwLock<Ctx>> context_lock, ulong address)
        {
            using (var context = context_lock.Value.Read())
            {
                using (var grants = context.Value.grants.Value.Lock())
                {
                    InactivePageTable new_table = InactivePageTable.FromAddress(context.Value.arch.GetPageTable());
                    TemporaryPage temporary_page = new TemporaryPage(Page.ContainingAddress(new VirtualAddress(Consts.USER_TMP_GRANT_OFFSET)));

                    for (ulong i = 0; i < grants.Value.Len(); i++)
                    {
                        ulong start = grants.Value[i].StartAddress().Get();
                        ulong end = start + grants.Value[i].Size();
                        if (address >= start && address < end)
                        {
                            Grant grant = grants.Value.Remove(i);
                            grant.UnmapInactive(ref new_table, ref temporary_page);
                            return Result.Ok(0);
                        }
                    }

                    return Result.Err(Error.EFAULT);
                }
            }
        }
    }
}
