using System.Net;
using System.Net.Sockets;

namespace MobZ.Rtc.Transport.Egress;

/// <summary>A remote address in both forms a sender needs, made once per selected path (not per packet): the managed
/// <see cref="SocketAddress"/> for the portable sender and the native sockaddr bytes for <c>sendmmsg</c>.</summary>
internal sealed class UdpDestination
{
    private readonly byte[] _native = new byte[LinuxSockAddr.MaxLength];

    public UdpDestination(IPEndPoint remote, AddressFamily socketFamily)
    {
        var mapped =
            socketFamily == AddressFamily.InterNetworkV6 && remote.AddressFamily == AddressFamily.InterNetwork
                ? new IPEndPoint(remote.Address.MapToIPv6(), remote.Port)
                : remote;
        Address = mapped.Serialize();
        NativeLength = LinuxSockAddr.Write(remote, socketFamily, _native);
    }

    public SocketAddress Address { get; }

    /// <summary>The sockaddr_in / sockaddr_in6 bytes; empty when the address cannot be reached from the socket's
    /// family.</summary>
    public ReadOnlySpan<byte> Native => _native.AsSpan(0, NativeLength);

    public int NativeLength { get; }
}
