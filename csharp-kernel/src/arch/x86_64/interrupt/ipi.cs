using System.Runtime;
using Kernel.arch.x86_64.pti;
using Kernel.Hal;

namespace Kernel.arch.x86_64.interrupt
{
    /// <summary>
    /// interrupt/ipi.rs: the inter-processor interrupts (vectors 0x40, 0x41). Only sent with
    /// multi_core, which is off, so they never run. Port note: the local APIC (its EOI) and
    /// context::switch are not ported yet and are marked where they go.
    /// </summary>
    public static class Ipi
    {
        /// <summary>The entry stub of vector 0x40 (interrupt!).</summary>
        public static ulong IpiEntry => Registers.InterruptEntry(0x40);

        [RuntimeExport("kernel_ipi_ipi")]
        public static void IpiInner()
        {
            Pti.Map();
            // LOCAL_APIC.eoi(): not ported yet
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 0x41 (interrupt!).</summary>
        public static ulong Pit => Registers.InterruptEntry(0x41);

        [RuntimeExport("kernel_ipi_pit")]
        public static void PitInner()
        {
            Pti.Map();
            // LOCAL_APIC.eoi(): not ported yet

            if (Irq.PIT_TICKS.FetchAdd(1) >= 10)
            {
                Kernel.context.@switch.Switch.Run();
            }
            Pti.Unmap();
        }
    }
}
