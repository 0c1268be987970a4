namespace MobZ.Rtc.Dtls;

/// <summary>What a <see cref="DtlsServerSession"/> reports; called from the session's handshake thread.</summary>
public interface IDtlsSessionObserver
{
    /// <summary>The handshake finished and SRTP keys are available.</summary>
    void OnDtlsConnected(DtlsServerSession session);

    /// <summary>The session ended (<see cref="DtlsServerSession.State"/> says how); called at most once.</summary>
    void OnDtlsClosed(DtlsServerSession session, string reason);
}
