using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using TlsCertificate = Org.BouncyCastle.Crypto.Tls.Certificate;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// The self-signed ECDSA P-256 certificate a Munit presents in DTLS. Browsers pin it by the
/// SHA-256 fingerprint in our SDP, so nothing about its subject or chain matters; one certificate
/// can serve every peer of a process (as browsers reuse one per RTCPeerConnection).
/// </summary>
public sealed class DtlsCertificate
{
    private readonly byte[] _der;
    private readonly byte[] _privateScalar;

    private DtlsCertificate(byte[] der, byte[] privateScalar)
    {
        _der = der;
        _privateScalar = privateScalar;
        Fingerprint = DtlsFingerprint.Compute("sha-256", der);
        TlsCertificate = new TlsCertificate([X509CertificateStructure.GetInstance(der)]);
        PrivateKey = new ECPrivateKeyParameters("EC", new BigInteger(1, privateScalar), SecObjectIdentifiers.SecP256r1);
    }

    /// <summary>Generates a fresh key pair and certificate valid from a day ago for <paramref name="validity"/> (default 30 days).</summary>
    public static DtlsCertificate Generate(TimeSpan? validity = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=MobZ", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now + (validity ?? TimeSpan.FromDays(30)));
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return new DtlsCertificate(certificate.RawData, parameters.D!);
    }

    /// <summary>SHA-256 fingerprint for <c>a=fingerprint</c>.</summary>
    public DtlsFingerprint Fingerprint { get; }

    public ReadOnlySpan<byte> Der => _der;

    internal TlsCertificate TlsCertificate { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }
}
