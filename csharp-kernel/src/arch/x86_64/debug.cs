using Kernel.arch.x86_64.device.serial;
using Kernel.devices.uart_16550;
using spin;

namespace Kernel.arch.x86_64.debug
{
    /// <summary>
    /// What print!/println! write through: holds COM1's lock for the whole statement (and, once
    /// graphical debug is ported, the display's) and sends every piece to both.
    /// Use as `using (var w = Writer.New()) { w.Str(...); ... }`.
    /// </summary>
    public readonly ref struct Writer
    {
        private readonly MutexGuard<SerialPort> serial;

        private Writer(MutexGuard<SerialPort> serial)
        {
            this.serial = serial;
        }

        public static Writer New() => new Writer(Serial.COM1.Lock());

        public unsafe void WriteStr(string s)
        {
            byte* buf = stackalloc byte[64];
            int n = 0;
            for (int i = 0; i < s.Length; i++)
            {
                buf[n++] = (byte)s[i];
                if (n == 64)
                {
                    WriteBytes(buf, n);
                    n = 0;
                }
            }
            WriteBytes(buf, n);
        }

        public unsafe void WriteBytes(byte* p, int n)
        {
            serial.Value.WriteBytes(p, n);
        }

        public void Dispose()
        {
            serial.Dispose();
        }
    }
}
