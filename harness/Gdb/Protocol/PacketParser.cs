namespace Harness.Gdb.Protocol;

/// <summary>
/// A byte-at-a-time state machine that finds acks (<c>+</c>), naks (<c>-</c>) and
/// packets (<c>$body#cs</c>) in the stream from the stub. Bytes outside a packet that
/// are neither ack nor nak are ignored; a <c>$</c> inside a packet restarts it.
/// </summary>
internal sealed class PacketParser
{
    private readonly List<byte> _body = new(4096);
    private State _state = State.Idle;
    private int _checksumHigh;

    /// <summary>What one byte completed, if anything.</summary>
    public enum EventKind
    {
        /// <summary>Nothing complete yet.</summary>
        None,

        /// <summary>A <c>+</c> outside a packet.</summary>
        Ack,

        /// <summary>A <c>-</c> outside a packet.</summary>
        Nak,

        /// <summary>A packet whose checksum matched.</summary>
        Packet,

        /// <summary>A packet whose checksum did not match (or was not hex).</summary>
        BadChecksum,
    }

    /// <summary>The outcome of one byte: a kind and, for packets, the raw body.</summary>
    public readonly record struct Event(EventKind Kind, byte[]? Body);

    private enum State
    {
        Idle,
        Body,
        ChecksumHigh,
        ChecksumLow,
    }

    /// <summary>
    /// Inside a packet's body: takes the plain body bytes at the start of <paramref name="data"/> (up to the next
    /// <c>#</c> or <c>$</c>, which <see cref="Feed"/> must see) in one copy, and returns how many it took (0 outside a
    /// body). The same as feeding them one by one, without a call per byte (a register or memory reply is kilobytes).
    /// </summary>
    public int TakeBody(ReadOnlySpan<byte> data)
    {
        if (_state != State.Body) return 0;
        var end = data.IndexOfAny((byte)'#', (byte)'$');
        var plain = end < 0 ? data : data[..end];
        _body.AddRange(plain);
        return plain.Length;
    }

    /// <summary>Feeds one byte from the stream.</summary>
    public Event Feed(byte b)
    {
        switch (_state)
        {
            case State.Idle:
                if (b == (byte)'$')
                {
                    _body.Clear();
                    _state = State.Body;
                }
                return b switch
                {
                    (byte)'+' => new Event(EventKind.Ack, null),
                    (byte)'-' => new Event(EventKind.Nak, null),
                    _ => default,
                };
            case State.Body:
                if (b == (byte)'#')
                {
                    _state = State.ChecksumHigh;
                }
                else if (b == (byte)'$')
                {
                    _body.Clear();
                }
                else
                {
                    _body.Add(b);
                }
                return default;
            case State.ChecksumHigh:
                _checksumHigh = RspCodec.HexValue(b);
                _state = State.ChecksumLow;
                return default;
            default:
                _state = State.Idle;
                var low = RspCodec.HexValue(b);
                var body = _body.ToArray();
                var ok = _checksumHigh >= 0 && low >= 0
                    && (byte)(_checksumHigh << 4 | low) == RspCodec.Checksum(body);
                return new Event(ok ? EventKind.Packet : EventKind.BadChecksum, body);
        }
    }
}
