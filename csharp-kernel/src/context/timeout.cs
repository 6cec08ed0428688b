using System.Runtime.CompilerServices;
using alloc.vec_deque;
using core.fmt;
using Kernel.common;
using Kernel.context.@event;
using Kernel.arch.x86_64.debug;
using Kernel.time;
using spin;
using syscall.data;
using syscall.flag;

namespace Kernel.context.timeout
{
    /// <summary>`Timeout`: which event fires (scheme, event id), on which clock, at what time (40 bytes).</summary>
    public struct Timeout
    {
        public SchemeId scheme_id;
        public ulong event_id;
        public ulong clock;
        public ulong secs;
        public ulong nanos;
    }

    /// <summary>
    /// context/timeout.rs: the registered timeouts (`Mutex&lt;VecDeque&lt;Timeout&gt;&gt;`, in registration
    /// order), which the PIT's handler checks on every tick.
    /// </summary>
    public static unsafe class TimeoutMod
    {
        private static Mutex<VecDeque<Timeout>> REGISTRY;
        private static Once REGISTRY_INIT;

        private static Mutex<VecDeque<Timeout>>* Registry()
        {
            if (REGISTRY_INIT.Begin())
            {
                REGISTRY = new Mutex<VecDeque<Timeout>>(VecDeque<Timeout>.New());
                REGISTRY_INIT.Complete();
            }
            fixed (Mutex<VecDeque<Timeout>>* p = &REGISTRY)
            {
                return p;
            }
        }

        /// <summary>`register(scheme_id, event_id, clock, time)`: queued at the back (the time's fields as u64).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Register(SchemeId scheme_id, ulong event_id, ulong clock, TimeSpec time)
        {
            using (var registry = Registry()->Lock())
            {
                Timeout t;
                t.scheme_id = scheme_id;
                t.event_id = event_id;
                t.clock = clock;
                t.secs = (ulong)time.tv_sec;
                t.nanos = (ulong)(long)time.tv_nsec;
                registry.Value.PushBack(t);
            }
        }

        /// <summary>
        /// `trigger()`: every timeout whose time has come on its clock (monotonic or realtime, read
        /// once) is removed and fires EVENT_READ with the size of a TimeSpec; an unknown clock is
        /// printed and fires at once.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Trigger()
        {
            using (var registry = Registry()->Lock())
            {
                Time mono = TimeMod.Monotonic();
                Time real = TimeMod.Realtime();

                ulong i = 0;
                while (i < registry.Value.Len())
                {
                    Timeout* t = registry.Value.At(i);
                    bool trigger;
                    if (t->clock == Flag.CLOCK_MONOTONIC)
                    {
                        trigger = mono.secs > t->secs || (mono.secs == t->secs && mono.nanos >= t->nanos);
                    }
                    else if (t->clock == Flag.CLOCK_REALTIME)
                    {
                        trigger = real.secs > t->secs || (real.secs == t->secs && real.nanos >= t->nanos);
                    }
                    else
                    {
                        using (var w = Writer.New())
                        {
                            w.Str("timeout::trigger: unknown clock ");
                            w.Dec(t->clock);
                            w.Str("\n");
                        }
                        trigger = true;
                    }

                    if (trigger)
                    {
                        Timeout timeout = registry.Value.Remove(i).GetValueOrDefault();
                        EventMod.Trigger(timeout.scheme_id, timeout.event_id, Flag.EVENT_READ, (ulong)sizeof(TimeSpec));
                    }
                    else
                    {
                        i += 1;
                    }
                }
            }
        }
    }
}
