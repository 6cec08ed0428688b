using Kernel.Hal;

namespace spin
{
    /// <summary>
    /// spin 0.4's RwLock: one lock word (readers counted, the top bit the writer) beside the data;
    /// 8 bytes + the data, as the original's. `Read()`/`Write()` (extensions on the lock held in place)
    /// spin until granted; the guard releases it when disposed.
    /// </summary>
    public struct RwLock<T>
    {
        internal ulong lock_word;
        internal T data;

        public RwLock(T value)
        {
            lock_word = 0;
            data = value;
        }
    }

    public static unsafe class RwLockExt
    {
        internal const ulong WRITER = 1UL << 63;

        /// <summary>A shared lock: waits while a writer holds it.</summary>
        public static RwLockGuard<T> Read<T>(this ref RwLock<T> l)
        {
            fixed (ulong* w = &l.lock_word)
            {
                while (true)
                {
                    ulong old = Atomic.Load(w) & ~WRITER;
                    if (Atomic.CompareExchange(w, old, old + 1) == old)
                    {
                        break;
                    }
                    Cpu.Pause();
                }
            }
            return new RwLockGuard<T>(ref l.lock_word, ref l.data, false);
        }

        /// <summary>The exclusive lock: waits until no reader or writer holds it.</summary>
        public static RwLockGuard<T> Write<T>(this ref RwLock<T> l)
        {
            fixed (ulong* w = &l.lock_word)
            {
                while (Atomic.CompareExchange(w, 0, WRITER) != 0)
                {
                    Cpu.Pause();
                }
            }
            return new RwLockGuard<T>(ref l.lock_word, ref l.data, true);
        }
    }

    /// <summary>A read or write guard; Dispose releases it.</summary>
    public readonly ref struct RwLockGuard<T>
    {
        private readonly ref ulong lock_word;
        private readonly ref T data;
        private readonly bool write;

        internal RwLockGuard(ref ulong lock_word, ref T data, bool write)
        {
            this.lock_word = ref lock_word;
            this.data = ref data;
            this.write = write;
        }

        public ref T Value => ref data;

        public unsafe void Dispose()
        {
            fixed (ulong* l = &lock_word)
            {
                if (write)
                {
                    Atomic.Store(l, 0);
                }
                else
                {
                    Atomic.FetchAdd(l, ~0UL);
                }
            }
        }
    }
}
