namespace MobZ.Rtc.Transport;

/// <summary>
/// What a <see cref="RtcClientPeer"/> delivers upward. Media callbacks run on the peer's receive loop with a span over
/// its reused receive buffer: valid only during the call, never to be stored.
/// </summary>
public interface IRtcClientHandler
{
    /// <summary>A decrypted, authenticated RTP packet from the server.</summary>
    void OnRtp(RtcClientPeer peer, Span<byte> packet);

    /// <summary>A decrypted, authenticated RTCP compound packet from the server.</summary>
    void OnRtcp(RtcClientPeer peer, Span<byte> packet);

    /// <summary>Called on whichever thread observed the change (receive loop, ICE timer or the connecting
    /// task).</summary>
    void OnStateChanged(RtcClientPeer peer, RtcPeerState state);
}
