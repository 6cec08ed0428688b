namespace Harness.Gdb;

/// <summary>A snapshot of the traffic over one connection to a gdb stub.</summary>
/// <param name="PacketsSent">Packets written, retransmissions included.</param>
/// <param name="PacketsReceived">Packets received with a good checksum.</param>
/// <param name="BytesRead">Every byte read from the stub (acks, packets, noise).</param>
/// <param name="BytesWritten">Bytes of packets written (acks and interrupts not counted).</param>
/// <param name="Retransmissions">Packets the stub nak'ed and the client sent again.</param>
/// <param name="ChecksumErrors">Packets from the stub with a bad checksum.</param>
public readonly record struct GdbCounters(
    long PacketsSent,
    long PacketsReceived,
    long BytesRead,
    long BytesWritten,
    long Retransmissions,
    long ChecksumErrors);

/// <summary>The live, thread-safe counters behind <see cref="GdbCounters"/>.</summary>
internal sealed class GdbCounterSet
{
    private long _packetsSent;
    private long _packetsReceived;
    private long _bytesRead;
    private long _bytesWritten;
    private long _retransmissions;
    private long _checksumErrors;
    private readonly long[] _sentByCommand = new long[128];
    private long _pairsSent;

    /// <summary>Packets went out in one write (their replies awaited together: one round trip for all): <paramref name="extra"/> is their number less one.</summary>
    public void CountPacketsSharingARoundTrip(int extra) => Interlocked.Add(ref _pairsSent, extra);

    /// <summary>Packets that went out in the same write as an earlier one (round trips = packets sent − this).</summary>
    public long PairsSent => Interlocked.Read(ref _pairsSent);

    public void CountPacketSent(int bytes, byte command)
    {
        Interlocked.Increment(ref _packetsSent);
        Interlocked.Add(ref _bytesWritten, bytes);
        Interlocked.Increment(ref _sentByCommand[command & 0x7F]);
    }

    /// <summary>Packets sent so far by their first character (the command: <c>c</c>, <c>s</c>, <c>g</c>, <c>m</c>, <c>Z</c>...).</summary>
    public IReadOnlyDictionary<char, long> SentByCommand()
    {
        var counts = new SortedDictionary<char, long>();
        for (var i = 0; i < _sentByCommand.Length; i++)
        {
            var n = Interlocked.Read(ref _sentByCommand[i]);
            if (n != 0)
            {
                counts[(char)i] = n;
            }
        }
        return counts;
    }

    public void CountPacketReceived() => Interlocked.Increment(ref _packetsReceived);

    public void CountBytesRead(int bytes) => Interlocked.Add(ref _bytesRead, bytes);

    public void CountRetransmission() => Interlocked.Increment(ref _retransmissions);

    public void CountChecksumError() => Interlocked.Increment(ref _checksumErrors);

    public GdbCounters Snapshot() => new(
        Interlocked.Read(ref _packetsSent),
        Interlocked.Read(ref _packetsReceived),
        Interlocked.Read(ref _bytesRead),
        Interlocked.Read(ref _bytesWritten),
        Interlocked.Read(ref _retransmissions),
        Interlocked.Read(ref _checksumErrors));
}
