using Kernel.arch.x86_64.device.serial;
using Kernel.arch.x86_64.graphical_debug;
using Kernel.devices.uart_16550;
using spin;

namespace Kernel.arch.x86_64.debug
{
    /// <summary>
    /// What print!/println! write through: holds COM1's lock and the graphical debug display's
    /// (taken in that order) for the whole statement, and sends every piece to the display, when
    /// there is one, then to COM1.
    /// Use as `using (var w = Writer.New()) { w.Str(...); ... }`.
    /// </summary>
    public readonly ref struct Writer
    {
        private readonly MutexGuard<SerialPort> serial;
        private readonly MutexGuard<DebugDisplaySlot> display;

        private Writer(MutexGuard<SerialPort> serial, MutexGuard<DebugDisplaySlot> display)
        {
            this.serial = serial;
            this.display = display;
        }

        public static Writer New()
        {
            MutexGuard<SerialPort> serial = Serial.COM1.Lock();
            MutexGuard<DebugDisplaySlot> display = GraphicalDebug.DEBUG_DISPLAY.Lock();
            return new Writer(serial, display);
        }

        public unsafe void WriteStr(string s)
        {
            if (display.Value.is_some)
            {
                display.Value.value.WriteStr(s);
            }

            byte* buf = stackalloc byte[64];
            int n = 0;
            for (int i = 0; i < s.Length; i++)
            {
                buf[n++] = (byte)s[i];
                if (n == 64)
                {
                    serial.Value.WriteBytes(buf, n);
                    n = 0;
                }
            }
            serial.Value.WriteBytes(buf, n);
        }

        public unsafe void WriteBytes(byte* p, int n)
        {
            if (display.Value.is_some)
            {
                display.Value.value.WriteBytes(p, n);
            }

            serial.Value.WriteBytes(p, n);
        }

        public void Dispose()
        {
            serial.Dispose();
            display.Dispose();
        }
    }
}
