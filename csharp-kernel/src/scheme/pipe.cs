using alloc.arc;
using alloc.btree_map;
using alloc.vec_deque;
using core.cmp;
using Kernel.common;
using Kernel.Hal;
using Kernel.sync.wait_condition;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;

namespace Kernel.scheme.pipe
{
    /// <summary>The shared buffer of a pipe: `Mutex&lt;VecDeque&lt;u8&gt;&gt;`.</summary>
    public struct PipeBuffer
    {
        public Mutex<VecDeque<byte>> inner;
    }

    /// <summary>
    /// The read side of a pipe (40 bytes: ArcInner 56, as the original's): it owns the buffer (the
    /// writers hold it weakly) and the condition readers wait on.
    /// </summary>
    public unsafe struct PipeRead
    {
        public SchemeId scheme_id;
        public ulong event_id;
        public ulong flags;
        public Arc<WaitCondition> condition;
        public Arc<PipeBuffer> vec;

        public static PipeRead New(SchemeId scheme_id, ulong event_id, ulong flags)
        {
            PipeRead r;
            r.scheme_id = scheme_id;
            r.event_id = event_id;
            r.flags = flags;
            r.condition = Arc<WaitCondition>.New(WaitCondition.New());
            PipeBuffer b;
            b.inner = new Mutex<VecDeque<byte>>(VecDeque<byte>.New());
            r.vec = Arc<PipeBuffer>.New(b);
            return r;
        }

        /// <summary>`dup`: the same buffer and condition, the flags copied.</summary>
        public readonly PipeRead Dup()
        {
            PipeRead r = this;
            fixed (ulong* f = &this.flags) { r.flags = Atomic.Load(f); }
            r.condition = condition.Clone();
            r.vec = vec.Clone();
            return r;
        }

        /// <summary>
        /// `read`: what is queued, up to the buffer's length; with nothing queued, 0 (end of file) once
        /// no writer holds the buffer, EAGAIN with O_NONBLOCK, else wait for a write (EINTR when woken
        /// otherwise).
        /// </summary>
        public Result Read(byte* buf, ulong len)
        {
            while (true)
            {
                using (var g = vec.Value.inner.Lock())
                {
                    ulong i = 0;
                    while (i < len)
                    {
                        byte? b = g.Value.PopFront();
                        if (!b.HasValue)
                        {
                            break;
                        }
                        buf[i] = b.GetValueOrDefault();
                        i += 1;
                    }
                    if (i > 0)
                    {
                        return Result.Ok(i);
                    }
                }

                if (Atomic.Load(&vec.Inner->weak) - 1 == 0)
                {
                    return Result.Ok(0);
                }
                ulong f;
                fixed (ulong* p = &flags) { f = Atomic.Load(p); }
                if ((f & Flag.O_NONBLOCK) == Flag.O_NONBLOCK)
                {
                    return Result.Err(Error.EAGAIN);
                }
                if (!condition.Value.Wait())
                {
                    return Result.Err(Error.EINTR);
                }
            }
        }

        /// <summary>Drop: the condition and the buffer released (the last owner of the buffer frees it once no writer holds it).</summary>
        public void Drop()
        {
            if (condition.Release())
            {
                condition.Value.Dispose();
                condition.Free();
            }
            if (vec.Release())
            {
                vec.Value.inner.data.Dispose();
                vec.Free();
            }
        }
    }

    /// <summary>The write side of a pipe (40 bytes: ArcInner 56, as the original's): a weak hold on the buffer.</summary>
    public unsafe struct PipeWrite
    {
        public SchemeId scheme_id;
        public ulong event_id;
        public ulong flags;
        public Arc<WaitCondition> condition;
        /// <summary>`Option&lt;Weak&lt;…&gt;&gt;`: a null pointer is None.</summary>
        public Weak<PipeBuffer> vec;

        public static PipeWrite New(PipeRead* read, ulong flags)
        {
            PipeWrite w;
            w.scheme_id = read->scheme_id;
            w.event_id = read->event_id;
            w.flags = flags;
            w.condition = read->condition.Clone();
            w.vec = read->vec.Downgrade();
            return w;
        }

        public readonly PipeWrite Dup()
        {
            PipeWrite w = this;
            fixed (ulong* f = &this.flags) { w.flags = Atomic.Load(f); }
            w.condition = condition.Clone();
            if (vec.ptr != null)
            {
                Atomic.FetchAdd(&vec.ptr->weak, 1);
            }
            return w;
        }

        /// <summary>
        /// `write`: every byte queued and the readers woken, while the read side lives; EPIPE once it is
        /// gone; the read side's event (EVENT_READ, the queue's length) triggered.
        /// </summary>
        public Result Write(byte* buf, ulong len)
        {
            if (vec.ptr == null)
            {
                Panic.Fail("PipeWrite dropped before write", "src/scheme/pipe.rs", 292);
            }
            if (!vec.Upgrade(out Arc<PipeBuffer> vec_lock))
            {
                return Result.Err(Error.EPIPE);
            }
            ulong queued;
            using (var g = vec_lock.Value.inner.Lock())
            {
                for (ulong i = 0; i < len; i++)
                {
                    g.Value.PushBack(buf[i]);
                }
                queued = g.Value.Len();
            }
            if (vec_lock.Release())
            {
                vec_lock.Value.inner.data.Dispose();
                vec_lock.Free();
            }
            Kernel.context.@event.EventMod.Trigger(scheme_id, event_id, global::syscall.flag.Flag.EVENT_READ, queued);
            condition.Value.Notify();
            return Result.Ok(len);
        }

        /// <summary>Drop: the weak hold released, then the readers woken (they see the end of file).</summary>
        public void Drop()
        {
            if (vec.ptr != null)
            {
                vec.Release();
                vec.ptr = null;
            }
            Kernel.context.@event.EventMod.Trigger(scheme_id, event_id, global::syscall.flag.Flag.EVENT_READ, 0);
            condition.Value.Notify();
            if (condition.Release())
            {
                condition.Value.Dispose();
                condition.Free();
            }
        }
    }

    /// <summary>The pipes: read sides and write sides by handle number.</summary>
    public struct Pipes
    {
        public OrdMap<Usize, Arc<PipeRead>> read;
        public OrdMap<Usize, Arc<PipeWrite>> write;
    }

    /// <summary>scheme/pipe.rs: `pipe:`, the kernel side of pipe2 (zero-sized: its Box allocates nothing).</summary>
    public unsafe struct PipeScheme
    {
        public static SchemeId PIPE_SCHEME_ID;
        private static ulong PIPE_NEXT_ID;
        private static RwLock<Pipes> PIPES;
        private static Once PIPES_INIT;

        public static void New(SchemeId scheme_id)
        {
            PIPE_SCHEME_ID = scheme_id;
        }

        private static RwLock<Pipes>* CallOnce()
        {
            if (PIPES_INIT.Begin())
            {
                Pipes p;
                p.read = OrdMap<Usize, Arc<PipeRead>>.New();
                p.write = OrdMap<Usize, Arc<PipeWrite>>.New();
                PIPES = new RwLock<Pipes>(p);
                PIPES_INIT.Complete();
            }
            fixed (RwLock<Pipes>* p = &PIPES)
            {
                return p;
            }
        }

        private static ulong NextId()
        {
            fixed (ulong* p = &PIPE_NEXT_ID)
            {
                return Atomic.FetchAdd(p, 1);
            }
        }

        /// <summary>`pipe(flags)`: a new pipe's read and write handle numbers (consecutive).</summary>
        public static void Pipe(ulong flags, out ulong read_id, out ulong write_id)
        {
            using (var pipes = RwLockExt.Write(ref *CallOnce()))
            {
                read_id = NextId();
                write_id = NextId();
                PipeRead read = PipeRead.New(PIPE_SCHEME_ID, read_id, flags);
                PipeWrite write = PipeWrite.New(&read, flags);
                pipes.Value.read.Insert(new Usize(read_id), Arc<PipeRead>.New(read), out _, out _);
                pipes.Value.write.Insert(new Usize(write_id), Arc<PipeWrite>.New(write), out _, out _);
            }
        }

        private static void DropRead(Arc<PipeRead> a)
        {
            if (a.Release())
            {
                a.Value.Drop();
                a.Free();
            }
        }

        private static void DropWrite(Arc<PipeWrite> a)
        {
            if (a.Release())
            {
                a.Value.Drop();
                a.Free();
            }
        }

        /// <summary>`dup(id, buf)`: a new handle to the same side (EINVAL with a non-empty buf, EBADF for no pipe).</summary>
        public static Result Dup(ulong id, ulong buf_len)
        {
            if (buf_len != 0)
            {
                return Result.Err(Error.EINVAL);
            }
            using (var pipes = RwLockExt.Write(ref *CallOnce()))
            {
                Arc<PipeRead>* r = pipes.Value.read.Get(new Usize(id));
                if (r != null)
                {
                    PipeRead d = r->Value.Dup();
                    ulong pipe_id = NextId();
                    pipes.Value.read.Insert(new Usize(pipe_id), Arc<PipeRead>.New(d), out _, out _);
                    return Result.Ok(pipe_id);
                }
                Arc<PipeWrite>* w = pipes.Value.write.Get(new Usize(id));
                if (w != null)
                {
                    PipeWrite d = w->Value.Dup();
                    ulong pipe_id = NextId();
                    pipes.Value.write.Insert(new Usize(pipe_id), Arc<PipeWrite>.New(d), out _, out _);
                    return Result.Ok(pipe_id);
                }
            }
            return Result.Err(Error.EBADF);
        }

        /// <summary>`read`: the read side (cloned, so that no lock is held while it waits); EBADF for a write side.</summary>
        public static Result Read(ulong id, byte* buf, ulong len)
        {
            Arc<PipeRead> pipe;
            using (var pipes = RwLockExt.Read(ref *CallOnce()))
            {
                Arc<PipeRead>* r = pipes.Value.read.Get(new Usize(id));
                if (r == null)
                {
                    return Result.Err(Error.EBADF);
                }
                pipe = r->Clone();
            }
            Result res = pipe.Value.Read(buf, len);
            DropRead(pipe);
            return res;
        }

        /// <summary>`write`: the write side; EBADF for a read side.</summary>
        public static Result Write(ulong id, byte* buf, ulong len)
        {
            Arc<PipeWrite> pipe;
            using (var pipes = RwLockExt.Read(ref *CallOnce()))
            {
                Arc<PipeWrite>* w = pipes.Value.write.Get(new Usize(id));
                if (w == null)
                {
                    return Result.Err(Error.EBADF);
                }
                pipe = w->Clone();
            }
            Result res = pipe.Value.Write(buf, len);
            DropWrite(pipe);
            return res;
        }

        private static Result Fcntl(ulong* flags, ulong cmd, ulong arg)
        {
            if (cmd == Flag.F_GETFL)
            {
                return Result.Ok(Atomic.Load(flags));
            }
            if (cmd == Flag.F_SETFL)
            {
                Atomic.Store(flags, arg & ~Flag.O_ACCMODE);
                return Result.Ok(0);
            }
            return Result.Err(Error.EINVAL);
        }

        /// <summary>`fcntl`: F_GETFL / F_SETFL (the access mode kept out) on either side; EINVAL otherwise.</summary>
        public static Result Fcntl(ulong id, ulong cmd, ulong arg)
        {
            using (var pipes = RwLockExt.Read(ref *CallOnce()))
            {
                Arc<PipeRead>* r = pipes.Value.read.Get(new Usize(id));
                if (r != null)
                {
                    return Fcntl(&r->Inner->data.flags, cmd, arg);
                }
                Arc<PipeWrite>* w = pipes.Value.write.Get(new Usize(id));
                if (w != null)
                {
                    return Fcntl(&w->Inner->data.flags, cmd, arg);
                }
            }
            return Result.Err(Error.EBADF);
        }

        /// <summary>`fevent`: the read side's event id; EBADF for a write side.</summary>
        public static Result Fevent(ulong id, ulong flags)
        {
            using (var pipes = RwLockExt.Read(ref *CallOnce()))
            {
                Arc<PipeRead>* r = pipes.Value.read.Get(new Usize(id));
                if (r != null)
                {
                    return Result.Ok(r->Value.event_id);
                }
            }
            return Result.Err(Error.EBADF);
        }

        /// <summary>`fpath`: "pipe:" for any id (none is checked).</summary>
        public static Result Fpath(ulong id, byte* buf, ulong len)
        {
            string scheme_path = "pipe:";
            ulong i = 0;
            while (i < len && i < (ulong)scheme_path.Length)
            {
                buf[i] = (byte)scheme_path[(int)i];
                i += 1;
            }
            return Result.Ok(i);
        }

        /// <summary>`fstat`: a FIFO with mode 0o666, every other field zero, for any id (none is checked).</summary>
        public static Result Fstat(ulong id, Stat* stat)
        {
            Stat s = default;
            s.st_mode = (ushort)(Flag.MODE_FIFO | 0x1B6);
            *stat = s;
            return Result.Ok(0);
        }

        /// <summary>`close`: the id removed from both maps (0 even for an unknown id).</summary>
        public static Result Close(ulong id)
        {
            using (var pipes = RwLockExt.Write(ref *CallOnce()))
            {
                if (pipes.Value.read.Remove(new Usize(id), out OrdMap<Usize, Arc<PipeRead>>.Entry r))
                {
                    DropRead(r.value);
                }
                if (pipes.Value.write.Remove(new Usize(id), out OrdMap<Usize, Arc<PipeWrite>>.Entry w))
                {
                    DropWrite(w.value);
                }
            }
            return Result.Ok(0);
        }
    }
}
