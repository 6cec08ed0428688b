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
    /// <see cref="PhysicalMemoryMode"/>), in as many <c>m</c> packets as the packet size needs, sent in one write when
    /// packets may go out together (as <see cref="ReadMemoryManyAsync"/>).
    /// </summary>
    /// <exception cref="GdbErrorReplyException">The stub could not read some of it (e.g. unmapped); the command names the failing chunk.</exception>
    public async Task<byte[]> ReadMemoryAsync(ulong address, int length, CancellationToken ct = default) =>
        (await ReadMemoryManyAsync([(address, length)], ct).ConfigureAwait(false))[0];

    /// <summary>
    /// Reads each of <paramref name="reads"/> (virtual, or physical in <see cref="PhysicalMemoryMode"/>), each in as
    /// many <c>m</c> packets as the packet size needs. In no-ack mode or with <see cref="GdbClientOptions.LazyAcks"/>
    /// every packet goes out in one write before any reply is awaited (one round trip: a page table walk reads a
    /// level's tables, or a table's pages, at once); else one after the other.
    /// </summary>
    /// <exception cref="GdbErrorReplyException">
    /// The stub could not read some of it (e.g. unmapped); the command names the first failing chunk. Every reply is
    /// read first, so the connection stays in step.
    /// </exception>
    public Task<byte[][]> ReadMemoryManyAsync(IReadOnlyList<(ulong Address, int Length)> reads, CancellationToken ct = default)
    {
        foreach (var (_, length) in reads)
            ArgumentOutOfRangeException.ThrowIfNegative(length, nameof(reads));
        var operation = reads.Count == 1
            ? $"read {reads[0].Length} bytes at 0x{reads[0].Address:x}"
            : $"read {reads.Count} ranges ({reads.Sum(r => (long)r.Length)} bytes) from 0x{(reads.Count > 0 ? reads[0].Address : 0):x}";
        return RunAsync(operation, ct, async token =>
        {
            var results = reads.Select(r => new byte[r.Length]).ToArray();
            if (!_connection.CanSendPairs || reads.Sum(r => (r.Length + MaxReadChunk - 1) / MaxReadChunk) <= 1)
            {
                // One after the other, stopping at the first failure.
                for (var r = 0; r < reads.Count; r++)
                    await ReadIntoAsync(reads[r].Address, results[r], 0, reads[r].Length, operation, token).ConfigureAwait(false);
                return results;
            }
            // Every chunk of every read: (read, offset in it, length, command).
            var chunks = new List<(int Read, int Offset, int Length, string Command)>();
            for (var r = 0; r < reads.Count; r++)
            {
                var (address, length) = reads[r];
                for (var done = 0; done < length; done += MaxReadChunk)
                {
                    var chunk = Math.Min(MaxReadChunk, length - done);
                    chunks.Add((r, done, chunk, $"m{address + (ulong)done:x},{chunk:x}"));
                }
            }
            var replies = await ExchangeManyAsync(chunks.Select(c => RspCodec.Text.GetBytes(c.Command)).ToList(), operation, token).ConfigureAwait(false);
            for (var i = 0; i < chunks.Count; i++)
            {
                var (read, offset, length, command) = chunks[i];
                var bytes = MemoryReplyBytes(command, replies[i], length);
                bytes.CopyTo(results[read], offset);
                if (bytes.Length < length) // a stub may answer with less: the rest of the chunk, asked for again
                    await ReadIntoAsync(reads[read].Address, results[read], offset + bytes.Length, offset + length, operation, token).ConfigureAwait(false);
            }
            return results;
        });
    }

    /// <summary>Fills <paramref name="into"/>[<paramref name="from"/>..<paramref name="to"/>) from <paramref name="address"/> + from on, one <c>m</c> at a time.</summary>
    private async Task ReadIntoAsync(ulong address, byte[] into, int from, int to, string operation, CancellationToken ct)
    {
        while (from < to)
        {
            var chunk = Math.Min(MaxReadChunk, to - from);
            var command = $"m{address + (ulong)from:x},{chunk:x}";
            var bytes = MemoryReplyBytes(command, await ExchangeAsync(RspCodec.Text.GetBytes(command), operation, ct).ConfigureAwait(false), chunk);
            bytes.CopyTo(into, from);
            from += bytes.Length;
        }
    }

    /// <summary>The bytes of an <c>m</c> reply that asked for <paramref name="asked"/>: an error, an empty reply, no bytes or too many throw.</summary>
    private static byte[] MemoryReplyBytes(string command, byte[] reply, int asked)
    {
        ThrowOnErrorOrEmpty(command, reply);
        var bytes = RspCodec.FromHex(reply);
        if (bytes.Length == 0 || bytes.Length > asked)
        {
            throw new GdbProtocolException($"'{command}' returned {bytes.Length} bytes");
        }
        return bytes;
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
