using alloc.btree_map;
using core.cmp;
using Kernel.arch.x86_64.device.serial;
using Kernel.common;
using Kernel.sync.wait_queue;
using spin;
using syscall.error;
using syscall.flag;

namespace Kernel.scheme.debug
{
    /// <summary>scheme/debug.rs: `debug:`, the serial console (40 bytes, as the original's).</summary>
    public unsafe struct DebugScheme
    {
        public HandleMap<ulong> handles;

        public static SchemeId DEBUG_SCHEME_ID;

        /// <summary>Input queue (INPUT: Once&lt;WaitQueue&lt;u8&gt;&gt;)</summary>
        private static WaitQueue<byte> INPUT;
        private static Once INPUT_INIT;

        private static WaitQueue<byte>* Input()
        {
            if (INPUT_INIT.Begin())
            {
                INPUT = WaitQueue<byte>.New();
                INPUT_INIT.Complete();
            }
            fixed (WaitQueue<byte>* p = &INPUT)
            {
                return p;
            }
        }

        /// <summary>`debug_input(b)`: a byte from the serial port's interrupt; listeners of event 0 get EVENT_READ with the queue's length.</summary>
        public static void DebugInput(byte b)
        {
            ulong len = Input()->Send(b);
            Kernel.context.@event.EventMod.Trigger(DEBUG_SCHEME_ID, 0, global::syscall.flag.Flag.EVENT_READ, len);
        }

        public static DebugScheme New(SchemeId scheme_id)
        {
            DEBUG_SCHEME_ID = scheme_id;
            DebugScheme s;
            s.handles = HandleMap<ulong>.New();
            return s;
        }

        public Result Open(byte* path, ulong path_len, ulong flags, uint uid, uint gid)
        {
            return Result.Ok(handles.Insert(flags & ~Flag.O_ACCMODE));
        }

        private bool Flags(ulong id, out ulong flags)
        {
            using (var h = handles.Read())
            {
                ulong* f = h.Value.Get(new Usize(id));
                flags = f != null ? *f : 0;
                return f != null;
            }
        }

        /// <summary>`read`: from the input queue, blocking unless O_NONBLOCK.</summary>
        public Result Read(ulong id, byte* buf, ulong len)
        {
            if (!Flags(id, out ulong flags))
            {
                return Result.Err(Error.EBADF);
            }
            return Result.Ok(Input()->ReceiveInto(buf, len, (flags & Flag.O_NONBLOCK) != Flag.O_NONBLOCK));
        }

        /// <summary>`write`: every byte to COM1, under its lock.</summary>
        public Result Write(ulong id, byte* buf, ulong len)
        {
            if (!Flags(id, out _))
            {
                return Result.Err(Error.EBADF);
            }
#if MUTATION_DEBUG_WRITE_UNLOCKED // NOT the original: each byte is read before COM1's lock is taken: a fault in the copy (U9) no longer deadlocks (make mutants)
            for (ulong i = 0; i < len; i++)
            {
                byte b = buf[i];
                using (var com = Serial.COM1.Lock())
                {
                    com.Value.Send(b);
                }
            }
#else
            using (var com = Serial.COM1.Lock())
            {
                for (ulong i = 0; i < len; i++)
                {
                    com.Value.Send(buf[i]);
                }
            }
#endif
            return Result.Ok(len);
        }

        /// <summary>`dup(id, buf)`: a new handle with the same flags (EINVAL with a non-empty buf).</summary>
        public Result Dup(ulong id, ulong buf_len) => handles.Dup(id, buf_len, &HandleMap<ulong>.Same);

        /// <summary>`fcntl`: F_GETFL, or F_SETFL (the access mode kept out); EINVAL for anything else.</summary>
        public Result Fcntl(ulong id, ulong cmd, ulong arg)
        {
            using (var h = handles.Write())
            {
                ulong* flags = h.Value.Get(new Usize(id));
                if (flags == null)
                {
                    return Result.Err(Error.EBADF);
                }
                if (cmd == Flag.F_GETFL)
                {
                    return Result.Ok(*flags);
                }
                if (cmd == Flag.F_SETFL)
                {
                    *flags = arg & ~Flag.O_ACCMODE;
                    return Result.Ok(0);
                }
                return Result.Err(Error.EINVAL);
            }
        }

        /// <summary>`fevent`: 0 for a known handle.</summary>
        public Result Fevent(ulong id, ulong flags)
        {
            return Flags(id, out _) ? Result.Ok(0) : Result.Err(Error.EBADF);
        }

        /// <summary>`fpath`: "debug:", as much as fits.</summary>
        public Result Fpath(ulong id, byte* buf, ulong len)
        {
            if (!Flags(id, out _))
            {
                return Result.Err(Error.EBADF);
            }
            string scheme_path = "debug:";
            ulong i = 0;
            while (i < len && i < (ulong)scheme_path.Length)
            {
                buf[i] = (byte)scheme_path[(int)i];
                i += 1;
            }
            return Result.Ok(i);
        }

        public Result Fsync(ulong id)
        {
            return Flags(id, out _) ? Result.Ok(0) : Result.Err(Error.EBADF);
        }

        public Result Close(ulong id)
        {
            using (var h = handles.Write())
            {
                if (!h.Value.Remove(new Usize(id), out _))
                {
                    return Result.Err(Error.EBADF);
                }
            }
            return Result.Ok(0);
        }
    }
}
