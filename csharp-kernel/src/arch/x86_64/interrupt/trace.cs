using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.Hal;

namespace Kernel.arch.x86_64.interrupt
{
    /// <summary>interrupt/trace.rs: the stack trace a panic prints.</summary>
    public static class Trace
    {
        /// <summary>
        /// Prints "TRACE: {rbp:>016X}". The frame walk (which checks each frame through
        /// ActivePageTable::translate and names functions from the kernel's ELF symbols) comes
        /// with the paging port; until then the trace stops after its first line.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public static void StackTrace()
        {
            ulong rbp = Cpu.ReadRbp();
            using (var w = Writer.New())
            {
                w.Str("TRACE: ");
                w.UpperHexPadded(rbp, 16);
                w.Str("\n");
            }
        }
    }
}
