using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Dtls;

public sealed class DtlsSessionOptions
{
    /// <summary>Give up on a handshake that has not completed by then.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the handshake thread stays after success to answer a retransmitted final client
    /// flight (our Finished was lost) and to read alerts. Afterwards alerts are recognised from
    /// the record header alone and the thread is released.
    /// </summary>
    public TimeSpan PostHandshakeLinger { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>SRTP profiles we accept, most preferred first.</summary>
    public IReadOnlyList<SrtpProfile> SrtpProfiles { get; init; } = [.. Srtp.SrtpProfiles.Preferred];

    /// <summary>Largest DTLS datagram we send; our flight fits well below typical path MTUs.</summary>
    public int SendLimit { get; init; } = 1200;
}
