using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// The self-signed ECDSA P-256 certificate a Munit presents in DTLS. Browsers pin it by the
/// SHA-256 fingerprint in our SDP, so nothing about its subject or chain matters; one certificate
/// can serve every peer of a process (as browsers reuse one per RTCPeerConnection).
/// </summary>
public sealed class DtlsCertificate
{
    private readonly byte[] _der;
    private readonly ECDsa _key;
    private readonly Lock _signGate = new();

    private DtlsCertificate(byte[] der, ECDsa key)
    {
        _der = der;
        _key = key;
        Fingerprint = DtlsFingerprint.Compute("sha-256", der);
    }

    /// <summary>
    /// Generates a fresh key pair and certificate valid from a day before <paramref name="time"/>'s now (the system
    /// clock when null) for <paramref name="validity"/> (default 30 days).
    /// </summary>
    public static DtlsCertificate Generate(TimeSpan? validity = null, TimeProvider? time = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=MobZ", key, HashAlgorithmName.SHA256);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now + (validity ?? TimeSpan.FromDays(30)));
        return new DtlsCertificate(certificate.RawData, key);
    }

    /// <summary>SHA-256 fingerprint for <c>a=fingerprint</c>.</summary>
    public DtlsFingerprint Fingerprint { get; }

    public ReadOnlySpan<byte> Der => _der;

    /// <summary>The key pair, for a DTLS client on BouncyCastle (<see cref="DtlsSrtpClient"/>) that signs with
    /// it.</summary>
    internal ECParameters ExportParameters()
    {
        lock (_signGate)
            return _key.ExportParameters(true);
    }

    /// <summary>
    /// ECDSA-SHA256 over <paramref name="data"/>, DER-encoded as TLS carries it (RFC 4492 §5.4). One key
    /// serves every session of the transport, and sessions handshake on several receive threads at once,
    /// so signing is serialised (a signature takes tens of microseconds).
    /// </summary>
    internal byte[] Sign(ReadOnlySpan<byte> data)
    {
        lock (_signGate)
            return _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
