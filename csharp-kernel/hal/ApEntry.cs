using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>
    /// The entry of an application processor (asm/ap.asm): a stub that aligns the stack the
    /// loader's trampoline set and calls start.rs's `kstart_ap`. The host build has its own.
    /// </summary>
    public static class ApEntry
    {
        /// <summary>The stub's address: what the trampoline's `code` field holds.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_ap_entry")]
        public static extern ulong Address();
    }
}
