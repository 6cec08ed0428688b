using Kernel.Hal;

namespace spin
{
    /// <summary>
    /// spin 0.4's Once: a state word (0 incomplete, 1 running, 2 complete). The first caller of
    /// <see cref="Begin"/> gets true and must initialise the value, then call <see cref="Complete"/>;
    /// every other caller waits (spinning) until it is complete and gets false.
    /// </summary>
    public struct Once
    {
        internal ulong state;

        public unsafe bool Begin()
        {
            fixed (ulong* s = &state)
            {
                if (Atomic.Load(s) == 2)
                {
                    return false;
                }
                if (Atomic.CompareExchange(s, 0, 1) == 0)
                {
                    return true;
                }
                while (Atomic.Load(s) != 2)
                {
                    Cpu.Pause();
                }
                return false;
            }
        }

        public unsafe void Complete()
        {
            fixed (ulong* s = &state)
            {
                Atomic.Store(s, 2);
            }
        }
    }
}
