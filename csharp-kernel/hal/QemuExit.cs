namespace Kernel.Hal
{
    /// <summary>
    /// Port-only: QEMU's isa-debug-exit device (I/O port 0xF4). Writing v ends QEMU with exit status
    /// (v &lt;&lt; 1) | 1. The original has no such exit, and the port's own code writes none now that
    /// kmain runs as the original's (observe.toml's clean_exit is 0, written by a program of
    /// tests/userspace); Exit is kept for the kernel's tests and for a boot that must end here.
    /// </summary>
    public static class QemuExit
    {
        public const ushort Port = 0xF4;

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
