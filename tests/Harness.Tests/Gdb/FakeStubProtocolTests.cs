using System.Diagnostics;
using Harness.Gdb;

namespace Harness.Tests.Gdb;

/// <summary>
/// The client against a scripted stub: acks and naks, corrupt packets, run-length encoded
/// and escaped data, timeouts and dropped connections. (Real target behaviour: <see cref="QemuGdbTests"/>.)
/// </summary>
public class FakeStubProtocolTests
{
    [Fact]
    public async Task Handshake_reads_packet_size_and_the_target_description_with_includes()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync("PacketSize=200;qXfer:features:read+");
        Assert.Equal(0x200, client.PacketSize);
        Assert.True(client.AckMode);
        Assert.Equal("i386:x86-64", client.Description.Architecture);
        Assert.Equal(["rax", "rip", "eflags"], client.Description.Registers.Select(r => r.Name));
        Assert.Equal([0, 1, 2], client.Description.Registers.Select(r => r.RegNum));
        Assert.Equal([0, 8, 16], client.Description.Registers.Select(r => r.Offset));
        Assert.Equal(StopKind.Signal, client.LastStop!.Kind);
    }

    [Fact]
    public async Task No_ack_mode_is_used_when_offered()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync("PacketSize=1000;QStartNoAckMode+;qXfer:features:read+");
        Assert.False(client.AckMode);
        var read = client.ReadRegisterAsync("rip");
        Assert.Equal("p1", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("f0ff000000000000");
        Assert.Equal(0xfff0UL, await read);
    }

    [Fact]
    public async Task Memory_reads_are_split_to_the_packet_size_and_run_length_replies_are_expanded()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync("PacketSize=60;qXfer:features:read+");
        Assert.Equal(32, client.MaxReadChunk); // (0x60 - 32) / 2
        var read = client.ReadMemoryAsync(0x1000, 40);
        Assert.Equal("m1000,20", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("ab*" + (char)(29 + 62)); // "ab" and 62 more 'b': 64 hex digits, 32 bytes
        Assert.Equal("m1020,8", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("0102030405060708");
        var bytes = await read;
        Assert.Equal(40, bytes.Length);
        Assert.Equal(0xab, bytes[0]);
        Assert.All(bytes[1..32], b => Assert.Equal(0xbb, b));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], bytes[32..]);
    }

    [Fact]
    public async Task Several_reads_go_out_in_one_write_a_short_reply_is_completed_and_an_unreadable_one_fails_naming_its_chunk()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync("PacketSize=60;QStartNoAckMode+;qXfer:features:read+");

        // Every chunk of both reads before any reply (40 bytes: two chunks; 4 bytes: one).
        var read = client.ReadMemoryManyAsync([(0x1000UL, 40), (0x2000UL, 4)]);
        foreach (var expected in new[] { "m1000,20", "m1020,8", "m2000,4" })
            Assert.Equal(expected, await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await stub.SendPacketAsync(new string('a', 64));
        await stub.SendPacketAsync("0102030405060708");
        await stub.SendPacketAsync("beef"); // 2 of 4 bytes: the other 2 are asked for again
        Assert.Equal("m2002,2", await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await stub.SendPacketAsync("cafe");
        var bytes = await read;
        Assert.All(bytes[0][..32], b => Assert.Equal(0xaa, b));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], bytes[0][32..]);
        Assert.Equal([0xbe, 0xef, 0xca, 0xfe], bytes[1]);

        // The second of three chunks is unreadable: every reply is read, the error names that chunk, the next command works.
        var failing = client.ReadMemoryManyAsync([(0x3000UL, 8), (0xdead000UL, 8), (0x4000UL, 8)]);
        foreach (var expected in new[] { "m3000,8", "mdead000,8", "m4000,8" })
            Assert.Equal(expected, await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await stub.SendPacketAsync("0000000000000000");
        await stub.SendPacketAsync("E14");
        await stub.SendPacketAsync("0000000000000000");
        var e = await Assert.ThrowsAsync<GdbErrorReplyException>(() => failing);
        Assert.Equal("mdead000,8", e.Command);
        var next = client.ReadMemoryAsync(0x10, 1);
        Assert.Equal("m10,1", await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await stub.SendPacketAsync("7f");
        Assert.Equal([0x7f], await next);
    }

    [Fact]
    public async Task A_corrupt_packet_in_ack_mode_is_naked_and_the_retransmission_accepted()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        var read = client.ReadMemoryAsync(0x10, 2);
        Assert.Equal("m10,2", await stub.ReadPacketAsync());
        await stub.SendRawAsync("$beef#00");
        Assert.Equal('-', await stub.ReadByteAsync());
        await stub.SendPacketAsync("beef");
        Assert.Equal([0xbe, 0xef], await read);
        Assert.Equal(1, client.Counters.ChecksumErrors);
    }

    [Fact]
    public async Task A_corrupt_packet_in_no_ack_mode_is_an_error()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync("PacketSize=1000;QStartNoAckMode+");
        var read = client.ReadMemoryAsync(0x10, 2);
        await stub.ReadPacketAsync();
        await stub.SendRawAsync("$beef#00");
        var error = await Assert.ThrowsAsync<GdbProtocolException>(() => read);
        Assert.Contains("bad checksum", error.Message);
    }

    [Fact]
    public async Task A_packet_the_stub_naks_is_sent_again()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        var read = client.ReadMemoryAsync(0x20, 1);
        Assert.Equal("m20,1", await stub.ReadPacketAsync(ack: false));
        await stub.SendRawAsync("-");
        Assert.Equal("m20,1", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("5a");
        Assert.Equal([0x5a], await read);
        Assert.Equal(1, client.Counters.Retransmissions);
    }

    [Fact]
    public async Task Binary_writes_are_escaped_and_fall_back_to_hex_when_X_is_unsupported()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        byte[] data = [0x23, 0x24, 0x7d, 0x2a, 0x00];
        var write = client.WriteMemoryAsync(0x500, data);
        Assert.Equal("X500,0:", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("OK");
        var packet = await stub.ReadPacketBytesAsync();
        Assert.Equal([.. "X500,5:"u8, 0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x5d, 0x7d, 0x0a, 0x00], packet);
        await stub.SendPacketAsync("OK");
        await write;

        await using var stub2 = new FakeStub();
        await using var client2 = await stub2.ConnectClientAsync();
        var write2 = client2.WriteMemoryAsync(0x500, data);
        Assert.Equal("X500,0:", await stub2.ReadPacketAsync());
        await stub2.SendPacketAsync("");
        Assert.Equal("M500,5:23247d2a00", await stub2.ReadPacketAsync());
        await stub2.SendPacketAsync("OK");
        await write2;
    }

    [Fact]
    public async Task An_error_reply_names_the_command_and_code()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        var read = client.ReadMemoryAsync(0xdead0000, 4);
        await stub.ReadPacketAsync();
        await stub.SendPacketAsync("E14");
        var error = await Assert.ThrowsAsync<GdbErrorReplyException>(() => read);
        Assert.Equal(0x14, error.ErrorCode);
        Assert.Equal("mdead0000,4", error.Command);
        // An error reply is a complete answer: the client stays usable.
        var again = client.ReadMemoryAsync(0x0, 1);
        await stub.ReadPacketAsync();
        await stub.SendPacketAsync("00");
        Assert.Equal([0], await again);
    }

    [Fact]
    public async Task No_answer_raises_a_timeout_in_time_and_the_client_refuses_further_commands()
    {
        await using var stub = new FakeStub();
        var options = FakeStub.FastOptions with { CommandTimeout = TimeSpan.FromMilliseconds(300) };
        await using var client = await stub.ConnectClientAsync(options: options);
        var clock = Stopwatch.StartNew();
        var read = client.ReadMemoryAsync(0x1234, 4);
        await stub.ReadPacketAsync();
        var error = await Assert.ThrowsAsync<GdbTimeoutException>(() => read);
        // Not before the timeout; the upper bound only says it came at all (a loaded machine's thread pool is slow).
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(60));
        Assert.Contains("m1234,4", error.InFlight);
        var next = await Assert.ThrowsAsync<GdbException>(() => client.ReadMemoryAsync(0, 1));
        Assert.Contains("out of step", next.Message);
    }

    [Fact]
    public async Task A_dropped_connection_raises_connection_lost_with_the_command_in_flight()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        var read = client.ReadMemoryAsync(0xffff0, 16);
        Assert.Equal("mffff0,10", await stub.ReadPacketAsync());
        stub.Drop();
        var error = await Assert.ThrowsAsync<GdbConnectionLostException>(() => read);
        Assert.Contains("mffff0,10", error.InFlight);
        Assert.Equal(GdbTargetState.Disconnected, client.State);
        var later = await Assert.ThrowsAsync<GdbConnectionLostException>(() => client.ReadRegisterAsync("rip"));
        Assert.Equal("read register rip", later.InFlight);
    }

    [Fact]
    public async Task Continue_ignores_console_output_and_reports_an_exit()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        var run = client.ContinueAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("c", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("O" + Convert.ToHexStringLower("booting\n"u8));
        await stub.SendPacketAsync("W00");
        var stop = await run;
        Assert.Equal((StopKind.Exited, 0), (stop.Kind, stop.ExitCode!.Value));
        Assert.Equal(GdbTargetState.Exited, client.State);
        await Assert.ThrowsAsync<GdbConnectionLostException>(() => client.ReadRegisterAsync("rip"));
    }

    [Fact]
    public async Task Monitor_output_is_the_concatenation_of_the_O_packets()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        var monitor = client.MonitorAsync("info version");
        Assert.Equal("qRcmd," + Convert.ToHexStringLower("info version"u8), await stub.ReadPacketAsync());
        await stub.SendPacketAsync("O" + Convert.ToHexStringLower("7.2.22\r\n"u8));
        await stub.SendPacketAsync("O" + Convert.ToHexStringLower("second line\r\n"u8));
        await stub.SendPacketAsync("OK");
        Assert.Equal("7.2.22\nsecond line\n", await monitor);
    }

    [Fact]
    public async Task Counters_count_packets_and_bytes()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        var before = client.Counters;
        var read = client.ReadMemoryAsync(0, 2);
        await stub.ReadPacketAsync();
        await stub.SendPacketAsync("abcd");
        await read;
        var after = client.Counters;
        Assert.Equal(before.PacketsSent + 1, after.PacketsSent);
        Assert.Equal(before.PacketsReceived + 1, after.PacketsReceived);
        Assert.Equal(before.BytesRead + "+$abcd#26".Length, after.BytesRead);
        Assert.Equal(before.BytesWritten + "$m0,2#xx".Length, after.BytesWritten);
    }

    [Fact]
    public async Task Packets_sent_are_counted_by_command()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        var before = client.PacketsSentByCommand;
        var read = client.ReadMemoryAsync(0, 2);
        await stub.ReadPacketAsync();
        await stub.SendPacketAsync("abcd");
        await read;
        var register = client.ReadRegisterAsync("rip");
        Assert.Equal("p1", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("f0ff000000000000");
        await register;
        var after = client.PacketsSentByCommand;
        Assert.Equal(before.GetValueOrDefault('m') + 1, after['m']);
        Assert.Equal(before.GetValueOrDefault('p') + 1, after['p']);
        Assert.Equal(before.Values.Sum() + 2, after.Values.Sum());
        Assert.Equal(client.Counters.PacketsSent, after.Values.Sum());
    }

    [Fact]
    public async Task Registers_and_memory_go_out_together_in_no_ack_mode_and_a_memory_error_is_null()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync("PacketSize=1000;QStartNoAckMode+;qXfer:features:read+");
        var regs = "0100000000000000" + "f0ff000000000000" + "0200000000000000";

        // Both packets are written before either reply: the stub reads the m while the g is unanswered.
        var read = client.ReadRegistersAndMemoryAsync(0x1000, 8);
        Assert.Equal("g", await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("m1000,8", await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await stub.SendPacketAsync(regs);
        await stub.SendPacketAsync("0807060504030201");
        var (set, memory) = await read;
        Assert.Equal(0xfff0UL, set["rip"]);
        Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1], memory);
        Assert.Equal(1, client.PacketPairsSent);

        var unmapped = client.ReadRegistersAndMemoryAsync(0xdead000, 8);
        Assert.Equal("g", await stub.ReadPacketAsync());
        Assert.Equal("mdead000,8", await stub.ReadPacketAsync());
        await stub.SendPacketAsync(regs);
        await stub.SendPacketAsync("E14");
        var (again, none) = await unmapped;
        Assert.Equal(1UL, again["rax"]);
        Assert.Null(none);
        Assert.Equal(2, client.PacketPairsSent);
    }

    [Fact]
    public async Task Registers_and_several_reads_go_out_in_one_write_and_each_unreadable_one_is_null_on_its_own()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync("PacketSize=1000;QStartNoAckMode+;qXfer:features:read+");

        // g and both m before any reply; the first read is unmapped, the second is not: each answer goes to its own read.
        var read = client.ReadRegistersAndMemoryAsync([(0xdead000UL, 8), (0x2000UL, 2)]);
        Assert.Equal("g", await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("mdead000,8", await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("m2000,2", await stub.ReadPacketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await stub.SendPacketAsync("0100000000000000" + "f0ff000000000000" + "0200000000000000");
        await stub.SendPacketAsync("E14");
        await stub.SendPacketAsync("beef");
        var (set, memory) = await read;
        Assert.Equal(0xfff0UL, set["rip"]);
        Assert.Equal(2, memory.Length);
        Assert.Null(memory[0]);
        Assert.Equal([0xbe, 0xef], memory[1]);
        Assert.Equal(2, client.PacketPairsSent);

        // A reply of the wrong length is a protocol error naming the read.
        var shortRead = client.ReadRegistersAndMemoryAsync([(0x3000UL, 4)]);
        Assert.Equal("g", await stub.ReadPacketAsync());
        Assert.Equal("m3000,4", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("0100000000000000" + "f0ff000000000000" + "0200000000000000");
        await stub.SendPacketAsync("beef");
        var e = await Assert.ThrowsAsync<GdbProtocolException>(() => shortRead);
        Assert.Contains("'m3000,4' returned 2 bytes, expected 4", e.Message);
    }

    [Fact]
    public async Task Registers_and_memory_go_one_after_the_other_in_ack_mode()
    {
        await using var stub = new FakeStub();
        await using var client = await stub.ConnectClientAsync();
        Assert.True(client.AckMode);
        var read = client.ReadRegistersAndMemoryAsync(0x10, 2);
        Assert.Equal("g", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("0100000000000000f0ff0000000000000200000000000000");
        Assert.Equal("m10,2", await stub.ReadPacketAsync());
        await stub.SendPacketAsync("abcd");
        var (set, memory) = await read;
        Assert.Equal(2UL, set["eflags"]);
        Assert.Equal([0xab, 0xcd], memory);
        Assert.Equal(0, client.PacketPairsSent);
    }

    [Fact]
    public async Task Lazy_acks_go_out_with_the_next_packet_and_a_pair_goes_out_in_ack_mode()
    {
        await using var stub = new FakeStub { ClientAcksLazily = true };
        await using var client = await stub.ConnectClientAsync(options: FakeStub.FastOptions with { LazyAcks = true });
        Assert.True(client.AckMode);
        var acks = stub.AcksReceived;

        // The last handshake reply's ack comes in front of the next packet.
        var read = client.ReadMemoryAsync(0x10, 2);
        Assert.Equal("m10,2", await stub.ReadPacketAsync());
        Assert.Equal(acks + 1, stub.AcksReceived);
        await stub.SendPacketAsync("abcd");
        Assert.Equal([0xab, 0xcd], await read);

        // Registers and memory: both packets before either reply, each acked by the stub; the m reply's ack is owed.
        var pair = client.ReadRegistersAndMemoryAsync(0x20, 2);
        Assert.Equal("g", await stub.ReadPacketAsync());
        Assert.Equal("m20,2", await stub.ReadPacketAsync());
        Assert.Equal(acks + 2, stub.AcksReceived);
        await stub.SendPacketAsync("0100000000000000f0ff0000000000000200000000000000");
        await stub.SendPacketAsync("beef");
        var (set, memory) = await pair;
        Assert.Equal(0xfff0UL, set["rip"]);
        Assert.Equal([0xbe, 0xef], memory);
        Assert.Equal(1, client.PacketPairsSent);

        var rip = client.ReadRegisterAsync("rip");
        Assert.Equal("p1", await stub.ReadPacketAsync());
        Assert.Equal(acks + 4, stub.AcksReceived);
        await stub.SendPacketAsync("f0ff000000000000");
        Assert.Equal(0xfff0UL, await rip);
    }
}
