namespace MobZ.Rtc.Dtls;

/// <summary>What a <see cref="DtlsServerSession"/> reports; called from the session's handshake thread or the
/// socket's receive path.</summary>
public interface IDtlsSessionObserver
{
    /// <summary>The handshake finished and SRTP keys are available.</summary>
    void OnDtlsConnected(DtlsServerSession session);

    /// <summary>The session ended (<see cref="DtlsServerSession.State"/> says how); called at most once.</summary>
    void OnDtlsClosed(DtlsServerSession session, string reason);

    /// <summary>A record that did not authenticate (or was cut short) was dropped; called on the receive
    /// path.</summary>
    void OnDtlsRecordRejected(DtlsServerSession session);
}
