using System.Runtime;
using core.sync.atomic;
using Kernel.arch.x86_64.pti;
using Kernel.Hal;

namespace Kernel.arch.x86_64.interrupt
{
    /// <summary>
    /// interrupt/irq.rs: the legacy PIC's IRQ handlers (vectors 32..47). Each has an entry stub in
    /// asm/interrupt.asm (the original's interrupt! macro) that saves the scratch registers and the
    /// SSE state and calls the body here. Interrupts stay off through the whole boot up to kmain,
    /// so none of these runs during the part of the boot the port has so far.
    /// Port notes: device::pic is not ported yet, so the PIC's ack/mask are written here directly
    /// (its ports and values); the parts that need modules not ported yet are left out and marked:
    /// the serial ports' receive.
    /// </summary>
    public static unsafe class Irq
    {
        /// <summary>Resets to 0 in context::switch().</summary>
        public static AtomicUsize PIT_TICKS;

        /// <summary>The PIT's period in nanoseconds (pit.rs programs it; irq.rs adds it to time::OFFSET each tick).</summary>
        public const ulong PIT_RATE = 2_250_286;

        private const ushort MASTER_CMD = 0x20, MASTER_DATA = 0x21, SLAVE_CMD = 0xA0, SLAVE_DATA = 0xA1;

        private static void Ack(ushort cmd) => Port.Outb(cmd, 0x20);

        private static void MaskSet(ushort data, byte irq)
        {
            byte mask = Port.Inb(data);
            mask |= (byte)(1 << irq);
            Port.Outb(data, mask);
        }

        private static void MaskClear(ushort data, byte irq)
        {
            byte mask = Port.Inb(data);
            mask &= (byte)~(1 << irq);
            Port.Outb(data, mask);
        }

        /// <summary>Masks and acknowledges the IRQ, then hands it to the irq: scheme (irq_trigger).</summary>
        private static void Trigger(byte irq)
        {
            if (irq < 16)
            {
                if (irq >= 8)
                {
                    MaskSet(SLAVE_DATA, (byte)(irq - 8));
                    Ack(MASTER_CMD);
                    Ack(SLAVE_CMD);
                }
                else
                {
                    MaskSet(MASTER_DATA, irq);
                    Ack(MASTER_CMD);
                }
            }

            Kernel.scheme.irq.IrqScheme.IrqTrigger(irq);
        }

        /// <summary>Unmasks the IRQ again once the irq: scheme's reader has handled it.</summary>
        public static void Acknowledge(ulong irq)
        {
            if (irq < 16)
            {
                if (irq >= 8)
                {
                    MaskClear(SLAVE_DATA, (byte)(irq - 8));
                }
                else
                {
                    MaskClear(MASTER_DATA, (byte)irq);
                }
            }
        }

        /// <summary>The entry stub of vector 32 (interrupt!).</summary>
        public static ulong Pit => Registers.InterruptEntry(32);

        [RuntimeExport("kernel_irq_pit")]
        public static void PitInner()
        {
            Pti.Map();
            // Wake up other CPUs: only with multi_core, which is off

            // Saves CPU time by not sending IRQ event irq_trigger(0);

            Kernel.time.TimeMod.Advance(PIT_RATE);

            Ack(MASTER_CMD);

            // Any better way of doing this?
            Kernel.context.timeout.TimeoutMod.Trigger();

            if (PIT_TICKS.FetchAdd(1) >= 10)
            {
                Kernel.context.@switch.Switch.Run();
            }
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 33 (interrupt!).</summary>
        public static ulong Keyboard => Registers.InterruptEntry(33);

        [RuntimeExport("kernel_irq_keyboard")]
        public static void KeyboardInner()
        {
            Pti.Map();
            Trigger(1);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 34 (interrupt!).</summary>
        public static ulong Cascade => Registers.InterruptEntry(34);

        [RuntimeExport("kernel_irq_cascade")]
        public static void CascadeInner()
        {
            Pti.Map();
            // No need to do any operations on cascade
            Ack(MASTER_CMD);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 35 (interrupt!).</summary>
        public static ulong Com2 => Registers.InterruptEntry(35);

        [RuntimeExport("kernel_irq_com2")]
        public static void Com2Inner()
        {
            Pti.Map();
            // COM2.lock().receive(): the serial port's receive is not ported yet
            Ack(MASTER_CMD);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 36 (interrupt!).</summary>
        public static ulong Com1 => Registers.InterruptEntry(36);

        [RuntimeExport("kernel_irq_com1")]
        public static void Com1Inner()
        {
            Pti.Map();
            // COM1.lock().receive(): the serial port's receive is not ported yet
            Ack(MASTER_CMD);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 37 (interrupt!).</summary>
        public static ulong Lpt2 => Registers.InterruptEntry(37);

        [RuntimeExport("kernel_irq_lpt2")]
        public static void Lpt2Inner()
        {
            Pti.Map();
            Trigger(5);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 38 (interrupt!).</summary>
        public static ulong Floppy => Registers.InterruptEntry(38);

        [RuntimeExport("kernel_irq_floppy")]
        public static void FloppyInner()
        {
            Pti.Map();
            Trigger(6);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 39 (interrupt!).</summary>
        public static ulong Lpt1 => Registers.InterruptEntry(39);

        [RuntimeExport("kernel_irq_lpt1")]
        public static void Lpt1Inner()
        {
            Pti.Map();
            Trigger(7);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 40 (interrupt!).</summary>
        public static ulong Rtc => Registers.InterruptEntry(40);

        [RuntimeExport("kernel_irq_rtc")]
        public static void RtcInner()
        {
            Pti.Map();
            Trigger(8);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 41 (interrupt!).</summary>
        public static ulong Pci1 => Registers.InterruptEntry(41);

        [RuntimeExport("kernel_irq_pci1")]
        public static void Pci1Inner()
        {
            Pti.Map();
            Trigger(9);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 42 (interrupt!).</summary>
        public static ulong Pci2 => Registers.InterruptEntry(42);

        [RuntimeExport("kernel_irq_pci2")]
        public static void Pci2Inner()
        {
            Pti.Map();
            Trigger(10);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 43 (interrupt!).</summary>
        public static ulong Pci3 => Registers.InterruptEntry(43);

        [RuntimeExport("kernel_irq_pci3")]
        public static void Pci3Inner()
        {
            Pti.Map();
            Trigger(11);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 44 (interrupt!).</summary>
        public static ulong Mouse => Registers.InterruptEntry(44);

        [RuntimeExport("kernel_irq_mouse")]
        public static void MouseInner()
        {
            Pti.Map();
            Trigger(12);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 45 (interrupt!).</summary>
        public static ulong Fpu => Registers.InterruptEntry(45);

        [RuntimeExport("kernel_irq_fpu")]
        public static void FpuInner()
        {
            Pti.Map();
            Trigger(13);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 46 (interrupt!).</summary>
        public static ulong Ata1 => Registers.InterruptEntry(46);

        [RuntimeExport("kernel_irq_ata1")]
        public static void Ata1Inner()
        {
            Pti.Map();
            Trigger(14);
            Pti.Unmap();
        }

        /// <summary>The entry stub of vector 47 (interrupt!).</summary>
        public static ulong Ata2 => Registers.InterruptEntry(47);

        [RuntimeExport("kernel_irq_ata2")]
        public static void Ata2Inner()
        {
            Pti.Map();
            Trigger(15);
            Pti.Unmap();
        }
    }
}
