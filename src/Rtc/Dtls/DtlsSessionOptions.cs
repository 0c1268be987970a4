using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Dtls;

public sealed class DtlsSessionOptions
{
    /// <summary>Give up on a handshake that has not completed by then (counted from <see
    /// cref="DtlsServerSession.Start"/>).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after success we still answer a retransmitted final client flight (our Finished was
    /// lost). Afterwards an unprotected handshake record is counted as unauthenticated and dropped.
    /// </summary>
    public TimeSpan PostHandshakeLinger { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>First retransmission of our flight when the client's answer does not come (RFC 6347 §4.2.4.1: 1
    /// s).</summary>
    public TimeSpan RetransmitInitial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The retransmission interval doubles up to this.</summary>
    public TimeSpan RetransmitMax { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>SRTP profiles we accept, most preferred first.</summary>
    public IReadOnlyList<SrtpProfile> SrtpProfiles { get; init; } = [.. Srtp.SrtpProfiles.Preferred];

    /// <summary>Largest DTLS datagram we send; larger handshake messages are fragmented to fit.</summary>
    public int SendLimit { get; init; } = 1200;

    /// <summary>Clock for the retransmission and timeout timers (a FakeTimeProvider in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
