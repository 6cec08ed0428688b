using System.Runtime;
using System.Runtime.CompilerServices;

namespace Kernel.Hal
{
    /// <summary>The CPUID instruction (asm/cpuid.asm) — what the raw-cpuid crate gives the original. The host build has its own.</summary>
    public static unsafe class Cpuid
    {
        /// <summary>
        /// Runs CPUID with EAX = <paramref name="leaf"/>, ECX = <paramref name="subleaf"/> and stores
        /// EAX, EBX, ECX, EDX in that order into the four u32s at <paramref name="result"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hal_cpuid")]
        public static extern void Query(uint leaf, uint subleaf, uint* result);
    }
}
