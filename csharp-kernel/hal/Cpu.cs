using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>Processor control instructions (asm/x86_64.asm). The host build has its own.</summary>
    public static class Cpu
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_halt")]
        public static extern void Halt();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_cli")]
        public static extern void DisableInterrupts();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_sti")]
        public static extern void EnableInterrupts();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_pause")]
        public static extern void Pause();

        /// <summary>The caller's frame pointer.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_read_rbp")]
        public static extern ulong ReadRbp();
    }
}
