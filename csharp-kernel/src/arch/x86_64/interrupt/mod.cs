using Kernel.Hal;

namespace Kernel.arch.x86_64.interrupt
{
    /// <summary>interrupt/mod.rs: interrupt instructions.</summary>
    public static class Interrupt
    {
        /// <summary>Clear interrupts.</summary>
        public static void Disable() => Cpu.DisableInterrupts();

        /// <summary>Set interrupts.</summary>
        public static void Enable() => Cpu.EnableInterrupts();

        /// <summary>Halt instruction.</summary>
        public static void Halt() => Cpu.Halt();

        /// <summary>Pause instruction.</summary>
        public static void Pause() => Cpu.Pause();
    }
}
