#nullable enable
using System.Collections.Generic;

namespace Kernel.Hal
{
    /// <summary>
    /// The host's CPUID: leaves a test sets with <see cref="Set"/> (per thread); any other leaf reads
    /// as zeros. <see cref="Reset"/> gives a plain CPU like QEMU's default model: max leaf 0xD, no x2APIC.
    /// </summary>
    public static unsafe class Cpuid
    {
        [System.ThreadStatic] private static Dictionary<(uint, uint), (uint A, uint B, uint C, uint D)>? leaves;

        private static Dictionary<(uint, uint), (uint A, uint B, uint C, uint D)> L => leaves ??= Defaults();

        public static void Reset() { leaves = Defaults(); }

        public static void Set(uint leaf, uint subleaf, uint eax, uint ebx, uint ecx, uint edx) => L[(leaf, subleaf)] = (eax, ebx, ecx, edx);

        public static void Query(uint leaf, uint subleaf, uint* result)
        {
            if (!L.TryGetValue((leaf, subleaf), out var r))
            {
                r = default;
            }
            result[0] = r.A;
            result[1] = r.B;
            result[2] = r.C;
            result[3] = r.D;
        }

        private static Dictionary<(uint, uint), (uint A, uint B, uint C, uint D)> Defaults() => new()
        {
            // "AuthenticAMD" in EBX, EDX, ECX
            [(0, 0)] = (0xD, 0x68747541, 0x444D4163, 0x69746E65),
            // fpu..sse2 and apic (EDX), sse3 (ECX): no x2APIC (ECX bit 21)
            [(1, 0)] = (0x663, 0x800, 0x80002001, 0x078BFBFF),
        };
    }
}
