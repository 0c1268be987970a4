using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>What the server's answer carries for a client (the server peer's ICE credentials, fingerprint and setup),
/// as the load tool reads it from SDP.</summary>
internal static class ServerAnswer
{
    public static RtcRemoteParameters Of(RtcPeer peer) =>
        new(peer.Local.Ice.Ufrag, peer.Local.Ice.Password, peer.Local.Fingerprint, peer.Local.Setup);
}
