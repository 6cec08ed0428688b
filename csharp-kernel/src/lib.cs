using System.Runtime.CompilerServices;
using core.fmt;
using Kernel.acpi.madt;
using Kernel.arch.x86_64.debug;
using Kernel.Hal;

namespace Kernel
{
    /// <summary>
    /// lib.rs: the kernel's root. kmain (the BSP's entry after kstart) is where the port currently
    /// ends: context::init, the first context and userspace_init follow in later work.
    /// </summary>
    public static unsafe class Lib
    {
        /// <summary>
        /// The kernel entry point for the primary CPU, called by kstart with the CPU count and the
        /// environment block. The port stops here for now with a clean exit status (QemuExit).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Kmain(ulong cpus, byte* env, ulong env_size)
        {
            QemuExit.Exit(QemuExit.ReachedEnd);
        }

        /// <summary>
        /// The kernel entry point for an AP, once the BSP is ready. With `multi_core` the original
        /// goes on to context::init, prints its context id and schedules; the port has no
        /// contexts yet (the BSP's kmain ends the boot), so the AP records its id and parks:
        /// interrupts off, halted. Without `multi_core` (never reached: no AP is started) the
        /// original says so and halts.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void KmainAp(ulong id)
        {
            *(ulong*)Registers.ThreadLocal(Registers.TLS_CPU_ID) = id;

#pragma warning disable CS0162 // MULTI_CORE is a constant
            if (!Madt.MULTI_CORE)
            {
                using (var w = Writer.New()) { w.Str("AP "); w.Dec(id); w.Str(": Disabled\n"); }
            }
#pragma warning restore CS0162

            while (true)
            {
                Cpu.DisableInterrupts();
                Cpu.Halt();
            }
        }
    }
}
