using System.Runtime.CompilerServices;
using AcpiHpet = Kernel.acpi.hpet.Hpet;

namespace Kernel.arch.x86_64.device.hpet
{
    /// <summary>hpet.rs: the HPET as the kernel's tick, through the legacy replacement route.</summary>
    public static class Hpet
    {
        private const ulong LEG_RT_CNF = 2;
        private const ulong ENABLE_CNF = 1;

        private const ulong TN_VAL_SET_CNF = 0x40;
        private const ulong TN_TYPE_CNF = 0x08;
        private const ulong TN_INT_ENB_CNF = 0x04;

        private const ulong CAPABILITY_OFFSET = 0x00;
        private const ulong GENERAL_CONFIG_OFFSET = 0x10;
        private const ulong LEG_RT_CAP = 0x8000;
        private const ulong T0_CONFIG_CAPABILITY_OFFSET = 0x100;
        private const ulong T0_COMPARATOR_OFFSET = 0x108;

        private const ulong PER_INT_CAP = 0x10;

        /// <summary>
        /// False (the PIT is used instead) when the HPET cannot route legacy interrupts or timer 0
        /// cannot be periodic. Otherwise timer 0 becomes periodic with a period of 2 250 286 ns
        /// (the comparator is written twice: accumulator, then interval) and the HPET is enabled in
        /// legacy replacement mode.
        /// </summary>
        public static bool Init(ref AcpiHpet hpet)
        {
            ulong capability = ReadU64(ref hpet, CAPABILITY_OFFSET);
            if ((capability & LEG_RT_CAP) == 0)
            {
                return false;
            }

            ulong counter_clk_period_fs = capability >> 32;
            ulong desired_fs_period = 2_250_286UL * 1_000_000;

            if (counter_clk_period_fs == 0)
            {
                Panic.Fail("attempt to divide by zero", "src/arch/x86_64/device/hpet.rs", 30);
            }
            ulong clk_periods_per_kernel_tick = desired_fs_period / counter_clk_period_fs;

            ulong t0_capabilities = ReadU64(ref hpet, T0_CONFIG_CAPABILITY_OFFSET);
            if ((t0_capabilities & PER_INT_CAP) == 0)
            {
                return false;
            }

            ulong t0_config_word = TN_VAL_SET_CNF | TN_TYPE_CNF | TN_INT_ENB_CNF;
            WriteU64(ref hpet, T0_CONFIG_CAPABILITY_OFFSET, t0_config_word);
            // the accumulator
            WriteU64(ref hpet, T0_COMPARATOR_OFFSET, clk_periods_per_kernel_tick);
            // the interval
            WriteU64(ref hpet, T0_COMPARATOR_OFFSET, clk_periods_per_kernel_tick);

            // interrupts from the HPET, in legacy replacement mode
            ulong enable_word = ReadU64(ref hpet, GENERAL_CONFIG_OFFSET) | LEG_RT_CNF | ENABLE_CNF;
            WriteU64(ref hpet, GENERAL_CONFIG_OFFSET, enable_word);

            return true;
        }

        /// <summary>
        /// `hpet.base_address.read_u64(offset)`: a volatile load of the whole u64 register. A real
        /// call, so that the compiler can neither narrow the load (a one-byte read of a flag, which
        /// QEMU's HPET does not serve: it reads 0) nor merge or drop it. TODO(port): when
        /// acpi/hpet.cs's GenericAddressStructure.ReadU64/WriteU64 are volatile, call them again.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static unsafe ulong ReadU64(ref AcpiHpet hpet, ulong offset)
        {
            return *(ulong*)(hpet.base_address.address + offset);
        }

        /// <summary>`hpet.base_address.write_u64(offset, value)`: a volatile store of the whole u64 register.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static unsafe void WriteU64(ref AcpiHpet hpet, ulong offset, ulong value)
        {
            *(ulong*)(hpet.base_address.address + offset) = value;
        }
    }
}
