#nullable enable
using System;
using System.Linq;
using Kernel.acpi;
using Kernel.common;
using Kernel.arch.x86_64.stop;
using Kernel.context;
using Kernel.Hal;
using Kernel.syscall;
using Kernel.Tests.acpi;
using Kernel.Tests.context;
using Kernel.Tests.memory;
using Ctx = Kernel.context.context.Context;

namespace Kernel.Tests.arch.x86_64;

/// <summary>
/// arch/x86_64/stop.rs: kreset and kstop, their lines and their port writes in order, alone and as
/// syscall/process.rs's exit reaches them when context 1 (kmain's) exits.
/// </summary>
[Collection(KernelGlobals.Name)]
public unsafe class StopTests
{
    private const string Unreachable19 = "PANIC: internal error: entered unreachable code\nFILE: src/arch/x86_64/stop.rs\nLINE: 19\n";

    private static readonly string MagicShutdown =
        string.Concat("Shutdown".Select(c => $"Shutdown with outb(0x8900, '{c}')\n")) + "Shutdown with cli hlt\n";

    /// <summary>The port writes but COM1's (the printed lines).</summary>
    private static (ushort Port, uint Value)[] Writes() => Machine.PortWrites.Where(w => w.Port != 0x3F8).ToArray();

    [Fact]
    public void Kreset_prints_then_pulses_the_8042_reset_line_and_panics_if_the_machine_runs_on()
    {
        Machine.Reset();
        var e = Assert.Throws<KernelHalted>(() => Stop.KReset());
        Assert.StartsWith("kreset\nReset with 8042\n" + Unreachable19, e.Serial);
        Assert.Equal(new (ushort, uint)[] { (0x64, 0xFE) }, Writes());
        Assert.Equal(new ushort[] { 0x64 }, Machine.PortReads.Where(p => p != 0x3FD).ToArray());
    }

    [Fact]
    public void Kreset_waits_while_the_8042s_input_buffer_is_full()
    {
        Machine.Reset();
        Machine.QueueRead(0x64, 0x1E); // input buffer full (bit 1)...
        Machine.QueueRead(0x64, 0x02); // ...still full
        Machine.QueueRead(0x64, 0xFD); // every bit but the input buffer's: empty
        Assert.Throws<KernelHalted>(() => Stop.KReset());
        Assert.Equal(new ushort[] { 0x64, 0x64, 0x64 }, Machine.PortReads.Where(p => p != 0x3FD).ToArray());
        Assert.Equal(new (ushort, uint)[] { (0x64, 0xFE) }, Writes());
    }

    [Fact]
    public void Kstop_without_a_FADT_skips_ACPI_then_writes_the_old_QEMU_shutdown_port_and_halts()
    {
        Machine.Reset();
        Acpi.ACPI_TABLE = default;
        var e = Assert.Throws<KernelHalted>(() => Stop.KStop());
        Assert.Equal("kstop\n" + MagicShutdown, e.Serial);
        Assert.Equal("Shutdown".Select(c => ((ushort)0x8900, (uint)c)).ToArray(), Writes());
    }

    [Fact]
    public void Kstop_on_q35s_tables_writes_S5_to_PM1a_control_only_then_the_old_QEMU_port()
    {
        var (bios, tables) = QemuTables.Get("-machine q35 -m 2G -smp 1");
        string serial = "";
        (ushort, uint)[] writes = [];
        MemoryMaps.OnBigStack(() =>
        {
            using var mem = new PhysicalMemory();
            mem.Map(QemuTables.BiosBase, QemuTables.BiosSize, bios);
            mem.Map(QemuTables.TablesBase, QemuTables.TablesSize, tables);
            using var host = new AcpiHost();
            host.Init();
            Assert.True(Acpi.ACPI_TABLE.fadt_is_some);
            Machine.Reset();
            serial = Assert.Throws<KernelHalted>(() => Stop.KStop()).Serial;
            writes = Writes();
        });
        // QEMU's q35 DSDT: \_S5 = Package { 0, 0, 0, 0 }; the FADT's PM1a control block is ICH9's 0x604
        // (PM1b's is 0: never written); SLP_EN is bit 13
        Assert.Equal("kstop\nShutdown SLP_TYPa 0, SLP_TYPb 0\nShutdown with ACPI outw(0x604, 0x2000)\n" + MagicShutdown, serial);
        Assert.Equal(new[] { ((ushort)0x604, 0x2000u) }.Concat("Shutdown".Select(c => ((ushort)0x8900, (uint)c))).ToArray(), writes);
    }

    /// <summary>Context 1 (kmain's, ppid 0) exits with <paramref name="status"/>: its serial output.</summary>
    private static string ExitContext1(ulong status)
    {
        using var heap = HostHeap.Install();
        KernelState.Reset();
        try
        {
            using (var contexts = ContextMod.ContextsMut())
            {
                var r = contexts.Value.NewContext();
                ref Ctx c = ref r.ok.Value.data;
                Assert.Equal(1UL, c.id.Into());
                c.status = Kernel.context.context.Status.Runnable;
                c.running = true;
                c.cpu_id.is_some = true;
            }
            ContextMod.SetContextId(ContextId.From(1));
            Acpi.ACPI_TABLE = default;
            Machine.Reset();
            return Assert.Throws<KernelHalted>(() => Process.Exit(status)).Serial;
        }
        finally
        {
            KernelState.Reset();
        }
    }

    [Fact]
    public void Context_1_exiting_with_status_SIGTERM_resets_the_machine()
    {
        // kill(1, SIGTERM): the default action is exit(15)
        var serial = ExitContext1(15);
        Assert.StartsWith("1: 0 not found for exit vfork unblock\nMain kernel thread exited with status F\nkreset\nReset with 8042\n" + Unreachable19, serial);
        Assert.Equal(new (ushort, uint)[] { (0x64, 0xFE) }, Writes());
    }

    [Fact]
    public void Context_1_exiting_otherwise_stops_the_machine()
    {
        // kill(1, SIGKILL): exit(9); exit(3) from the system call would give 3 << 8
        Assert.Equal("1: 0 not found for exit vfork unblock\nMain kernel thread exited with status 9\nkstop\n" + MagicShutdown, ExitContext1(9));
        Assert.Equal("Shutdown".Select(c => ((ushort)0x8900, (uint)c)).ToArray(), Writes());
        Assert.Equal("1: 0 not found for exit vfork unblock\nMain kernel thread exited with status 300\nkstop\n" + MagicShutdown, ExitContext1(3 << 8));
    }
}
