namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>Handshake message types we send or accept (RFC 5246 §7.4, RFC 6347 §4.3.2).</summary>
internal static class HandshakeType
{
    public const byte ClientHello = 1;
    public const byte ServerHello = 2;
    public const byte Certificate = 11;
    public const byte ServerKeyExchange = 12;
    public const byte CertificateRequest = 13;
    public const byte ServerHelloDone = 14;
    public const byte CertificateVerify = 15;
    public const byte ClientKeyExchange = 16;
    public const byte Finished = 20;
}
