using System.Net;
using System.Net.Sockets;

namespace Harness.Gdb;

/// <summary>Where a gdb stub listens: a TCP port or a unix socket path.</summary>
public abstract record GdbEndpoint
{
    private GdbEndpoint() { }

    /// <summary>A TCP endpoint, as QEMU's <c>-gdb tcp:HOST:PORT</c>.</summary>
    public static GdbEndpoint Tcp(string host, int port) => new TcpEndpoint(host, port);

    /// <summary>A TCP endpoint on the loopback interface (127.0.0.1).</summary>
    public static GdbEndpoint Loopback(int port) => new TcpEndpoint("127.0.0.1", port);

    /// <summary>A unix socket, as QEMU's <c>-gdb unix:PATH,server=on,wait=off</c>.</summary>
    public static GdbEndpoint Unix(string path) => new UnixEndpoint(path);

    /// <summary>The socket's endpoint and protocol details.</summary>
    internal abstract (EndPoint EndPoint, AddressFamily Family, ProtocolType Protocol) Resolve();

    /// <summary>A TCP endpoint.</summary>
    /// <param name="Host">Host name or address.</param>
    /// <param name="Port">TCP port.</param>
    public sealed record TcpEndpoint(string Host, int Port) : GdbEndpoint
    {
        internal override (EndPoint, AddressFamily, ProtocolType) Resolve()
        {
            var address = IPAddress.TryParse(Host, out var parsed)
                ? parsed
                : Dns.GetHostAddresses(Host).First(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6);
            return (new IPEndPoint(address, Port), address.AddressFamily, ProtocolType.Tcp);
        }

        /// <inheritdoc />
        public override string ToString() => $"tcp:{Host}:{Port}";
    }

    /// <summary>A unix socket endpoint.</summary>
    /// <param name="Path">Path of the socket file.</param>
    public sealed record UnixEndpoint(string Path) : GdbEndpoint
    {
        internal override (EndPoint, AddressFamily, ProtocolType) Resolve() =>
            (new UnixDomainSocketEndPoint(Path), AddressFamily.Unix, ProtocolType.Unspecified);

        /// <inheritdoc />
        public override string ToString() => $"unix:{Path}";
    }
}
