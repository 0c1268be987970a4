using MobZ.Munit.Routing;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

/// <summary>The forwarder's view of a transport peer: protect in place (the pooled buffer has tailroom) and
/// send.</summary>
internal sealed class RtcPeerOutput(RtcPeer peer) : IPeerOutput
{
    public RtcPeer Peer { get; } = peer;

    public void SendRtp(Span<byte> buffer, int length) => Peer.SendRtpInPlace(buffer, length);

    public void SendRtcp(Span<byte> buffer, int length) => Peer.SendRtcpInPlace(buffer, length);
}

/// <summary>Output of a viewer whose answer has not arrived yet: nothing can be sent.</summary>
internal sealed class NoOutput : IPeerOutput
{
    public static NoOutput Instance { get; } = new();

    public void SendRtp(Span<byte> buffer, int length) { }

    public void SendRtcp(Span<byte> buffer, int length) { }
}
