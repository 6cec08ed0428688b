namespace Kernel.Hal
{
    /// <summary>
    /// Port-only: QEMU's isa-debug-exit device (I/O port 0xF4). Writing v ends QEMU with exit status
    /// (v &lt;&lt; 1) | 1. The original has no such exit; the port uses it to end a boot where the
    /// port currently ends, so that the harness reads a clean status instead of a timeout.
    /// </summary>
    public static class QemuExit
    {
        public const ushort Port = 0xF4;

        /// <summary>The port reached the end of what it implements: QEMU exits with status 33.</summary>
        public const byte ReachedEnd = 0x10;

        public static void Exit(byte code)
        {
            Hal.Port.Outb(Port, code);
            while (true)
            {
                Cpu.DisableInterrupts();
                Cpu.Halt();
            }
        }
    }
}
