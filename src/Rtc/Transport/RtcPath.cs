using MobZ.Rtc.Transport.Egress;

namespace MobZ.Rtc.Transport;

/// <summary>
/// The way packets reach a peer's selected remote: the shared UDP socket to one address, or one ICE-TCP connection.
/// A peer holds the path its nomination chose, so a TCP remote and a UDP remote with the same ip:port never mix.
/// <see cref="Send"/> never blocks and allocates nothing.
/// </summary>
internal abstract class RtcPath
{
    /// <summary>Hands over one STUN, DTLS or SRTP packet; false when it was dropped (closed path, full queue or send
    /// buffer, socket error), counted by reason on the transport and on <paramref name="owner"/> (the peer's
    /// counters).</summary>
    public abstract bool Send(ReadOnlySpan<byte> packet, EgressCounters? owner);
}

/// <summary>UDP datagrams to one remote address through the transport's egress (batched on the receive
/// thread).</summary>
internal sealed class UdpPath(UdpEgress egress, UdpDestination remote) : RtcPath
{
    public override bool Send(ReadOnlySpan<byte> packet, EgressCounters? owner) => egress.Send(packet, remote, owner);
}
