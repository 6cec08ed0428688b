using System.Net.Sockets;
using Harness.Gdb.Protocol;

namespace Harness.Gdb;

/// <summary>
/// A client of the GDB Remote Serial Protocol, talking to QEMU's gdb stub directly
/// (no gdb process). One command is in flight at a time; every command has a timeout,
/// and a lost connection surfaces as <see cref="GdbConnectionLostException"/> naming
/// the command that was in flight.
/// </summary>
/// <remarks>
/// Errors leave the client in a defined state: a connection loss or target exit makes every
/// later command fail fast; a command abandoned by timeout or cancellation (its reply may
/// still come) makes the client unusable, except <see cref="ContinueAsync(TimeSpan?, CancellationToken)"/> and
/// <see cref="StepAsync(CancellationToken)"/>, whose timeout leaves the target running and the client
/// usable through <see cref="InterruptAsync"/> or <see cref="WaitForStopAsync"/>.
/// </remarks>
public sealed partial class GdbClient : IAsyncDisposable
{
    private readonly RspConnection _connection;
    private readonly GdbCounterSet _counters;
    private readonly SemaphoreSlim _commandLock = new(1, 1);
    private volatile GdbTargetState _state = GdbTargetState.Stopped;
    private volatile string? _unusableReason;
    private volatile Task<StopReply>? _activeStopWait;

    private GdbClient(GdbEndpoint endpoint, GdbClientOptions options, RspConnection connection, GdbCounterSet counters)
    {
        Endpoint = endpoint;
        Options = options;
        _connection = connection;
        _counters = counters;
    }

    /// <summary>Where the stub listens.</summary>
    public GdbEndpoint Endpoint { get; }

    /// <summary>Timeouts and protocol choices in force.</summary>
    public GdbClientOptions Options { get; }

    /// <summary>The features the stub announced in its <c>qSupported</c> reply (<c>name</c> → value, <c>+</c>, <c>-</c> or <c>?</c>).</summary>
    public IReadOnlyDictionary<string, string> Features { get; private set; } = new Dictionary<string, string>();

    /// <summary>The largest packet the stub accepts (its <c>PacketSize</c>; 4096 for QEMU).</summary>
    public int PacketSize { get; private set; } = 400;

    /// <summary>False once <c>QStartNoAckMode</c> was accepted.</summary>
    public bool AckMode => _connection.AckMode;

    /// <summary>The register layout from <c>qXfer:features:read:target.xml</c> and its includes.</summary>
    public TargetDescription Description { get; private set; } = null!;

    /// <summary>Whether the target is stopped, running, or gone.</summary>
    public GdbTargetState State => _state;

    /// <summary>The most recent stop reply (the answer to <c>?</c> right after connecting, at first).</summary>
    public StopReply? LastStop { get; private set; }

    /// <summary>Whether memory accesses use physical addresses (QEMU's <c>Qqemu.PhyMemMode</c>).</summary>
    public bool PhysicalMemoryMode { get; private set; }

    /// <summary>A snapshot of the packets and bytes exchanged so far.</summary>
    public GdbCounters Counters => _counters.Snapshot();

    /// <summary>Packets sent so far by command (their first character: <c>c</c>, <c>s</c>, <c>g</c>, <c>m</c>, <c>Z</c>...), retransmissions included.</summary>
    public IReadOnlyDictionary<char, long> PacketsSentByCommand => _counters.SentByCommand();

    /// <summary>Packets that went out in the same write as an earlier one (<see cref="ReadRegistersAndMemoryAsync(ulong, int, CancellationToken)"/>, <see cref="WriteRegistersAsync"/>): round trips = packets sent − this.</summary>
    public long PacketPairsSent => _counters.PairsSent;

    /// <summary>
    /// Connects to a stub (retrying while the endpoint refuses or does not exist yet, up to
    /// <see cref="GdbClientOptions.ConnectTimeout"/>), negotiates features, asks for the stop
    /// reason and loads the target description.
    /// </summary>
    /// <exception cref="GdbTimeoutException">No connection or no handshake within the timeouts.</exception>
    /// <exception cref="GdbConnectionLostException">The stub closed the connection during the handshake.</exception>
    public static async Task<GdbClient> ConnectAsync(GdbEndpoint endpoint, GdbClientOptions? options = null, CancellationToken ct = default)
    {
        options ??= GdbClientOptions.Default;
        var socket = await ConnectSocketAsync(endpoint, options.ConnectTimeout, ct).ConfigureAwait(false);
        var counters = new GdbCounterSet();
        var client = new GdbClient(endpoint, options, new RspConnection(new NetworkStream(socket, ownsSocket: true), counters, options.LazyAcks, options.ReaderThreadStart, options.ReadPoll), counters);
        try
        {
            await client.HandshakeAsync(ct).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the connection without detaching or killing (QEMU keeps running as it was).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_state != GdbTargetState.Exited)
        {
            _state = GdbTargetState.Disconnected;
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<Socket> ConnectSocketAsync(GdbEndpoint endpoint, TimeSpan timeout, CancellationToken ct)
    {
        var (address, family, protocol) = endpoint.Resolve();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        Exception? last = null;
        while (true)
        {
            var socket = new Socket(family, SocketType.Stream, protocol);
            try
            {
                if (protocol == ProtocolType.Tcp)
                {
                    socket.NoDelay = true;
                }
                // A synchronous connect (a unix socket or QEMU's loopback port answers at once, or refuses): a socket
                // never used asynchronously stays a blocking one, so the pump's reads are plain blocking recv calls
                // that wake the pump directly. Any async call on it would hand every reply through .NET's epoll
                // thread and a thread-pool worker first (two more wake-ups per packet; see RspConnection).
                socket.Connect(address);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                ct.ThrowIfCancellationRequested();
                throw new GdbTimeoutException("connect", timeout,
                    $"could not connect to the gdb stub at {endpoint} within {timeout.TotalSeconds:0.#} s: {last?.Message ?? "no answer"}");
            }
            try
            {
                await Task.Delay(50, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ct.ThrowIfCancellationRequested();
                throw new GdbTimeoutException("connect", timeout,
                    $"could not connect to the gdb stub at {endpoint} within {timeout.TotalSeconds:0.#} s: {last?.Message}");
            }
        }
    }

    private async Task HandshakeAsync(CancellationToken ct)
    {
        var supported = await RequestAsync("qSupported:multiprocess-;swbreak+;hwbreak+;xmlRegisters=i386", "handshake", ct).ConfigureAwait(false);
        Features = ParseFeatures(supported);
        if (Features.TryGetValue("PacketSize", out var size))
        {
            PacketSize = (int)Math.Clamp(RspCodec.ParseHexNumber(size), 64, 1 << 20);
        }
        if (Options.UseNoAckMode && Features.GetValueOrDefault("QStartNoAckMode") == "+")
        {
            var reply = await RequestAsync("QStartNoAckMode", "handshake", ct).ConfigureAwait(false);
            if (reply == "OK")
            {
                _connection.AckMode = false;
            }
        }
        var stop = await RequestAsync("?", "handshake", ct).ConfigureAwait(false);
        if (StopReply.LooksLikeStopReply(stop))
        {
            RecordStop(StopReply.Parse(stop));
        }
        Description = Features.ContainsKey("qXfer:features:read")
            ? await TargetDescription.LoadAsync(annex => ReadFeatureDocumentAsync(annex, ct)).ConfigureAwait(false)
            : await TargetDescription.FromDocumentsAsync(
                new Dictionary<string, string> { ["target.xml"] = "<target/>" }).ConfigureAwait(false);
    }

    private static Dictionary<string, string> ParseFeatures(string reply)
    {
        var features = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in reply.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=');
            if (eq >= 0)
            {
                features[item[..eq]] = item[(eq + 1)..];
            }
            else if (item[^1] is '+' or '-' or '?')
            {
                features[item[..^1]] = item[^1..];
            }
            else
            {
                features[item] = "+";
            }
        }
        return features;
    }

    private async Task<string> ReadFeatureDocumentAsync(string annex, CancellationToken ct)
    {
        var document = new List<byte>();
        var chunk = Math.Max(64, PacketSize - 8);
        while (true)
        {
            var command = $"qXfer:features:read:{annex}:{document.Count:x},{chunk:x}";
            var reply = await ExchangeAsync(RspCodec.Text.GetBytes(command), "read target description", ct).ConfigureAwait(false);
            ThrowOnErrorOrEmpty(command, reply);
            if (reply[0] is not ((byte)'m' or (byte)'l'))
            {
                throw new GdbProtocolException($"unexpected reply to '{command}': '{RspConnection.Describe(reply)}'");
            }
            document.AddRange(RspCodec.UnescapeBinary(reply.AsSpan(1)));
            if (reply[0] == (byte)'l' || reply.Length == 1)
            {
                return RspCodec.Text.GetString(document.ToArray());
            }
        }
    }

    private void RecordStop(StopReply stop)
    {
        LastStop = stop;
        _state = stop.HasExited ? GdbTargetState.Exited : GdbTargetState.Stopped;
    }
}
