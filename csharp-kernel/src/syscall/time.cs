using Kernel.context;
using Kernel.time;
using spin;
using syscall.data;
using syscall.error;
using syscall.flag;
using Switch = Kernel.context.@switch.Switch;

namespace Kernel.syscall
{
    /// <summary>syscall/time.rs: clock_gettime, nanosleep, sched_yield.</summary>
    public static unsafe class TimeCalls
    {
        /// <summary>`clock_gettime(clock, time)`: CLOCK_REALTIME or CLOCK_MONOTONIC (nanoseconds cut to i32); EINVAL otherwise.</summary>
        public static Result ClockGettime(ulong clock, TimeSpec* time)
        {
            Time t;
            if (clock == Flag.CLOCK_REALTIME)
            {
                t = TimeMod.Realtime();
            }
            else if (clock == Flag.CLOCK_MONOTONIC)
            {
                t = TimeMod.Monotonic();
            }
            else
            {
                return Result.Err(Error.EINVAL);
            }
            time->tv_sec = (long)t.secs;
            time->tv_nsec = (int)t.nanos;
            return Result.Ok(0);
        }

        /// <summary>
        /// `nanosleep(req, rem)`: the context wakes at monotonic + req (the switch unblocks it once that
        /// time has passed), blocks and switches; rem, if given, is set to zero (the original's TODO).
        /// </summary>
        public static Result Nanosleep(TimeSpec* req, TimeSpec* rem)
        {
            Time start = TimeMod.Monotonic();
            ulong sum = start.nanos + (ulong)(long)req->tv_nsec;
            ulong end_secs = start.secs + (ulong)req->tv_sec + sum / 1_000_000_000;
            ulong end_nanos = sum % 1_000_000_000;

            using (var contexts = ContextMod.Contexts())
            {
                var context_lock = contexts.Value.Current();
                if (context_lock == null)
                {
                    return Result.Err(Error.ESRCH);
                }
                using (var context = context_lock->Value.Write())
                {
                    context.Value.wake.is_some = true;
                    context.Value.wake.secs = end_secs;
                    context.Value.wake.nanos = end_nanos;
                    context.Value.Block();
                }
            }

            Switch.Run();

            if (rem != null)
            {
                rem->tv_sec = 0;
                rem->tv_nsec = 0;
            }
            return Result.Ok(0);
        }

        /// <summary>`sched_yield()`: switch to another context, if one is runnable.</summary>
        public static Result SchedYield()
        {
            Switch.Run();
            return Result.Ok(0);
        }
    }
}
