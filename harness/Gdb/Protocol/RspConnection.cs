using System.Net.Sockets;
using System.Threading.Channels;

namespace Harness.Gdb.Protocol;

/// <summary>
/// The packet layer over one stream: a background pump splits incoming bytes into
/// acks, naks and packets (checksums verified, run-length expanded, acknowledged in
/// ack mode); senders wait for the ack of what they send and retransmit on a nak.
/// It knows nothing of commands; <see cref="GdbClient"/> builds on it.
/// </summary>
/// <remarks>
/// The pump is a thread of its own doing blocking reads, and a packet it posts resumes the command
/// waiting for it on that same thread (synchronous continuations): a reply costs no hand-off to the
/// thread pool. On a loaded machine each hand-off is a wake-up of another thread, and a stop of the
/// observer is several replies (stop, registers, memory, step): the hand-offs were most of its cost.
/// Whoever awaits a packet must therefore never block that thread (everything here is awaited).
/// The socket is used synchronously only (connected, written and read with blocking calls): .NET on Linux puts a
/// socket that saw one async operation into non-blocking mode under its epoll engine, and then every reply went from
/// the epoll thread to a thread-pool worker to the pump — two more wake-ups per packet (issue 15's profile: the
/// ".NET Sockets" and ".NET TP Worker" threads used a quarter of the harness's CPU).
/// </remarks>
internal sealed class RspConnection : IAsyncDisposable
{
    /// <summary>How often a packet is retransmitted after a nak before giving up.</summary>
    public const int MaxRetransmissions = 4;

    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<Incoming> _packets = Channel.CreateUnbounded<Incoming>(new() { SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly Channel<bool> _acks = Channel.CreateUnbounded<bool>(new() { SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly CancellationTokenSource _pumpStop = new();
    private readonly TaskCompletionSource _pump = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly GdbCounterSet _counters;
    private volatile bool _ackMode = true;
    private volatile Exception? _closedBecause;
    private int _disposed;

    private readonly bool _lazyAcks;

    /// <summary>Acks owed to the stub (lazy acks: they go out with the next packet).</summary>
    private int _acksOwed;

    /// <summary>Run first on the pump thread (<see cref="GdbClientOptions.ReaderThreadStart"/>).</summary>
    private readonly Action? _pumpStart;

    /// <summary>How long to poll before each blocking read (<see cref="GdbClientOptions.ReadPoll"/>).</summary>
    private readonly Func<TimeSpan>? _readPoll;

    public RspConnection(Stream stream, GdbCounterSet counters, bool lazyAcks = false, Action? pumpStart = null, Func<TimeSpan>? readPoll = null)
    {
        _pumpStart = pumpStart;
        _readPoll = readPoll;
        _stream = stream;
        _counters = counters;
        _lazyAcks = lazyAcks;
        new Thread(Pump) { IsBackground = true, Name = "gdb rsp pump" }.Start();
    }

    /// <summary>True while both sides acknowledge packets with <c>+</c>/<c>-</c>.</summary>
    public bool AckMode
    {
        get => _ackMode;
        set => _ackMode = value;
    }

    /// <summary>Why the connection ended (end of stream, an I/O error), or null while open.</summary>
    public Exception? ClosedBecause => _closedBecause;

    /// <summary>Sends one packet (payload already escaped) and, in ack mode, waits for its ack.</summary>
    /// <exception cref="ChannelClosedException">The connection ended.</exception>
    public async Task SendPacketAsync(byte[] payload, CancellationToken ct)
    {
        var frame = RspCodec.Frame(payload);
        for (var attempt = 0; ; attempt++)
        {
            await WriteRawAsync(attempt == 0 ? WithOwedAcks(frame) : frame, ct).ConfigureAwait(false);
            _counters.CountPacketSent(frame.Length, payload.Length > 0 ? payload[0] : (byte)0);
            if (!_ackMode)
            {
                return;
            }
            if (await _acks.Reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return;
            }
            _counters.CountRetransmission();
            if (attempt >= MaxRetransmissions)
            {
                throw new GdbProtocolException(
                    $"the gdb stub rejected packet '{Describe(payload)}' {attempt + 1} times (nak)");
            }
        }
    }

    /// <summary>
    /// Sends two packets in one write, without waiting between them (no-ack mode only: the stub answers them in
    /// order, and the caller reads both replies). One write and, usually, one wake-up for both replies.
    /// </summary>
    /// <exception cref="InvalidOperationException">In ack mode (each packet must be acknowledged before the next).</exception>
    /// <exception cref="ChannelClosedException">The connection ended.</exception>
    public Task SendPacketPairAsync(byte[] first, byte[] second, CancellationToken ct) => SendPacketsAsync([first, second], ct);

    /// <summary>
    /// Sends packets in one write, without waiting between them (see <see cref="SendPacketPairAsync"/>; the caller reads
    /// every reply, in order): one round trip for all of them.
    /// </summary>
    /// <exception cref="InvalidOperationException">In ack mode (each packet must be acknowledged before the next).</exception>
    /// <exception cref="ChannelClosedException">The connection ended.</exception>
    public async Task SendPacketsAsync(IReadOnlyList<byte[]> payloads, CancellationToken ct)
    {
        if (!CanSendPairs)
        {
            throw new InvalidOperationException("packets at once need no-ack mode or lazy acks");
        }
        var frames = payloads.Select(p => RspCodec.Frame(p)).ToList();
        var all = new byte[frames.Sum(f => f.Length)];
        var at = 0;
        foreach (var f in frames)
        {
            f.CopyTo(all, at);
            at += f.Length;
        }
        await WriteRawAsync(WithOwedAcks(all), ct).ConfigureAwait(false);
        for (var i = 0; i < frames.Count; i++)
        {
            _counters.CountPacketSent(frames[i].Length, payloads[i].Length > 0 ? payloads[i][0] : (byte)0);
        }
        _counters.CountPacketsSharingARoundTrip(frames.Count - 1);
        if (_ackMode)
        {
            // The stub acks each packet as it takes it; a nak (a corrupted packet, never seen on a local socket) is not retried.
            for (var i = 0; i < frames.Count; i++)
            {
                if (!await _acks.Reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    throw new GdbProtocolException(
                        $"the gdb stub rejected packet '{Describe(payloads[i])}' (nak) of {frames.Count} sent together");
                }
            }
        }
    }

    /// <summary>True when two packets may go out together: no-ack mode, or lazy acks (the stub never waits for one).</summary>
    public bool CanSendPairs => !_ackMode || _lazyAcks;

    /// <summary>The acks owed to the stub (lazy acks) followed by <paramref name="frame"/>: one write.</summary>
    private byte[] WithOwedAcks(byte[] frame)
    {
        var owed = Interlocked.Exchange(ref _acksOwed, 0);
        if (owed == 0)
        {
            return frame;
        }
        var bytes = new byte[owed + frame.Length];
        bytes.AsSpan(0, owed).Fill((byte)'+');
        frame.CopyTo(bytes, owed);
        return bytes;
    }

    /// <summary>Receives the next packet's payload (run-length expanded, not unescaped).</summary>
    /// <exception cref="ChannelClosedException">The connection ended.</exception>
    /// <exception cref="GdbProtocolException">A corrupt packet in no-ack mode.</exception>
    public async Task<byte[]> ReceivePacketAsync(CancellationToken ct)
    {
        var incoming = await _packets.Reader.ReadAsync(ct).ConfigureAwait(false);
        return incoming.Error is null ? incoming.Payload! : throw new GdbProtocolException(incoming.Error);
    }

    /// <summary>Writes bytes as they are (used for packets, acks and the interrupt byte).</summary>
    public async Task WriteRawAsync(byte[] bytes, CancellationToken ct)
    {
        if (_closedBecause is { } reason)
        {
            throw new ChannelClosedException(reason);
        }
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Synchronous: a packet is a few bytes to a local socket, and an async write would register the socket
            // with .NET's epoll engine, after which its blocking reads are emulated through that engine.
            _stream.Write(bytes);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(e);
            throw new ChannelClosedException(e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Drops packets that arrived but were never read (e.g. after a command was abandoned).</summary>
    public int DiscardPending()
    {
        var dropped = 0;
        while (_packets.Reader.TryRead(out _))
        {
            dropped++;
        }
        while (_acks.Reader.TryRead(out _))
        {
        }
        return dropped;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Close(new ObjectDisposedException(nameof(RspConnection)));
        await _pumpStop.CancelAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        // The pump ends once the stream is closed (its blocking read fails). Disposing from the pump's own
        // thread (a command resumed by a reply that disposes the client) must not wait for itself.
        if (t_pumpOf != this)
        {
            await _pump.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _pumpStop.Dispose();
    }

    /// <summary>A short, printable form of a payload for error messages.</summary>
    public static string Describe(ReadOnlySpan<byte> payload)
    {
        var text = RspCodec.Text.GetString(payload.Length > 48 ? payload[..48] : payload);
        var printable = new string(text.Select(c => c is >= ' ' and < '\x7f' ? c : '.').ToArray());
        return payload.Length > 48 ? printable + "..." : printable;
    }

    /// <summary>The connection whose pump runs on this thread, if any.</summary>
    [ThreadStatic]
    private static RspConnection? t_pumpOf;

    private void Pump()
    {
        t_pumpOf = this;
        var parser = new PacketParser();
        var buffer = new byte[64 * 1024];
        try
        {
            _pumpStart?.Invoke();
            while (true)
            {
                PollForData();
                var n = _stream.Read(buffer);
                if (n == 0)
                {
                    Close(new EndOfStreamException("the gdb stub closed the connection"));
                    return;
                }
                _counters.CountBytesRead(n);
                for (var i = 0; i < n; i++)
                {
                    var taken = parser.TakeBody(buffer.AsSpan(i, n - i));
                    i += taken;
                    if (i == n) break;
                    var ev = parser.Feed(buffer[i]);
                    if (ev.Kind != PacketParser.EventKind.None)
                    {
                        // Acks go out with a synchronous write (a socket's WriteAsync completes inline).
                        HandleAsync(ev).GetAwaiter().GetResult();
                    }
                }
            }
        }
        catch (Exception) when (_pumpStop.IsCancellationRequested || Volatile.Read(ref _disposed) != 0)
        {
            Close(new ObjectDisposedException(nameof(RspConnection)));
        }
        catch (Exception e)
        {
            Close(e);
        }
        finally
        {
            _pump.TrySetResult();
        }
    }

    /// <summary>
    /// Polls the socket for up to <see cref="_readPoll"/>'s answer before the blocking read, so that a reply (or a stop)
    /// arriving meanwhile is read without the pump being put to sleep and woken again.
    /// </summary>
    private void PollForData()
    {
        if (_readPoll is null || _stream is not NetworkStream { Socket: var socket })
        {
            return;
        }
        var poll = _readPoll();
        if (poll <= TimeSpan.Zero)
        {
            return;
        }
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(poll.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (socket.Available == 0 && System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(10);
        }
    }

    private async Task HandleAsync(PacketParser.Event ev)
    {
        switch (ev.Kind)
        {
            case PacketParser.EventKind.Ack:
                _acks.Writer.TryWrite(true);
                break;
            case PacketParser.EventKind.Nak:
                _acks.Writer.TryWrite(false);
                break;
            case PacketParser.EventKind.Packet:
                _counters.CountPacketReceived();
                if (_ackMode && _lazyAcks)
                {
                    Interlocked.Increment(ref _acksOwed); // goes out with the next packet
                }
                else if (_ackMode)
                {
                    await WriteRawAsync([(byte)'+'], _pumpStop.Token).ConfigureAwait(false);
                }
                PostPacket(ev.Body!);
                break;
            case PacketParser.EventKind.BadChecksum:
                _counters.CountChecksumError();
                if (_ackMode)
                {
                    await WriteRawAsync([(byte)'-'], _pumpStop.Token).ConfigureAwait(false);
                }
                else
                {
                    _packets.Writer.TryWrite(new Incoming(null,
                        $"packet '{Describe(ev.Body!)}' has a bad checksum (no-ack mode: no retransmission possible)"));
                }
                break;
        }
    }

    private void PostPacket(byte[] body)
    {
        try
        {
            _packets.Writer.TryWrite(new Incoming(RspCodec.ExpandRunLength(body), null));
        }
        catch (GdbProtocolException e)
        {
            _packets.Writer.TryWrite(new Incoming(null, $"packet '{Describe(body)}': {e.Message}"));
        }
    }

    private void Close(Exception reason)
    {
        _closedBecause ??= reason;
        _packets.Writer.TryComplete(reason);
        _acks.Writer.TryComplete(reason);
    }

    private readonly record struct Incoming(byte[]? Payload, string? Error);
}
