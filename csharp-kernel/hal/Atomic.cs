using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>Sequentially consistent atomics on 64-bit words (asm/x86_64.asm). The host build has its own.</summary>
    public static unsafe class Atomic
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_atomic_load")]
        public static extern ulong Load(ulong* p);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_atomic_store")]
        public static extern void Store(ulong* p, ulong value);

        /// <summary>Stores <paramref name="value"/> if *p == <paramref name="expected"/>; returns the previous value.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_atomic_cmpxchg")]
        public static extern ulong CompareExchange(ulong* p, ulong expected, ulong value);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_atomic_fetch_add")]
        public static extern ulong FetchAdd(ulong* p, ulong value);
    }
}
