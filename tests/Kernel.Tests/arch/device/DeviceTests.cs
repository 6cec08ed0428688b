using System.Linq;
using Kernel.arch.x86_64.device.hpet;
using Kernel.arch.x86_64.device.local_apic;
using Kernel.arch.x86_64.device.pic;
using Kernel.arch.x86_64.device.pit;
using Kernel.arch.x86_64.device.rtc;
using Kernel.consts;
using Kernel.Hal;
using AcpiHpet = Kernel.acpi.hpet.Hpet;

namespace Kernel.Tests.arch.device;

[Collection(Kernel.Tests.memory.KernelGlobals.Name)]
public unsafe class DeviceTests
{
    private static (ushort, uint)[] Writes(params ushort[] ports) =>
        Machine.PortWrites.Where(w => ports.Contains(w.Port)).Select(w => (w.Port, w.Value)).ToArray();

    [Fact]
    public void Pic_init_remaps_to_0x20_and_0x28_unmasks_and_acks()
    {
        Machine.Reset();
        PicModule.Init();
        Assert.Equal(new (ushort, uint)[]
        {
            (0x20, 0x11), (0xA0, 0x11),
            (0x21, 0x20), (0xA1, 0x28),
            (0x21, 4), (0xA1, 2),
            (0x21, 1), (0xA1, 1),
            (0x21, 0), (0xA1, 0),
            (0x20, 0x20), (0xA0, 0x20),
        }, Machine.PortWrites.Select(w => (w.Port, w.Value)).ToArray());
    }

    [Fact]
    public void Pic_masks_read_modify_write_the_data_port()
    {
        Machine.Reset(); // the host's ports read 0xFF
        PicModule.SLAVE.MaskClear(3);
        PicModule.MASTER.MaskSet(0);
        Assert.Equal(new (ushort, uint)[] { (0xA1, 0xF7), (0x21, 0xFF) }, Machine.PortWrites.Select(w => (w.Port, w.Value)).ToArray());
    }

    [Fact]
    public void Pic_mask_of_irq_8_fails_the_assertion()
    {
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => PicModule.MASTER.MaskSet(8));
        Assert.StartsWith("PANIC: assertion failed: irq < 8\nFILE: src/arch/x86_64/device/pic.rs\nLINE: 50\n", e.Serial);
    }

    [Fact]
    public void Pit_init_programs_channel_0_mode_5_divisor_2685_and_says_so()
    {
        Machine.Reset();
        Pit.Init();
        Assert.Equal(new (ushort, uint)[] { (0x43, 0x35), (0x40, 0x7D), (0x40, 0x0A) }, Writes(0x40, 0x41, 0x42, 0x43));
        Assert.Equal("Using PIT\n", Machine.Serial);
    }

    [Fact]
    public void Rtc_bcd_24h_time_is_unix_time()
    {
        // 2026-11-24 06:13:24, BCD, 24-hour mode (register B = 0x02, QEMU's)
        ulong t = Rtc.Seconds(0x24, 0x13, 0x06, 0x24, 0x11, 0x26, 20, 0x02);
        Assert.Equal((ulong)new System.DateTimeOffset(2026, 11, 24, 6, 13, 24, System.TimeSpan.Zero).ToUnixTimeSeconds(), t);
        // a leap day, binary mode
        ulong leap = Rtc.Seconds(0, 0, 12, 29, 2, 24, 20, 0x06);
        Assert.Equal((ulong)new System.DateTimeOffset(2024, 2, 29, 12, 0, 0, System.TimeSpan.Zero).ToUnixTimeSeconds(), leap);
        Assert.Equal(59ul, RtcModule.CvtBcd(0x59));
    }

    /// <summary>QUIRK (kept): in 12-hour mode every hour gets 12 added, AM hours included (1 AM reads as 13:00).</summary>
    [Fact]
    public void Quirk_rtc_12_hour_mode_adds_12_to_am_hours_too()
    {
        ulong pm = Rtc.Seconds(0, 0, 0x81, 0x01, 0x01, 0x70, 19, 0x00); // 1 PM, 1970-01-01
        ulong am = Rtc.Seconds(0, 0, 0x01, 0x01, 0x01, 0x70, 19, 0x00); // 1 AM
        Assert.Equal(13ul * 3600, pm);
        Assert.Equal(13ul * 3600, am);
    }

    [Fact]
    public void Local_apic_address_is_the_msr_base_at_kernel_offset()
    {
        // QEMU: IA32_APIC_BASE = 0xFEE00900 (BSP, enabled): "XAPIC 0: FFFFFF00FEE00000" in the reference log
        Assert.Equal(0xFFFFFF00FEE00000ul, LocalApicModule.Address(0xFEE00900));
        Assert.Equal(Consts.KERNEL_OFFSET + 0xFEE00000, LocalApicModule.Address(0x1_FEE0_0900)); // bits 32.. dropped, as the original masks
    }

    [Fact]
    public void Local_apic_x2_mode_follows_cpuid_leaf_1_ecx_bit_21()
    {
        Cpuid.Reset();
        Assert.False(LocalApicModule.HasX2Apic());
        Cpuid.Set(1, 0, 0x663, 0x800, 0x80002001 | (1u << 21), 0x078BFBFF);
        Assert.True(LocalApicModule.HasX2Apic());
        Cpuid.Reset();
    }

    [Fact]
    public void Local_apic_x2_mode_init_ap_enables_x2apic_and_the_spurious_vector()
    {
        Registers.Reset();
        Registers.Set("msr1B", 0xFEE00900);
        var apic = new LocalApic { address = 0, x2 = true };
        typeof(LocalApic).GetMethod("InitAp", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .Invoke(apic, null);
        Assert.Equal(new[] { "wrmsr 0x1B 0xFEE00D00", "wrmsr 0x80F 0x100" }, Registers.Log);
    }

    private static ulong* HpetRegs(out AcpiHpet hpet, ulong capability, ulong t0)
    {
        ulong* regs = (ulong*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(0x200);
        regs[0] = capability;
        regs[0x100 / 8] = t0;
        regs[0x10 / 8] = 0x100; // something already in the general configuration
        hpet = default;
        hpet.base_address.address = (ulong)regs;
        return regs;
    }

    [Fact]
    public void Hpet_init_makes_timer_0_periodic_in_legacy_mode()
    {
        // QEMU's HPET: 10 ns = 10 000 000 fs per tick, legacy route capable, timer 0 periodic capable
        ulong* regs = HpetRegs(out AcpiHpet hpet, (10_000_000ul << 32) | 0x8000 | 0xA201, 0x30);
        try
        {
            Assert.True(Hpet.Init(ref hpet));
            Assert.Equal(0x4Cul, regs[0x100 / 8]);
            Assert.Equal(2_250_286_000_000ul / 10_000_000, regs[0x108 / 8]);
            Assert.Equal(0x103ul, regs[0x10 / 8]);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(regs);
        }
    }

    [Fact]
    public void Hpet_without_legacy_route_or_periodic_timer_0_is_not_used()
    {
        ulong* regs = HpetRegs(out AcpiHpet hpet, 10_000_000ul << 32, 0x30);
        try
        {
            Assert.False(Hpet.Init(ref hpet));
            regs[0] |= 0x8000;
            regs[0x100 / 8] = 0x20; // no PER_INT_CAP
            Assert.False(Hpet.Init(ref hpet));
            Assert.Equal(0x20ul, regs[0x100 / 8]);
            Assert.Equal(0x100ul, regs[0x10 / 8]);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(regs);
        }
    }
}
