using System.Net;

namespace MobZ.Rtc.Transport;

/// <summary>
/// The way packets reach a peer's selected remote: the shared UDP socket to one address, or one ICE-TCP connection.
/// A peer holds the path its nomination chose, so a TCP remote and a UDP remote with the same ip:port never mix.
/// <see cref="Send"/> never blocks and allocates nothing.
/// </summary>
internal abstract class RtcPath
{
    /// <summary>Sends one STUN, DTLS or SRTP packet; false when it was not sent (closed path, full queue, socket
    /// error).</summary>
    public abstract bool Send(ReadOnlySpan<byte> packet);
}

/// <summary>UDP datagrams to one remote address through the transport's socket.</summary>
internal sealed class UdpPath(RtcUdpTransport transport, SocketAddress remote) : RtcPath
{
    public override bool Send(ReadOnlySpan<byte> packet) => transport.Send(packet, remote);
}
