using System.Runtime.CompilerServices;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.Hal;

namespace Kernel.arch.x86_64.stop
{
    /// <summary>
    /// arch/x86_64/stop.rs: the two ways the kernel ends the machine. `kreset` when context 1 (kmain's)
    /// exits with status SIGTERM (syscall/process.rs exit), `kstop` when it exits otherwise and when the
    /// AML parser meets a fatal error (acpi/mod.rs). Both are built with the `acpi` feature on (the
    /// original's default), so `kstop` tries ACPI's S5 first.
    /// </summary>
    public static class Stop
    {
        /// <summary>
        /// `kreset`: "kreset", then the 8042 reset: waits while the controller's status (port 0x64)
        /// has bit 1 (input buffer full) set, then writes the pulse-reset command 0xFE to port 0x64.
        /// The original has no fallback (its "triple fault" is a TODO): if the machine is still
        /// running after the write, it reaches `unreachable!()`, which panics.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void KReset()
        {
            using (var w = Writer.New()) { w.Str("kreset\n"); }

            using (var w = Writer.New()) { w.Str("Reset with 8042\n"); }
            while ((Port.Inb(0x64) & 2) == 2)
            {
            }
            Port.Outb(0x64, 0xFE);

            Panic.Fail("internal error: entered unreachable code", "src/arch/x86_64/stop.rs", 19);
        }

        /// <summary>
        /// `kstop`: "kstop", ACPI's `set_global_s_state(5)` (SLP_TYPa | SLP_EN to PM1a's control port,
        /// when the FADT and `\_S5` are there; PM1b is never written), then the magic "Shutdown" of
        /// Bochs and old QEMUs, a byte at a time to port 0x8900 with a line for each, then "cli; hlt"
        /// (VMware's), and `unreachable!()` should the CPU ever leave that halt.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void KStop()
        {
            using (var w = Writer.New()) { w.Str("kstop\n"); }

            Kernel.acpi.Acpi.SetGlobalSState(5);

            const string magic = "Shutdown";
            for (int i = 0; i < magic.Length; i++)
            {
                byte c = (byte)magic[i];
                const ushort port = 0x8900;
                using (var w = Writer.New())
                {
                    w.Str("Shutdown with outb(0x");
                    w.UpperHex(port);
                    w.Str(", '");
                    w.Char(c);
                    w.Str("')\n");
                }
                Port.Outb(port, c);
            }

            using (var w = Writer.New()) { w.Str("Shutdown with cli hlt\n"); }
            Cpu.DisableInterrupts();
            Cpu.Halt();

            Panic.Fail("internal error: entered unreachable code", "src/arch/x86_64/stop.rs", 40);
        }
    }
}
