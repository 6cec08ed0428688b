using System.Net;
using System.Net.Sockets;
using System.Text;
using Harness.Gdb;
using Harness.Gdb.Protocol;

namespace Harness.Tests.Gdb;

/// <summary>
/// A scripted gdb stub on a loopback socket, for protocol tests only (framing, escaping,
/// run-length encoding, acks, errors). Everything about real targets is tested against QEMU.
/// </summary>
internal sealed class FakeStub : IAsyncDisposable
{
    private const string TargetXml =
        "<?xml version=\"1.0\"?><target><architecture>i386:x86-64</architecture><xi:include href=\"core.xml\"/></target>";

    private const string CoreXml =
        "<feature name=\"core\"><reg name=\"rax\" bitsize=\"64\" regnum=\"0\"/><reg name=\"rip\" bitsize=\"64\"/><reg name=\"eflags\" bitsize=\"32\"/></feature>";

    private readonly TcpListener _listener;
    private Socket? _socket;
    private readonly byte[] _one = new byte[1];

    public FakeStub()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
    }

    public GdbEndpoint Endpoint => GdbEndpoint.Loopback(((IPEndPoint)_listener.LocalEndpoint).Port);

    /// <summary>True while the stub acks the client's packets (and expects acks back).</summary>
    public bool AckMode { get; set; } = true;

    /// <summary>The client acks lazily (GdbClientOptions.LazyAcks): the stub does not wait for an ack after its packets.</summary>
    public bool ClientAcksLazily { get; set; }

    /// <summary>Acks seen in front of the client's packets.</summary>
    public int AcksReceived { get; private set; }

    /// <summary>Naks the client sent.</summary>
    public int NaksReceived { get; private set; }

    /// <summary>Packets as the client framed them (payload only), in order.</summary>
    public List<byte[]> Received { get; } = [];

    public static readonly GdbClientOptions FastOptions = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        CommandTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>Connects a client and serves its handshake.</summary>
    public async Task<GdbClient> ConnectClientAsync(string features = "PacketSize=1000;qXfer:features:read+", GdbClientOptions? options = null)
    {
        var connect = GdbClient.ConnectAsync(Endpoint, options ?? FastOptions);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            _socket = await _listener.AcceptSocketAsync(timeout.Token);
        }
        Assert.StartsWith("qSupported", await ReadPacketAsync());
        await SendPacketAsync(features);
        if (features.Contains("QStartNoAckMode+", StringComparison.Ordinal))
        {
            Assert.Equal("QStartNoAckMode", await ReadPacketAsync());
            await SendPacketAsync("OK"); // the client acks this last one
            AckMode = false;
        }
        Assert.Equal("?", await ReadPacketAsync());
        await SendPacketAsync("S05");
        if (features.Contains("qXfer:features:read", StringComparison.Ordinal))
        {
            await ServeDocumentAsync("target.xml", TargetXml);
            await ServeDocumentAsync("core.xml", CoreXml);
        }
        return await connect;
    }

    /// <summary>Reads the next packet from the client (acks before it are skipped), acking it in ack mode.</summary>
    public async Task<string> ReadPacketAsync(bool ack = true) =>
        Encoding.Latin1.GetString(await ReadPacketBytesAsync(ack));

    public async Task<byte[]> ReadPacketBytesAsync(bool ack = true)
    {
        int b;
        while ((b = await ReadByteAsync()) != '$')
        {
            if (b == '-')
            {
                NaksReceived++;
            }
            else if (b == '+')
            {
                AcksReceived++;
            }
        }
        var body = new List<byte>();
        while ((b = await ReadByteAsync()) != '#')
        {
            body.Add((byte)b);
        }
        var cs = Convert.ToByte(Encoding.Latin1.GetString([(byte)await ReadByteAsync(), (byte)await ReadByteAsync()]), 16);
        Assert.Equal(RspCodec.Checksum(body.ToArray()), cs);
        Received.Add(body.ToArray());
        if (AckMode && ack)
        {
            await SendRawAsync("+");
        }
        return body.ToArray();
    }

    /// <summary>Waits for the client's ack of the stub's last packet.</summary>
    public async Task ExpectAckAsync()
    {
        Assert.Equal('+', await ReadByteAsync());
    }

    /// <summary>Reads one byte from the client.</summary>
    public async Task<int> ReadByteAsync()
    {
        // A test waiting for a client that never sends must fail, not hang.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await _socket!.ReceiveAsync(_one, SocketFlags.None, timeout.Token);
        return n == 0 ? throw new EndOfStreamException("client closed") : _one[0];
    }

    /// <summary>Sends a packet with a correct checksum and, in ack mode, waits for the client's ack.</summary>
    public async Task SendPacketAsync(string payload, bool waitForAck = true)
    {
        await SendRawBytesAsync(RspCodec.Frame(Encoding.Latin1.GetBytes(payload)));
        if (AckMode && waitForAck && !ClientAcksLazily)
        {
            await ExpectAckAsync();
        }
    }

    /// <summary>Sends bytes as they are (for corrupt packets and noise).</summary>
    public Task SendRawAsync(string raw) => SendRawBytesAsync(Encoding.Latin1.GetBytes(raw));

    public async Task SendRawBytesAsync(byte[] raw)
    {
        await _socket!.SendAsync(raw, SocketFlags.None);
    }

    /// <summary>Closes the client's connection abruptly.</summary>
    public void Drop()
    {
        _socket?.Close();
    }

    public ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }

    private async Task ServeDocumentAsync(string annex, string text)
    {
        var request = await ReadPacketAsync();
        Assert.StartsWith($"qXfer:features:read:{annex}:0,", request);
        await SendPacketAsync("l" + text);
    }
}
