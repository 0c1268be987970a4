using System.Net;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Transport;

public sealed class RtcClientPeerOptions
{
    /// <summary>Address the peer's own UDP socket binds to (any port); the route to the server decides the
    /// source address when this is 0.0.0.0.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>SRTP profiles offered in use_srtp, in preference order; empty offers AES-GCM, then
    /// AES-CM/HMAC-SHA1-80, as browsers do.</summary>
    public IReadOnlyList<SrtpProfile> SrtpProfiles { get; init; } = [];

    /// <summary>Our DTLS certificate; null generates one per peer. A load tool may share one between peers, as a
    /// browser shares one between its peer connections.</summary>
    public DtlsCertificate? Certificate { get; init; }

    /// <summary>Connectivity-check retransmission and consent timing.</summary>
    public IceControllingOptions Ice { get; init; } = new();

    /// <summary>How long the DTLS handshake may take once ICE is connected.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Kernel receive buffer of the peer's socket.</summary>
    public int SocketReceiveBufferSize { get; init; } = 1024 * 1024;

    /// <summary>Clock of ICE retransmissions and consent (a fake clock in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
