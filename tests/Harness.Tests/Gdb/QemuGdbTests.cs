using Harness.Gdb;

namespace Harness.Tests.Gdb;

/// <summary>
/// The client against a real QEMU (q35, 64 MiB) stopped at the reset vector: registers by
/// name, memory, physical mode, the monitor, breakpoints, execution control, and QEMU
/// going away. Fails (does not skip) when QEMU is not installed.
/// </summary>
public class QemuGdbTests
{
    private static readonly string[] NamedRegisters =
    [
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r15", "rip", "eflags",
        "cs", "ss", "ds", "es", "fs", "gs", "fs_base", "gs_base", "k_gs_base",
        "cr0", "cr2", "cr3", "cr4", "cr8", "efer",
    ];

    [Fact]
    public void A_missing_qemu_is_reported_with_its_debian_package()
    {
        Assert.Null(QemuUnderTest.Locate(""));
        Assert.Contains("qemu-system-x86", QemuUnderTest.MissingMessage);
        Assert.NotNull(QemuUnderTest.Locate(Environment.GetEnvironmentVariable("PATH")));
    }

    [Fact]
    public async Task At_reset_rip_is_fff0_and_every_named_register_reads()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        Assert.Equal("i386:x86-64", gdb.Description.Architecture);
        Assert.Equal(0x1000, gdb.PacketSize);
        Assert.Equal(0xfff0UL, await gdb.ReadRegisterAsync("rip"));
        Assert.Equal(0xf000UL, await gdb.ReadRegisterAsync("cs"));
        Assert.Equal(0x2UL, await gdb.ReadRegisterAsync("eflags"));
        Assert.Equal(0x60000010UL, await gdb.ReadRegisterAsync("cr0"));

        var all = await gdb.ReadRegistersAsync();
        foreach (var name in NamedRegisters)
        {
            Assert.True(all.Contains(name), $"g reply lacks {name}");
            Assert.Equal(all[name], await gdb.ReadRegisterAsync(name));
        }
        Assert.Equal(16, (await gdb.ReadRegisterBytesAsync("xmm0")).Length);
    }

    [Fact]
    public async Task The_monitor_shows_the_reset_state_and_it_parses()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        var dump = await gdb.ReadMonitorRegistersAsync();
        Assert.False(dump.Is64BitFormat);
        Assert.Equal(0xffff0000UL, dump.Cs.Base.Value);
        Assert.Equal(0xf000UL, dump.Cs.Selector.Value);
        Assert.Equal(0xfff0UL, dump.InstructionPointer.Value);
        Assert.Equal("0x60000010", dump.Cr0.ToString());
        Assert.Equal((0UL, 0xffffUL), (dump.Gdt.Base.Value, dump.Gdt.Limit.Value));
        Assert.Equal(0x8b00UL, dump.Tr.Attributes.Value);
        Assert.Equal(0UL, dump.Efer.Value);

        var mtree = await gdb.MonitorAsync("info mtree");
        Assert.Contains("address-space: memory", mtree);
        Assert.DoesNotContain("\r", mtree);
    }

    [Fact]
    public async Task The_bios_rom_holds_a_far_jump_at_the_reset_vector_and_large_reads_are_batched()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        var vector = await gdb.ReadMemoryAsync(0xffff0, 16);
        Assert.Equal(0xEA, vector[0]);

        var before = gdb.Counters;
        var rom = await gdb.ReadMemoryAsync(0xf0000, 0x10000);
        var after = gdb.Counters;
        Assert.Equal(vector, rom[^16..]);
        var packets = (0x10000 + gdb.MaxReadChunk - 1) / gdb.MaxReadChunk;
        Assert.Equal(before.PacketsSent + packets, after.PacketsSent);
        Assert.True(after.BytesRead - before.BytesRead > 2 * 0x10000, "hex replies carry two digits a byte");

        // The top of the 4 GiB space aliases the same ROM.
        Assert.Equal(vector, await gdb.ReadMemoryAsync(0xfffffff0, 16));
        // Unmapped virtual memory is an error reply, and the client stays usable.
        await Assert.ThrowsAsync<GdbErrorReplyException>(() => gdb.ReadMemoryAsync(0xfffffffffffffff0, 16));
        Assert.Equal(0xfff0UL, await gdb.ReadRegisterAsync("rip"));

        // Registers and memory in one round trip (QEMU answers the two packets of one write in order).
        var (set, memory) = await gdb.ReadRegistersAndMemoryAsync(0xffff0, 16);
        Assert.Equal(0xfff0UL, set["rip"]);
        Assert.Equal((await gdb.ReadRegistersAsync())["eflags"], set["eflags"]);
        Assert.Equal(vector, memory);
        var (stillRead, unmapped) = await gdb.ReadRegistersAndMemoryAsync(0xfffffffffffffff0, 16);
        Assert.Null(unmapped);
        Assert.Equal(0xf000UL, stillRead["cs"]);
        Assert.Equal(gdb.AckMode ? 0 : 2, gdb.PacketPairsSent);
        Assert.Equal(0xfff0UL, await gdb.ReadRegisterAsync("rip"));
    }

    [Fact]
    public async Task Memory_writes_round_trip_including_bytes_that_need_escaping()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        var data = Enumerable.Range(0, 9000).Select(i => (byte)(i * 7 + (i >> 8))).ToArray();
        await gdb.WriteMemoryAsync(0x10000, data);
        Assert.Equal(data, await gdb.ReadMemoryAsync(0x10000, data.Length));

        var hexOnly = QemuUnderTest.Options with { UseBinaryWrites = false };
        await gdb.DisposeAsync();
        await using var gdb2 = await qemu.ConnectAsync(hexOnly);
        var other = data.Reverse().ToArray();
        await gdb2.WriteMemoryAsync(0x20000, other);
        Assert.Equal(other, await gdb2.ReadMemoryAsync(0x20000, other.Length));
    }

    [Fact]
    public async Task Physical_mode_bypasses_the_page_tables()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        // One 4 MiB page: virtual 0x400000 -> physical 0 (PD at 0x1000, entry 1 = PS|RW|P).
        await gdb.WriteMemoryAsync(0x1004, new byte[] { 0x83, 0, 0, 0 });
        await gdb.WriteMemoryAsync(0x0, new byte[] { 0xef, 0xbe, 0xad, 0xde });
        await gdb.WriteRegisterAsync("cr4", 0x10);        // PSE
        await gdb.WriteRegisterAsync("cr3", 0x1000);
        await gdb.WriteRegisterAsync("cr0", 0x80000011);  // PG | ET | PE
        Assert.Equal(0x80000011UL, await gdb.ReadRegisterAsync("cr0"));

        Assert.False(await gdb.GetPhysicalMemoryModeAsync());
        Assert.Equal([0xef, 0xbe, 0xad, 0xde], await gdb.ReadMemoryAsync(0x400000, 4));
        await Assert.ThrowsAsync<GdbErrorReplyException>(() => gdb.ReadMemoryAsync(0x0, 4));

        await gdb.SetPhysicalMemoryModeAsync(true);
        Assert.True(gdb.PhysicalMemoryMode);
        Assert.True(await gdb.GetPhysicalMemoryModeAsync());
        Assert.Equal([0xef, 0xbe, 0xad, 0xde], await gdb.ReadMemoryAsync(0x0, 4));
        Assert.Equal([0, 0, 0, 0], await gdb.ReadMemoryAsync(0x400000, 4));

        await gdb.SetPhysicalMemoryModeAsync(false);
        Assert.False(await gdb.GetPhysicalMemoryModeAsync());
        Assert.Equal([0xef, 0xbe, 0xad, 0xde], await gdb.ReadMemoryAsync(0x400000, 4));
    }

    [Fact]
    public async Task A_hardware_breakpoint_at_the_reset_jump_target_stops_there()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        var jump = await gdb.ReadMemoryAsync(0xffff0, 5); // EA offset16 segment16
        ulong offset = (ulong)(jump[1] | jump[2] << 8);
        ulong segment = (ulong)(jump[3] | jump[4] << 8);
        var target = segment * 16 + offset;

        await gdb.InsertBreakpointAsync(BreakpointKind.Hardware, target);
        var stop = await gdb.ContinueAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((StopKind.Signal, StopReply.SigTrap), (stop.Kind, stop.Signal));
        Assert.Equal(GdbTargetState.Stopped, gdb.State);
        Assert.Equal(offset, await gdb.ReadRegisterAsync("rip"));
        Assert.Equal(segment, await gdb.ReadRegisterAsync("cs"));
        await gdb.RemoveBreakpointAsync(BreakpointKind.Hardware, target);

        // Stepping on from the breakpoint moves rip.
        var step = await gdb.StepAsync();
        Assert.Equal(StopReply.SigTrap, step.Signal);
        var next = await gdb.ReadRegisterAsync("rip");
        Assert.NotEqual(offset, next);
    }

    [Fact]
    public async Task Lazy_acks_and_register_memory_pairs_hold_up_against_qemu_through_steps()
    {
        // QEMU's system emulation never waits for an ack: acks ride with the next packet, and a g and an m go out together.
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync(QemuUnderTest.Options with { LazyAcks = true });
        var vector = await gdb.ReadMemoryAsync(0xffff0, 16);
        for (var i = 0; i < 20; i++)
        {
            var (set, memory) = await gdb.ReadRegistersAndMemoryAsync(0xffff0, 16);
            Assert.Equal(0xfff0UL, set["rip"]);
            Assert.Equal(vector, memory);
        }
        Assert.Equal(20, gdb.PacketPairsSent);
        var stop = await gdb.StepAsync();
        Assert.Equal(StopReply.SigTrap, stop.Signal);
        var (after, _) = await gdb.ReadRegistersAndMemoryAsync(0xffff0, 16);
        Assert.NotEqual(0xfff0UL, after["rip"]);
        Assert.Equal(after["rip"], await gdb.ReadRegisterAsync("rip"));
        Assert.Equal(0, gdb.Counters.Retransmissions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Register_writes_and_breakpoint_changes_go_out_together_and_take_effect(bool lazyAcks)
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync(QemuUnderTest.Options with { LazyAcks = lazyAcks });
        var pairsBefore = gdb.PacketPairsSent;
        // At reset the CPU is in real mode, where QEMU keeps 32 bits of a general register written through its stub
        // (and does not write r8-r15): the observer only writes registers at breakpoints in 64-bit kernel code.
        await gdb.WriteRegistersAsync([("rax", 0x55667788), ("rbx", 0xdead), ("rcx", 0xffff_ffff)]);
        var set = await gdb.ReadRegistersAsync();
        Assert.Equal((0x55667788UL, 0xdeadUL, 0xffff_ffffUL), (set["rax"], set["rbx"], set["rcx"]));
        // With lazy acks the three P packets shared one write (two of them counted as riding with the first).
        Assert.Equal(lazyAcks ? 2 : 0, gdb.PacketPairsSent - pairsBefore);

        // The reset vector's far jump lands at f000:e05b (SeaBIOS): a breakpoint there, inserted in a batch with one at
        // an address never reached that the same batch removes again, stops the continue; a batch that removes it lets the
        // next step run on.
        await gdb.StepAsync();
        var target = 0xf0000 + await gdb.ReadRegisterAsync("rip");
        await gdb.WriteRegistersAsync([("rip", 0xfff0), ("cs", 0xf000)]);
        await gdb.ChangeBreakpointsAsync([(true, BreakpointKind.Software, 0x7c00), (true, BreakpointKind.Software, target),
            (false, BreakpointKind.Software, 0x7c00)]);
        await gdb.ContinueAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(target, 0xf0000 + await gdb.ReadRegisterAsync("rip"));
        await gdb.ChangeBreakpointsAsync([(false, BreakpointKind.Software, target)]);
        var error = await Assert.ThrowsAsync<GdbErrorReplyException>(() => gdb.ChangeBreakpointsAsync([(false, BreakpointKind.Software, target),
            (true, BreakpointKind.Software, 0x7c00), (false, BreakpointKind.Software, 0x7c00)]));
        Assert.Contains(target.ToString("x"), error.Message);
        Assert.Equal(StopReply.SigTrap, (await gdb.StepAsync()).Signal); // still in step: every reply of the batch was read
        Assert.Equal(0, gdb.Counters.Retransmissions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_continue_carries_breakpoint_changes_and_raises_a_refused_one_once_stopped_again(bool lazyAcks)
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync(QemuUnderTest.Options with { LazyAcks = lazyAcks });
        await gdb.StepAsync();
        var target = 0xf0000 + await gdb.ReadRegisterAsync("rip");
        await gdb.WriteRegistersAsync([("rip", 0xfff0), ("cs", 0xf000)]);

        // Accepted changes: the breakpoint inserted with the continue is where the guest stops.
        var sent = gdb.Counters.PacketsSent;
        await gdb.ContinueAsync([(true, BreakpointKind.Software, target)], TimeSpan.FromSeconds(10));
        Assert.Equal(2, gdb.Counters.PacketsSent - sent); // the Z and the c
        Assert.Equal(target, 0xf0000 + await gdb.ReadRegisterAsync("rip"));

        // A refused change (removing a breakpoint that is not there): with lazy acks it rode in the resume's write, so the
        // guest ran (the step executed) and the error comes once it stopped; without, it is raised before anything runs.
        await Assert.ThrowsAsync<GdbErrorReplyException>(() =>
            gdb.StepAsync([(false, BreakpointKind.Software, target), (false, BreakpointKind.Software, 0x7c00)]));
        var rip = 0xf0000 + await gdb.ReadRegisterAsync("rip");
        Assert.Equal(lazyAcks, rip != target);
        Assert.Equal(StopReply.SigTrap, (await gdb.StepAsync()).Signal); // the client is in step either way
    }

    [Fact]
    public async Task Step_from_reset_executes_the_far_jump_and_software_breakpoints_stop()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        var stop = await gdb.StepAsync();
        Assert.Equal(StopReply.SigTrap, stop.Signal);
        var rip = await gdb.ReadRegisterAsync("rip");
        Assert.NotEqual(0xfff0UL, rip);
        await gdb.StepAsync();
        var after = await gdb.ReadRegisterAsync("rip");

        // Back to reset and run into a software breakpoint at the second instruction.
        await gdb.WriteRegisterAsync("rip", 0xfff0);
        await gdb.WriteRegisterAsync("cs", 0xf000);
        await gdb.InsertBreakpointAsync(BreakpointKind.Software, 0xf0000 + after);
        await gdb.ContinueAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(after, await gdb.ReadRegisterAsync("rip"));
        await gdb.RemoveBreakpointAsync(BreakpointKind.Software, 0xf0000 + after);
    }

    [Fact]
    public async Task Continue_that_times_out_leaves_the_target_running_until_interrupted()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        var timeout = await Assert.ThrowsAsync<GdbTimeoutException>(() => gdb.ContinueAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal("continue", timeout.InFlight);
        Assert.Equal(GdbTargetState.Running, gdb.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => gdb.ReadRegisterAsync("rip"));

        var stop = await gdb.InterruptAsync();
        Assert.Equal((StopKind.Signal, StopReply.SigInt), (stop.Kind, stop.Signal));
        Assert.Equal(GdbTargetState.Stopped, gdb.State);
        Assert.NotEqual(0xfff0UL, await gdb.ReadRegisterAsync("rip"));
        Assert.Same(stop, await gdb.InterruptAsync()); // already stopped: nothing sent
    }

    [Fact]
    public async Task Interrupt_while_continue_waits_stops_both_with_the_same_reply()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        var run = gdb.ContinueAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        var interrupted = await gdb.InterruptAsync();
        Assert.Same(interrupted, await run);
        Assert.Equal(StopReply.SigInt, interrupted.Signal);
    }

    [Fact]
    public async Task A_triple_fault_under_no_reboot_ends_the_vm_with_an_exit_reply()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        // int3 in protected mode with an IDT of zeros: #NP, #DF, triple fault, shutdown.
        await gdb.WriteMemoryAsync(0x500, new byte[] { 0xcc });
        await gdb.WriteRegisterAsync("cs", 0);
        await gdb.WriteRegisterAsync("rip", 0x500);
        await gdb.WriteRegisterAsync("cr0", 0x60000011);
        var stop = await gdb.ContinueAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((StopKind.Exited, 0), (stop.Kind, stop.ExitCode!.Value));
        Assert.Equal(GdbTargetState.Exited, gdb.State);
        await qemu.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<GdbConnectionLostException>(() => gdb.ReadRegisterAsync("rip"));
    }

    [Fact]
    public async Task Qemu_killed_while_running_raises_connection_lost_for_the_continue()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        var run = gdb.ContinueAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        await qemu.KillAsync();
        var lost = await Assert.ThrowsAsync<GdbConnectionLostException>(() => run);
        Assert.Equal("continue", lost.InFlight);
        Assert.Equal(GdbTargetState.Disconnected, gdb.State);
    }

    [Fact]
    public async Task Qemu_killed_while_stopped_raises_connection_lost_for_the_next_command()
    {
        await using var qemu = await QemuUnderTest.StartAsync();
        await using var gdb = await qemu.ConnectAsync();
        await qemu.KillAsync();
        var lost = await Assert.ThrowsAsync<GdbConnectionLostException>(() => gdb.ReadMemoryAsync(0xffff0, 16));
        Assert.Contains("0xffff0", lost.InFlight);
    }

    [Fact]
    public async Task A_unix_socket_stub_works_like_tcp()
    {
        await using var qemu = await QemuUnderTest.StartAsync(unixSocket: true);
        await using var gdb = await qemu.ConnectAsync();
        Assert.IsType<GdbEndpoint.UnixEndpoint>(gdb.Endpoint);
        Assert.Equal(0xfff0UL, await gdb.ReadRegisterAsync("rip"));
        Assert.Equal(0xEA, (await gdb.ReadMemoryAsync(0xffff0, 1))[0]);
    }

    [Fact]
    public async Task Kill_ends_qemu_and_detach_leaves_it_running()
    {
        await using (var qemu = await QemuUnderTest.StartAsync())
        {
            var gdb = await qemu.ConnectAsync();
            await gdb.KillAsync();
            await qemu.WaitForExitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(GdbTargetState.Exited, gdb.State);
        }
        await using (var qemu = await QemuUnderTest.StartAsync())
        {
            var gdb = await qemu.ConnectAsync();
            await gdb.DetachAsync();
            Assert.Equal(GdbTargetState.Disconnected, gdb.State);
            await Task.Delay(200);
            Assert.False(qemu.HasExited);
            // A new session can attach again (the stub takes one client at a time).
            await using var again = await qemu.ConnectAsync();
            Assert.Equal(GdbTargetState.Stopped, again.State);
        }
    }
}
