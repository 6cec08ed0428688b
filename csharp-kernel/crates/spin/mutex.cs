using System.Runtime.CompilerServices;
using Kernel.Hal;

namespace spin
{
    /// <summary>
    /// spin 0.4's Mutex: a lock word beside the data. `m.Lock()` (an extension on the Mutex held
    /// in place, <see cref="MutexExt.Lock{T}"/>) spins on a compare-and-swap; the guard releases the
    /// lock when disposed at the end of a `using`, as Rust's guard does when dropped.
    /// </summary>
    public struct Mutex<T>
    {
        internal ulong locked;
        internal T data;

        public Mutex(T value)
        {
            locked = 0;
            data = value;
        }
    }

    public static unsafe class MutexExt
    {
        /// <summary>Spins until the lock is taken; the guard gives the data by reference.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static MutexGuard<T> Lock<T>(this ref Mutex<T> m)
        {
            fixed (ulong* l = &m.locked)
            {
                while (Atomic.CompareExchange(l, 0, 1) != 0)
                {
                    while (Atomic.Load(l) != 0)
                    {
                        Cpu.Pause();
                    }
                }
            }
            return new MutexGuard<T>(ref m.locked, ref m.data);
        }
    }

    /// <summary>The lock held; Dispose releases it.</summary>
    public readonly ref struct MutexGuard<T>
    {
        private readonly ref ulong locked;
        private readonly ref T data;

        internal MutexGuard(ref ulong locked, ref T data)
        {
            this.locked = ref locked;
            this.data = ref data;
        }

        public ref T Value => ref data;

        public unsafe void Dispose()
        {
            fixed (ulong* l = &locked) { Atomic.Store(l, 0); }
        }
    }
}
