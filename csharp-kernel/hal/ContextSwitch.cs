using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>The context switch and idle instructions (asm/context.asm). The host build has its own.</summary>
    public static unsafe class ContextSwitch
    {
        /// <summary>Save the running registers into <paramref name="from"/> and continue with <paramref name="to"/>'s (context/arch/x86_64.rs switch_to).</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_context_switch")]
        public static extern void Switch(void* from, void* to);

        /// <summary>The address a new context's first `ret` goes to: it calls the function stored above it.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_context_entry_address")]
        public static extern ulong EntryAddress();

        /// <summary>context/arch/x86_64.rs `signal_handler_wrapper`: its address (asm/context.asm).</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_signal_handler_wrapper_address")]
        public static extern ulong SignalHandlerWrapperAddress();

        /// <summary>interrupt/syscall.rs `clone_ret`: its address (asm/interrupt.asm).</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_clone_ret_address")]
        public static extern ulong CloneRetAddress();

        /// <summary>sti; hlt.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_enable_and_halt")]
        public static extern void EnableAndHalt();

        /// <summary>sti; nop.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_enable_and_nop")]
        public static extern void EnableAndNop();
    }
}
