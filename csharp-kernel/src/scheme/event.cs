using alloc.arc;
using alloc.btree_map;
using core.cmp;
using Kernel.common;
using Kernel.context;
using Kernel.sync.wait_queue;
using spin;
using syscall.data;
using syscall.error;

namespace Kernel.scheme.@event
{
    /// <summary>
    /// scheme/event.rs: `event:`, a view of the opening context's event queue (40 bytes, as the
    /// original's). A handle holds the queue weakly: once its context is gone, the handle answers EBADF.
    /// </summary>
    public unsafe struct EventScheme
    {
        public HandleMap<Weak<WaitQueue<Event>>> handles;

        public static EventScheme New()
        {
            EventScheme s;
            s.handles = HandleMap<Weak<WaitQueue<Event>>>.New();
            return s;
        }

        /// <summary>The handle's queue while it lives (a strong reference the caller drops with <see cref="Drop"/>).</summary>
        private bool Handle(ulong id, out Arc<WaitQueue<Event>> handle)
        {
            using (var handles = this.handles.Read())
            {
                Weak<WaitQueue<Event>>* weak = handles.Value.Get(new Usize(id));
                if (weak == null)
                {
                    handle = default;
                    return false;
                }
                return weak->Upgrade(out handle);
            }
        }

        /// <summary>Drop of a strong reference to a queue (the queue with it if it was the last).</summary>
        private static void Drop(Arc<WaitQueue<Event>> handle)
        {
            if (handle.Release())
            {
                handle.Value.inner.data.Dispose();
                handle.Value.condition.Dispose();
                handle.Free();
            }
        }

        /// <summary>`open`: any path; a handle on the current context's queue (ESRCH without one).</summary>
        public Result Open(byte* path, ulong path_len, ulong flags, uint uid, uint gid)
        {
            Weak<WaitQueue<Event>> handle;
            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Read())
                {
                    handle = context.Value.events.Downgrade();
                }
            }

            return Result.Ok(handles.Insert(handle));
        }

        /// <summary>`dup`: EINVAL with a buffer; a new handle on the same queue (EBADF once it is gone).</summary>
        public Result Dup(ulong id, ulong buf_len)
        {
            if (buf_len != 0)
            {
                return Result.Err(Error.EINVAL);
            }
            if (!Handle(id, out Arc<WaitQueue<Event>> handle))
            {
                return Result.Err(Error.EBADF);
            }
            ulong new_id = this.handles.NextId();
            using (var handles = this.handles.Write())
            {
                handles.Value.InsertNew(new Usize(new_id), handle.Downgrade());
            }
            Drop(handle);
            return Result.Ok(new_id);
        }

        /// <summary>`read`: as many whole events as fit, waiting for the first; bytes read.</summary>
        public Result Read(ulong id, byte* buf, ulong len)
        {
            if (!Handle(id, out Arc<WaitQueue<Event>> handle))
            {
                return Result.Err(Error.EBADF);
            }
            ulong n = handle.Value.ReceiveInto((Event*)buf, len / (ulong)sizeof(Event), true);
            Drop(handle);
            return Result.Ok(n * (ulong)sizeof(Event));
        }

        /// <summary>`fcntl` and `fsync`: 0 while the handle's queue lives, EBADF otherwise.</summary>
        public Result Fcntl(ulong id)
        {
            if (!Handle(id, out Arc<WaitQueue<Event>> handle))
            {
                return Result.Err(Error.EBADF);
            }
            Drop(handle);
            return Result.Ok(0);
        }

        /// <summary>`fpath`: "event:", cut to the buffer.</summary>
        public static Result Fpath(byte* buf, ulong len)
        {
            return Result.Ok(SchemePath.Copy(buf, len, "event:"));
        }

        public Result Fsync(ulong id) => Fcntl(id);

        /// <summary>`close`: the handle removed (EBADF if none).</summary>
        public Result Close(ulong id)
        {
            using (var handles = this.handles.Write())
            {
                if (!handles.Value.Remove(new Usize(id), out OrdMap<Usize, Weak<WaitQueue<Event>>>.Entry e))
                {
                    return Result.Err(Error.EBADF);
                }
                e.value.Release();
            }
            return Result.Ok(0);
        }
    }
}
