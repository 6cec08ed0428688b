using System.Runtime.CompilerServices;
using Kernel.acpi;
using Kernel.arch.x86_64.device.hpet;
using Kernel.arch.x86_64.device.local_apic;
using Kernel.arch.x86_64.device.pic;
using Kernel.arch.x86_64.device.pit;
using Kernel.arch.x86_64.device.rtc;
using Kernel.arch.x86_64.device.serial;
using Kernel.arch.x86_64.paging;

namespace Kernel.arch.x86_64.device
{
    /// <summary>device/mod.rs: the interrupt controllers and timers, in the original's order.</summary>
    public static class Device
    {
        /// <summary>The PICs, then the BSP's local APIC (which maps its MMIO page). An observation point (csharp-kernel/observe.toml).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Init(ref ActivePageTable active_table)
        {
            PicModule.Init();
            LocalApicModule.Init(ref active_table);
        }

        /// <summary>The HPET found by ACPI, if there is one and it can be the tick.</summary>
        private static bool InitHpet()
        {
            if (Acpi.ACPI_TABLE.hpet_is_some)
            {
                return Hpet.Init(ref Acpi.ACPI_TABLE.hpet);
            }
            else
            {
                return false;
            }
        }

        /// <summary>The tick (HPET, else the PIT, which prints "Using PIT"), the RTC's boot time, the serial ports. An observation point.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void InitNoncore()
        {
            if (!InitHpet())
            {
                Pit.Init();
            }

            RtcModule.Init();
            Serial.Init();
        }

        public static void InitAp()
        {
            LocalApicModule.InitAp();
        }
    }
}
