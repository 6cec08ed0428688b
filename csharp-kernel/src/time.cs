using spin;

namespace Kernel.time
{
    /// <summary>(seconds, nanoseconds)</summary>
    public struct Time
    {
        public ulong secs;
        public ulong nanos;

        public static Time Of(ulong secs, ulong nanos) { Time t; t.secs = secs; t.nanos = nanos; return t; }
    }

    /// <summary>time.rs: the kernel's start time (set by the RTC) and its up time (advanced by the PIT).</summary>
    public static class TimeMod
    {
        /// <summary>Kernel start time, since the Unix epoch.</summary>
        public static Mutex<Time> START;

        /// <summary>Kernel up time, since START.</summary>
        public static Mutex<Time> OFFSET;

        /// <summary>`monotonic()`: the up time.</summary>
        public static Time Monotonic()
        {
            using (var g = OFFSET.Lock())
            {
                return g.Value;
            }
        }

        /// <summary>`realtime()`: start + up time, nanoseconds carried into seconds.</summary>
        public static Time Realtime()
        {
            Time offset = Monotonic();
            Time start;
            using (var g = START.Lock())
            {
                start = g.Value;
            }
            ulong sum = start.nanos + offset.nanos;
            return Time.Of(start.secs + offset.secs + sum / 1_000_000_000, sum % 1_000_000_000);
        }

        /// <summary>The PIT's share of the up time: OFFSET += rate nanoseconds, carried.</summary>
        public static void Advance(ulong rate)
        {
            using (var g = OFFSET.Lock())
            {
                ulong sum = g.Value.nanos + rate;
                g.Value.nanos = sum % 1_000_000_000;
                g.Value.secs += sum / 1_000_000_000;
            }
        }
    }
}
