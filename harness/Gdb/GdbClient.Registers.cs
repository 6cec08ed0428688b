using System.Buffers.Binary;
using Harness.Gdb.Protocol;

namespace Harness.Gdb;

// Registers, read and written by name through the target description.
public sealed partial class GdbClient
{
    /// <summary>Reads all registers with one <c>g</c> packet.</summary>
    public Task<RegisterSet> ReadRegistersAsync(CancellationToken ct = default) =>
        RunAsync("read registers", ct, async token =>
        {
            var reply = await ExchangeAsync("g"u8.ToArray(), "read registers", token).ConfigureAwait(false);
            ThrowOnErrorOrEmpty("g", reply);
            return new RegisterSet(Description, DecodeRegisterHex("g", reply));
        });

    /// <summary>
    /// Reads all registers (<c>g</c>) and <paramref name="length"/> bytes at <paramref name="address"/> (<c>m</c>) in one
    /// round trip: in no-ack mode, or with <see cref="GdbClientOptions.LazyAcks"/>, both packets go out in one write
    /// before either reply is awaited (the stub answers in order); else one after the other. The memory is null when the stub answers the <c>m</c> with an error
    /// (unmapped), so that a caller can read it again the usual way and get the usual exception.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not 1 to <see cref="MaxReadChunk"/>.</exception>
    public async Task<(RegisterSet Registers, byte[]? Memory)> ReadRegistersAndMemoryAsync(ulong address, int length, CancellationToken ct = default)
    {
        var (set, memory) = await ReadRegistersAndMemoryAsync([(address, length)], ct).ConfigureAwait(false);
        return (set, memory[0]);
    }

    /// <summary>
    /// Reads all registers (<c>g</c>) and each of <paramref name="reads"/> (<c>m</c>) in one round trip, as the overload
    /// with one read does; each read's bytes are null when the stub answered its <c>m</c> with an error (unmapped).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A length is not 1 to <see cref="MaxReadChunk"/>.</exception>
    public Task<(RegisterSet Registers, byte[]?[] Memory)> ReadRegistersAndMemoryAsync(IReadOnlyList<(ulong Address, int Length)> reads,
        CancellationToken ct = default)
    {
        foreach (var (_, length) in reads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(length, 1, nameof(reads));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxReadChunk, nameof(reads));
        }
        return RunAsync("read registers and memory", ct, async token =>
        {
            var commands = reads.Select(r => $"m{r.Address:x},{r.Length:x}").ToList();
            var packets = new List<byte[]> { "g"u8.ToArray() };
            packets.AddRange(commands.Select(c => RspCodec.Text.GetBytes(c)));
            IReadOnlyList<byte[]> replies;
            if (!_connection.CanSendPairs)
            {
                var one = new List<byte[]>();
                foreach (var packet in packets)
                {
                    one.Add(await ExchangeAsync(packet, packet.Length == 1 ? "read registers" : "read memory", token).ConfigureAwait(false));
                }
                replies = one;
            }
            else
            {
                replies = await ExchangeManyAsync(packets, "read registers and memory", token).ConfigureAwait(false);
            }
            ThrowOnErrorOrEmpty("g", replies[0]);
            var set = new RegisterSet(Description, DecodeRegisterHex("g", replies[0]));
            var memory = new byte[]?[reads.Count];
            for (var i = 0; i < reads.Count; i++)
            {
                var reply = replies[i + 1];
                if (reply.Length == 0 || RspCodec.IsErrorReply(reply))
                {
                    continue;
                }
                var bytes = RspCodec.FromHex(reply);
                memory[i] = bytes.Length == reads[i].Length
                    ? bytes
                    : throw new GdbProtocolException($"'{commands[i]}' returned {bytes.Length} bytes, expected {reads[i].Length}");
            }
            return (set, memory);
        });
    }

    /// <summary>
    /// Reads one register of at most 64 bits by name (<c>rip</c>, <c>rsp</c>, <c>eflags</c>,
    /// <c>cs</c>, <c>fs_base</c>, <c>k_gs_base</c>, <c>cr3</c>, <c>efer</c>...) with a <c>p</c> packet,
    /// falling back to <c>g</c> when the stub lacks <c>p</c>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The target description has no such register.</exception>
    /// <exception cref="InvalidOperationException">The register is wider than 64 bits; use <see cref="ReadRegisterBytesAsync"/>.</exception>
    public async Task<ulong> ReadRegisterAsync(string name, CancellationToken ct = default)
    {
        var info = Description[name];
        if (info.BitSize > 64)
        {
            throw new InvalidOperationException($"register '{name}' has {info.BitSize} bits; use ReadRegisterBytesAsync");
        }
        return RegisterSet.ToUInt64(await ReadRegisterBytesAsync(name, ct).ConfigureAwait(false));
    }

    /// <summary>Reads one register's raw little-endian bytes by name.</summary>
    /// <exception cref="KeyNotFoundException">The target description has no such register.</exception>
    public Task<byte[]> ReadRegisterBytesAsync(string name, CancellationToken ct = default)
    {
        var info = Description[name];
        return RunAsync($"read register {name}", ct, async token =>
        {
            var command = $"p{info.RegNum:x}";
            var reply = await ExchangeAsync(RspCodec.Text.GetBytes(command), $"read register {name}", token).ConfigureAwait(false);
            if (reply.Length == 0)
            {
                var all = await ExchangeAsync("g"u8.ToArray(), $"read register {name}", token).ConfigureAwait(false);
                ThrowOnErrorOrEmpty("g", all);
                return new RegisterSet(Description, DecodeRegisterHex("g", all)).GetBytes(name);
            }
            ThrowOnErrorOrEmpty(command, reply);
            var bytes = DecodeRegisterHex(command, reply);
            return bytes.Length >= info.ByteSize
                ? bytes[..info.ByteSize]
                : throw new GdbProtocolException($"'{command}' ({name}) returned {bytes.Length} bytes, expected {info.ByteSize}");
        });
    }

    /// <summary>Writes one register of at most 64 bits by name with a <c>P</c> packet.</summary>
    /// <exception cref="KeyNotFoundException">The target description has no such register.</exception>
    public Task WriteRegisterAsync(string name, ulong value, CancellationToken ct = default)
    {
        var info = Description[name];
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        var bytes = new byte[info.ByteSize];
        buffer[..Math.Min(8, bytes.Length)].CopyTo(bytes);
        return WriteRegisterBytesAsync(name, bytes, ct);
    }

    /// <summary>Writes one register's raw little-endian bytes by name.</summary>
    public Task WriteRegisterBytesAsync(string name, byte[] value, CancellationToken ct = default)
    {
        var info = Description[name];
        if (value.Length != info.ByteSize)
        {
            throw new ArgumentException($"register '{name}' takes {info.ByteSize} bytes, got {value.Length}", nameof(value));
        }
        return RunAsync($"write register {name}", ct, async token =>
        {
            await ExpectOkAsync($"P{info.RegNum:x}={RspCodec.ToHex(value)}", $"write register {name}", token).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>
    /// Writes registers of at most 64 bits by name (<c>P</c> packets), in order: in no-ack mode, or with
    /// <see cref="GdbClientOptions.LazyAcks"/>, all in one write before any reply is awaited (one round trip); else one
    /// after the other. Every reply is read before an error is raised, so the connection stays in step.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The target description has no such register (nothing is sent).</exception>
    public Task WriteRegistersAsync(IReadOnlyList<(string Name, ulong Value)> registers, CancellationToken ct = default)
    {
        var packets = registers.Select(r =>
        {
            var info = Description[r.Name];
            Span<byte> buffer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, r.Value);
            var bytes = new byte[info.ByteSize];
            buffer[..Math.Min(8, bytes.Length)].CopyTo(bytes);
            return $"P{info.RegNum:x}={RspCodec.ToHex(bytes)}";
        }).ToList();
        return RunAsync("write registers", ct, async token =>
        {
            await ExpectOkAllAsync(packets, "write registers", token).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>Decodes a register reply; <c>x</c> digits (value unavailable) are an error.</summary>
    private static byte[] DecodeRegisterHex(string command, byte[] reply)
    {
        if (reply.AsSpan().IndexOfAny("xX"u8) >= 0)
        {
            throw new GdbProtocolException($"the stub reports register data unavailable ('x') for '{command}'");
        }
        return RspCodec.FromHex(reply);
    }
}
