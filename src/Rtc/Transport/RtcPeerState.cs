namespace MobZ.Rtc.Transport;

/// <summary>Connection state of one peer, in the order a healthy connection passes through them.</summary>
public enum RtcPeerState
{
    New,

    /// <summary>Registered on the socket, waiting for the peer's ICE connectivity checks.</summary>
    Checking,

    /// <summary>ICE connected (a check succeeded); the DTLS handshake is running.</summary>
    IceConnected,

    /// <summary>DTLS done, SRTP keys installed: media flows both ways.</summary>
    Connected,

    /// <summary>Consent checks stopped for a while; recovers to <see cref="Connected"/> on the next check.</summary>
    Disconnected,

    /// <summary>Consent expired, DTLS failed (e.g. fingerprint mismatch) or a fatal alert; terminal.</summary>
    Failed,

    /// <summary>Closed by us or by the peer's close_notify; terminal.</summary>
    Closed,
}
