using alloc.btree_map;
using core.cmp;
using core.num;
using Kernel.common;
using Kernel.context.timeout;
using Kernel.time;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using AllocString = alloc.@string.String;

namespace Kernel.scheme.time
{
    /// <summary>
    /// scheme/time.rs: `time:`, clocks and timeouts (48 bytes, as the original's). `time:N` opens
    /// clock N (CLOCK_REALTIME 1 or CLOCK_MONOTONIC 4); a read fills TimeSpecs with the clock's
    /// time, a write registers each TimeSpec as a timeout whose event is the handle's (fevent).
    /// </summary>
    public unsafe struct TimeScheme
    {
        public SchemeId scheme_id;
        public HandleMap<ulong> handles;

        public static TimeScheme New(SchemeId scheme_id)
        {
            TimeScheme s;
            s.scheme_id = scheme_id;
            s.handles = HandleMap<ulong>.New();
            return s;
        }

        private bool Clock(ulong id, out ulong clock)
        {
            using (var handles = this.handles.Read())
            {
                ulong* c = handles.Value.Get(new Usize(id));
                clock = c == null ? 0 : *c;
                return c != null;
            }
        }

        /// <summary>`open(path)`: the path (UTF-8) parsed as a usize; ENOENT unless it is one of the two clocks.</summary>
        public Result Open(byte* path, ulong path_len)
        {
            if (!initfs.Utf8.IsValid(path, path_len))
            {
                return Result.Err(Error.ENOENT);
            }
            if (!FromStr.ParseUsize(path, path_len, out ulong clock))
            {
                return Result.Err(Error.ENOENT);
            }
            if (clock != Flag.CLOCK_REALTIME && clock != Flag.CLOCK_MONOTONIC)
            {
                return Result.Err(Error.ENOENT);
            }

            return Result.Ok(handles.Insert(clock));
        }

        /// <summary>`dup`: EINVAL with a buffer; a new handle on the same clock.</summary>
        public Result Dup(ulong id, ulong buf_len) => handles.Dup(id, buf_len, &HandleMap<ulong>.Same);

        /// <summary>`read`: every whole TimeSpec of the buffer gets the clock's time (tv_nsec as i32); bytes filled.</summary>
        public Result Read(ulong id, byte* buf, ulong len)
        {
            if (!Clock(id, out ulong clock))
            {
                return Result.Err(Error.EBADF);
            }
            TimeSpec* time_buf = (TimeSpec*)buf;
            ulong count = len / (ulong)sizeof(TimeSpec);
            ulong i = 0;
            while (i < count)
            {
                Time arch_time;
                if (clock == Flag.CLOCK_REALTIME) arch_time = TimeMod.Realtime();
                else if (clock == Flag.CLOCK_MONOTONIC) arch_time = TimeMod.Monotonic();
                else return Result.Err(Error.EINVAL);
                time_buf[i].tv_sec = (long)arch_time.secs;
                time_buf[i].tv_nsec = (int)arch_time.nanos;
                i += 1;
            }
            return Result.Ok(i * (ulong)sizeof(TimeSpec));
        }

        /// <summary>`write`: every whole TimeSpec of the buffer registered as a timeout of (this scheme, the handle); bytes taken.</summary>
        public Result Write(ulong id, byte* buf, ulong len)
        {
            if (!Clock(id, out ulong clock))
            {
                return Result.Err(Error.EBADF);
            }
            TimeSpec* time_buf = (TimeSpec*)buf;
            ulong count = len / (ulong)sizeof(TimeSpec);
            ulong i = 0;
            while (i < count)
            {
                TimeSpec time = time_buf[i];
                TimeoutMod.Register(scheme_id, id, clock, time);
                i += 1;
            }
            return Result.Ok(i * (ulong)sizeof(TimeSpec));
        }

        /// <summary>`fevent`: the handle's own id is its event id (EBADF for an unknown handle).</summary>
        public Result Fevent(ulong id)
        {
            return Clock(id, out _) ? Result.Ok(id) : Result.Err(Error.EBADF);
        }

        /// <summary>`fpath`: `format!("time:{}", clock)` cut to the buffer (a String of the estimated 10 bytes, made and dropped).</summary>
        public Result Fpath(ulong id, byte* buf, ulong len)
        {
            if (!Clock(id, out ulong clock))
            {
                return Result.Err(Error.EBADF);
            }
            AllocString scheme_path = AllocString.WithCapacity(AllocString.EstimatedCapacity(5, true, false));
            scheme_path.PushLit("time:");
            scheme_path.PushDec(clock);
            ulong i = SchemePath.AppendBytes(buf, len, 0, scheme_path.AsPtr(), scheme_path.Len());
            scheme_path.Dispose();
            return Result.Ok(i);
        }

        /// <summary>`fsync`: 0 for a known handle.</summary>
        public Result Fsync(ulong id)
        {
            return Clock(id, out _) ? Result.Ok(0) : Result.Err(Error.EBADF);
        }

        /// <summary>`close`: the handle removed (EBADF if none).</summary>
        public Result Close(ulong id)
        {
            using (var handles = this.handles.Write())
            {
                return handles.Value.Remove(new Usize(id), out _) ? Result.Ok(0) : Result.Err(Error.EBADF);
            }
        }
    }
}
