using Kernel.Hal;

namespace Kernel.arch.x86_64.device.pic
{
    /// <summary>pic.rs's statics and init: the two 8259 PICs, remapped to vectors 0x20 and 0x28.</summary>
    public static class PicModule
    {
        public static Pic MASTER = Pic.New(0x20);
        public static Pic SLAVE = Pic.New(0xA0);

        /// <summary>ICW1..ICW4 to both chips in turn, then every IRQ unmasked and any pending one acknowledged.</summary>
        public static void Init()
        {
            // Start initialization
            MASTER.cmd.Write(0x11);
            SLAVE.cmd.Write(0x11);

            // Set offsets
            MASTER.data.Write(0x20);
            SLAVE.data.Write(0x28);

            // Set up cascade
            MASTER.data.Write(4);
            SLAVE.data.Write(2);

            // Set up interrupt mode (1 is 8086/88 mode, 2 is auto EOI)
            MASTER.data.Write(1);
            SLAVE.data.Write(1);

            // Unmask interrupts
            MASTER.data.Write(0);
            SLAVE.data.Write(0);

            // Ack remaining interrupts
            MASTER.Ack();
            SLAVE.Ack();
        }
    }

    /// <summary>syscall::io::Pio&lt;u8&gt;: one byte-wide I/O port.</summary>
    public struct Pio8
    {
        public ushort port;

        public static Pio8 New(ushort port) => new Pio8 { port = port };

        public readonly byte Read() => Port.Inb(port);

        public readonly void Write(byte value) => Port.Outb(port, value);
    }

    /// <summary>pic.rs: one 8259 PIC, its command port and its data port (the next one).</summary>
    public struct Pic
    {
        public Pio8 cmd;
        public Pio8 data;

        public static Pic New(ushort port) => new Pic
        {
            cmd = Pio8.New(port),
            data = Pio8.New((ushort)(port + 1)),
        };

        /// <summary>End of interrupt.</summary>
        public readonly void Ack()
        {
            cmd.Write(0x20);
        }

        public readonly void MaskSet(byte irq)
        {
            if (!(irq < 8))
            {
                Panic.Fail("assertion failed: irq < 8", "src/arch/x86_64/device/pic.rs", 50);
            }

            byte mask = data.Read();
            mask |= (byte)(1 << irq);
            data.Write(mask);
        }

        public readonly void MaskClear(byte irq)
        {
            if (!(irq < 8))
            {
                Panic.Fail("assertion failed: irq < 8", "src/arch/x86_64/device/pic.rs", 58);
            }

            byte mask = data.Read();
            mask &= (byte)~(1 << irq);
            data.Write(mask);
        }
    }
}
