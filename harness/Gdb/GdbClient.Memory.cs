using Harness.Gdb.Protocol;

namespace Harness.Gdb;

// Memory, read and written in packets no larger than the stub accepts.
public sealed partial class GdbClient
{
    private bool? _binaryWrites;

    /// <summary>The most bytes one <c>m</c> packet asks for (its hex reply must fit <see cref="PacketSize"/>).</summary>
    public int MaxReadChunk => Math.Max(16, (PacketSize - 32) / 2);

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="address"/> (virtual, or physical in
    /// <see cref="PhysicalMemoryMode"/>), in as many <c>m</c> packets as the packet size needs.
    /// </summary>
    /// <exception cref="GdbErrorReplyException">The stub could not read some of it (e.g. unmapped); the command names the failing chunk.</exception>
    public Task<byte[]> ReadMemoryAsync(ulong address, int length, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var operation = $"read {length} bytes at 0x{address:x}";
        return RunAsync(operation, ct, async token =>
        {
            var result = new byte[length];
            var done = 0;
            while (done < length)
            {
                var chunk = Math.Min(MaxReadChunk, length - done);
                var command = $"m{address + (ulong)done:x},{chunk:x}";
                var reply = await ExchangeAsync(RspCodec.Text.GetBytes(command), operation, token).ConfigureAwait(false);
                ThrowOnErrorOrEmpty(command, reply);
                var bytes = RspCodec.FromHex(reply);
                if (bytes.Length == 0 || bytes.Length > chunk)
                {
                    throw new GdbProtocolException($"'{command}' returned {bytes.Length} bytes");
                }
                bytes.CopyTo(result, done);
                done += bytes.Length;
            }
            return result;
        });
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="address"/>, with binary <c>X</c> packets when
    /// the stub accepts them (probed once) and <see cref="GdbClientOptions.UseBinaryWrites"/> is set,
    /// else with hex <c>M</c> packets.
    /// </summary>
    /// <exception cref="GdbErrorReplyException">The stub could not write some of it.</exception>
    public Task WriteMemoryAsync(ulong address, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var operation = $"write {data.Length} bytes at 0x{address:x}";
        return RunAsync(operation, ct, async token =>
        {
            var binary = Options.UseBinaryWrites && await ProbeBinaryWritesAsync(address, operation, token).ConfigureAwait(false);
            var done = 0;
            while (done < data.Length)
            {
                var at = address + (ulong)done;
                var (payload, count) = binary
                    ? BuildBinaryWrite(at, data.Span[done..])
                    : BuildHexWrite(at, data.Span[done..]);
                var reply = await ExchangeAsync(payload, operation, token).ConfigureAwait(false);
                var command = $"{(binary ? 'X' : 'M')}{at:x},{count:x}";
                ThrowOnErrorOrEmpty(command, reply);
                if (!reply.AsSpan().SequenceEqual("OK"u8))
                {
                    throw new GdbProtocolException($"expected OK to '{command}', got '{RspConnection.Describe(reply)}'");
                }
                done += count;
            }
            return true;
        });
    }

    /// <summary>Whether the stub takes <c>X</c> packets: an empty <c>X</c> is answered OK, or not at all.</summary>
    private async Task<bool> ProbeBinaryWritesAsync(ulong address, string operation, CancellationToken ct)
    {
        if (_binaryWrites is null)
        {
            var reply = await ExchangeAsync(RspCodec.Text.GetBytes($"X{address:x},0:"), operation, ct).ConfigureAwait(false);
            _binaryWrites = reply.AsSpan().SequenceEqual("OK"u8);
        }
        return _binaryWrites.Value;
    }

    private (byte[] Payload, int Count) BuildHexWrite(ulong address, ReadOnlySpan<byte> data)
    {
        var header = $"M{address:x},{data.Length:x}:";
        var count = Math.Min(data.Length, Math.Max(1, (PacketSize - header.Length - 4) / 2));
        return (RspCodec.Text.GetBytes($"M{address:x},{count:x}:{RspCodec.ToHex(data[..count])}"), count);
    }

    private (byte[] Payload, int Count) BuildBinaryWrite(ulong address, ReadOnlySpan<byte> data)
    {
        // The header's length field is at most as long as for the whole remainder.
        var budget = Math.Max(2, PacketSize - $"X{address:x},{data.Length:x}:".Length - 4);
        var count = 0;
        var escaped = 0;
        while (count < data.Length && escaped + RspCodec.EscapedLength(data[count]) <= budget)
        {
            escaped += RspCodec.EscapedLength(data[count]);
            count++;
        }
        var header = RspCodec.Text.GetBytes($"X{address:x},{count:x}:");
        return ([.. header, .. RspCodec.EscapeBinary(data[..count])], count);
    }
}
