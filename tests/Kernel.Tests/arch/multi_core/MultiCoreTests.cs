using System;
using System.Runtime.InteropServices;
using Kernel.acpi;
using Kernel.acpi.madt;
using Kernel.arch.x86_64.device.local_apic;
using Kernel.arch.x86_64.start;
using Kernel.Hal;

namespace Kernel.Tests.arch.multi_core;

/// <summary>
/// The pure parts of the `multi_core` AP start-up (acpi/madt.cs, start.cs): the ICR values of the
/// INIT and START IPIs, the trampoline's fields and the KernelArgsAp an AP reads from them. The
/// start-up itself is booted in tests/Boot.Tests/MultiCoreTests.cs.
/// </summary>
[Collection(Kernel.Tests.memory.KernelGlobals.Name)]
public unsafe class MultiCoreTests
{
    [Fact]
    public void The_default_build_has_multi_core_off()
    {
        Assert.False(Madt.MULTI_CORE);
    }

    [Fact]
    public void The_trampoline_and_the_ap_entry_sit_where_the_loader_has_them()
    {
        // harness/Loader/asm/layout.inc: TRAMP_READY 0x7E00 .. TRAMP_CODE 0x7E28, AP_ENTRY_ADDR 0x8000
        Assert.Equal(0x7E00ul, Acpi.TRAMPOLINE);
        Assert.Equal(0x8000ul, Acpi.AP_STARTUP);
        Assert.Equal(0x7E00ul, Acpi.TRAMPOLINE + 8ul * Madt.TRAMPOLINE_READY);
        Assert.Equal(0x7E08ul, Acpi.TRAMPOLINE + 8ul * Madt.TRAMPOLINE_CPU_ID);
        Assert.Equal(0x7E10ul, Acpi.TRAMPOLINE + 8ul * Madt.TRAMPOLINE_PAGE_TABLE);
        Assert.Equal(0x7E18ul, Acpi.TRAMPOLINE + 8ul * Madt.TRAMPOLINE_STACK_START);
        Assert.Equal(0x7E20ul, Acpi.TRAMPOLINE + 8ul * Madt.TRAMPOLINE_STACK_END);
        Assert.Equal(0x7E28ul, Acpi.TRAMPOLINE + 8ul * Madt.TRAMPOLINE_CODE);
    }

    [Fact]
    public void Init_ipi_is_0x4500_with_the_destination_in_bits_56_for_xapic_and_32_for_x2apic()
    {
        Assert.Equal(0x0100_0000_0000_4500ul, Madt.InitIpiIcr(false, 1));
        Assert.Equal(0xFF00_0000_0000_4500ul, Madt.InitIpiIcr(false, 0xFF));
        Assert.Equal(0x0000_0001_0000_4500ul, Madt.InitIpiIcr(true, 1));
        Assert.Equal(0x0000_00FF_0000_4500ul, Madt.InitIpiIcr(true, 0xFF));
    }

    [Fact]
    public void Start_ipi_is_0x4600_with_vector_8_for_0x8000_and_the_same_destination()
    {
        Assert.Equal(0x0300_0000_0000_4608ul, Madt.StartIpiIcr(false, 3));
        Assert.Equal(0x0000_0003_0000_4608ul, Madt.StartIpiIcr(true, 3));
    }

    [Fact]
    public void An_xapic_icr_write_puts_the_destination_at_0x310_then_the_command_at_0x300()
    {
        byte[] mmio = GC.AllocateArray<byte>(4096, pinned: true);
        fixed (byte* p = mmio)
        {
            var apic = new LocalApic { address = (ulong)p, x2 = false };
            apic.SetIcr(Madt.StartIpiIcr(false, 2));
            Assert.Equal(0x0200_0000u, *(uint*)(p + 0x310));
            Assert.Equal(0x4608u, *(uint*)(p + 0x300));
            Assert.Equal(0x0200_0000_0000_4608ul, apic.Icr());
        }
    }

    [Fact]
    public void An_x2apic_icr_write_is_one_wrmsr_of_0x830()
    {
        Registers.Reset();
        var apic = new LocalApic { address = 0, x2 = true };
        apic.SetIcr(Madt.InitIpiIcr(true, 5));
        Assert.Equal(new[] { "wrmsr 0x830 0x500004500" }, Registers.Log.ToArray());
    }

    [Fact]
    public void The_trampoline_fields_are_what_kstart_ap_reads_as_KernelArgsAp()
    {
        ulong* trampoline = stackalloc ulong[8];
        for (int i = 0; i < 8; i++)
            trampoline[i] = 0xDEAD_BEEF;

        Madt.WriteTrampoline(trampoline, 3, 0x52_3000, 0xFFFF_FF00_0060_0000, 0xFFFF_FF00_0064_0000, ApEntry.HostAddress);

        Assert.Equal(0ul, trampoline[Madt.TRAMPOLINE_READY]);
        Assert.Equal(ApEntry.HostAddress, trampoline[Madt.TRAMPOLINE_CODE]);
        Assert.Equal(0xDEAD_BEEFul, trampoline[6]); // nothing past the six fields

        // The loader hands the AP rdi = &cpu_id
        KernelArgsAp* args = (KernelArgsAp*)(trampoline + Madt.TRAMPOLINE_CPU_ID);
        Assert.Equal(3ul, args->cpu_id);
        Assert.Equal(0x52_3000ul, args->page_table);
        Assert.Equal(0xFFFF_FF00_0060_0000ul, args->stack_start);
        Assert.Equal(0xFFFF_FF00_0064_0000ul, args->stack_end);
    }

    [Fact]
    public void KernelArgsAp_is_four_packed_u64()
    {
        Assert.Equal(32, sizeof(KernelArgsAp));
        Assert.Equal(0, (int)Marshal.OffsetOf<KernelArgsAp>(nameof(KernelArgsAp.cpu_id)));
        Assert.Equal(8, (int)Marshal.OffsetOf<KernelArgsAp>(nameof(KernelArgsAp.page_table)));
        Assert.Equal(16, (int)Marshal.OffsetOf<KernelArgsAp>(nameof(KernelArgsAp.stack_start)));
        Assert.Equal(24, (int)Marshal.OffsetOf<KernelArgsAp>(nameof(KernelArgsAp.stack_end)));
    }

    [Fact]
    public void Kmain_ap_records_the_cpu_id_and_without_multi_core_says_disabled_and_halts()
    {
        Machine.Reset();
        Registers.ResetTls();
        var e = Assert.Throws<KernelHalted>(() => Lib.KmainAp(2));
        Assert.Equal("AP 2: Disabled\n", e.Serial);
        Assert.Equal(2ul, *(ulong*)Registers.ThreadLocal(Registers.TLS_CPU_ID));
    }
}
