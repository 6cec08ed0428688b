using Kernel.Hal;

namespace Kernel.devices.uart_16550
{
    /// <summary>Interrupt enable flags.</summary>
    [System.Flags]
    internal enum IntEnFlags : byte
    {
        RECEIVED = 1,
        SENT = 1 << 1,
        ERRORED = 1 << 2,
        STATUS_CHANGE = 1 << 3,
    }

    /// <summary>Line status flags.</summary>
    [System.Flags]
    internal enum LineStsFlags : byte
    {
        INPUT_FULL = 1,
        OUTPUT_EMPTY = 1 << 5,
    }

    /// <summary>A 16550 UART reached through I/O ports (SerialPort&lt;Pio&lt;u8&gt;&gt;).</summary>
    public struct SerialPort
    {
        private readonly ushort data;
        private readonly ushort int_en;
        private readonly ushort fifo_ctrl;
        private readonly ushort line_ctrl;
        private readonly ushort modem_ctrl;
        private readonly ushort line_sts;
        private readonly ushort modem_sts;

        public SerialPort(ushort @base)
        {
            data = @base;
            int_en = (ushort)(@base + 1);
            fifo_ctrl = (ushort)(@base + 2);
            line_ctrl = (ushort)(@base + 3);
            modem_ctrl = (ushort)(@base + 4);
            line_sts = (ushort)(@base + 5);
            modem_sts = (ushort)(@base + 6);
        }

        /// <summary>The original's register sequence: 38400 baud, 8N1, FIFO on, receive interrupt on.</summary>
        public void Init()
        {
            Port.Outb(int_en, 0x00);
            Port.Outb(line_ctrl, 0x80);
            Port.Outb(data, 0x03);
            Port.Outb(int_en, 0x00);
            Port.Outb(line_ctrl, 0x03);
            Port.Outb(fifo_ctrl, 0xC7);
            Port.Outb(modem_ctrl, 0x0B);
            Port.Outb(int_en, 0x01);
        }

        private LineStsFlags LineSts() => (LineStsFlags)Port.Inb(line_sts);

        /// <summary>Sends one byte; backspace and DEL become "\b \b", as the original sends them.</summary>
        public void Send(byte b)
        {
            if (b == 8 || b == 0x7F)
            {
                WaitEmpty();
                Port.Outb(data, 8);
                WaitEmpty();
                Port.Outb(data, (byte)' ');
                WaitEmpty();
                Port.Outb(data, 8);
            }
            else
            {
                WaitEmpty();
                Port.Outb(data, b);
            }
        }

        private void WaitEmpty()
        {
            while ((LineSts() & LineStsFlags.OUTPUT_EMPTY) == 0)
            {
            }
        }

        public unsafe void WriteBytes(byte* p, int n)
        {
            for (int i = 0; i < n; i++)
            {
                Send(p[i]);
            }
        }
    }
}
