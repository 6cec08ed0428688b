using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.device.pic;

namespace Kernel.arch.x86_64.device.pit
{
    /// <summary>pit.rs: the 8254 timer, channel 0 as the kernel's tick when there is no usable HPET.</summary>
    public static class Pit
    {
        public static Pio8 CHAN0 = Pio8.New(0x40);
        public static Pio8 CHAN1 = Pio8.New(0x41);
        public static Pio8 CHAN2 = Pio8.New(0x42);
        public static Pio8 COMMAND = Pio8.New(0x43);

        private const byte SELECT_CHAN0 = 0;
        private const byte LOHI = 0x30;

        private const ushort CHAN0_DIVISOR = 2685;

        /// <summary>Channel 0, low then high byte, mode 5 (0x35), divisor 2685; then "Using PIT".</summary>
        public static void Init()
        {
            COMMAND.Write(SELECT_CHAN0 | LOHI | 5);
            CHAN0.Write((byte)(CHAN0_DIVISOR & 0xFF));
            CHAN0.Write((byte)(CHAN0_DIVISOR >> 8));

            using (var w = Writer.New())
            {
                w.WriteStr("Using PIT\n");
            }
        }
    }
}
