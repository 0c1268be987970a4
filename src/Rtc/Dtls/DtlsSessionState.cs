namespace MobZ.Rtc.Dtls;

public enum DtlsSessionState
{
    New,
    Handshaking,
    Connected,

    /// <summary>Closed cleanly: close_notify either way, or closed by us.</summary>
    Closed,

    /// <summary>Handshake failure, fingerprint mismatch, fatal alert or handshake timeout.</summary>
    Failed,
}
