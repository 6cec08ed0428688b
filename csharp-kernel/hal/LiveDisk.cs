#if FEATURE_LIVE
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>The live disk's bounds, `&amp;__live_start` and `&amp;__live_end` (asm/live/live.asm; `live` builds only).</summary>
    public static class LiveDisk
    {
        public const uint START = 0, END = 1;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_live_bound")]
        public static extern ulong Bound(uint which);
    }
}
#endif
