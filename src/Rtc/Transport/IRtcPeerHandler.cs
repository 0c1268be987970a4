namespace MobZ.Rtc.Transport;

/// <summary>
/// What a peer delivers upward. Media callbacks run on the transport's receive thread with a span
/// over its reused receive buffer: valid only during the call, writable (rewrite in place), never
/// to be stored. Do not block in them; every peer on the port waits behind a slow handler.
/// </summary>
public interface IRtcPeerHandler
{
    /// <summary>A decrypted, authenticated RTP packet.</summary>
    void OnRtp(RtcPeer peer, Span<byte> packet);

    /// <summary>A decrypted, authenticated RTCP compound packet.</summary>
    void OnRtcp(RtcPeer peer, Span<byte> packet);

    /// <summary>Called on whichever thread observed the change (receive loop, timer or DTLS thread).</summary>
    void OnStateChanged(RtcPeer peer, RtcPeerState state);
}
