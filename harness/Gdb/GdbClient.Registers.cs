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
    public Task<(RegisterSet Registers, byte[]? Memory)> ReadRegistersAndMemoryAsync(ulong address, int length, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxReadChunk);
        return RunAsync("read registers and memory", ct, async token =>
        {
            var g = "g"u8.ToArray();
            var command = $"m{address:x},{length:x}";
            var m = RspCodec.Text.GetBytes(command);
            byte[] registers, memory;
            if (!_connection.CanSendPairs)
            {
                registers = await ExchangeAsync(g, "read registers", token).ConfigureAwait(false);
                memory = await ExchangeAsync(m, "read memory", token).ConfigureAwait(false);
            }
            else
            {
                (registers, memory) = await ExchangePairAsync(g, m, "read registers and memory", token).ConfigureAwait(false);
            }
            ThrowOnErrorOrEmpty("g", registers);
            var set = new RegisterSet(Description, DecodeRegisterHex("g", registers));
            if (memory.Length == 0 || RspCodec.IsErrorReply(memory))
            {
                return (set, (byte[]?)null);
            }
            var bytes = RspCodec.FromHex(memory);
            return bytes.Length == length
                ? (set, bytes)
                : throw new GdbProtocolException($"'{command}' returned {bytes.Length} bytes, expected {length}");
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
