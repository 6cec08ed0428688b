using Kernel.devices.uart_16550;
using spin;

namespace Kernel.arch.x86_64.device.serial
{
    public static class Serial
    {
        public static Mutex<SerialPort> COM1 = new Mutex<SerialPort>(new SerialPort(0x3F8));
        public static Mutex<SerialPort> COM2 = new Mutex<SerialPort>(new SerialPort(0x2F8));

        public static void Init()
        {
            using (var com1 = COM1.Lock()) { com1.Value.Init(); }
            using (var com2 = COM2.Lock()) { com2.Value.Init(); }
        }
    }
}
