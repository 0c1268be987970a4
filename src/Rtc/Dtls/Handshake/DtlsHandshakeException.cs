namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>Ends a handshake: the alert we send the peer and the reason we report.</summary>
internal sealed class DtlsHandshakeException(byte alert, string reason) : Exception(reason)
{
    public byte Alert { get; } = alert;
}
