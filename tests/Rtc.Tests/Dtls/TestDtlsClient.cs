using System.Collections;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Srtp;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Math;
using TlsCertificate = Org.BouncyCastle.Crypto.Tls.Certificate;

namespace MobZ.Rtc.Tests.Dtls;

/// <summary>
/// A DTLS-SRTP client (BouncyCastle's client protocol) standing in for a browser in unit tests:
/// offers use_srtp, presents its own self-signed certificate and pins the server's fingerprint.
/// </summary>
internal sealed class TestDtlsClient : DefaultTlsClient
{
    private readonly DtlsFingerprint? _expectedServer;
    private readonly int[] _profiles;
    private readonly TlsCertificate _certificate;
    private readonly ECPrivateKeyParameters _key;

    public TestDtlsClient(DtlsFingerprint? expectedServer, params SrtpProfile[] profiles)
    {
        _expectedServer = expectedServer;
        _profiles =
            profiles.Length == 0
                ? [(int)SrtpProfile.AeadAes128Gcm, (int)SrtpProfile.Aes128CmHmacSha1_80]
                : profiles.Select(p => (int)p).ToArray();
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=test-client",
            ecdsa,
            HashAlgorithmName.SHA256
        );
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificateDer = cert.RawData;
        Fingerprint = DtlsFingerprint.Compute("sha-256", CertificateDer);
        _certificate = new TlsCertificate([X509CertificateStructure.GetInstance(CertificateDer)]);
        _key = new ECPrivateKeyParameters(
            "EC",
            new BigInteger(1, ecdsa.ExportParameters(true).D),
            SecObjectIdentifiers.SecP256r1
        );
    }

    public byte[] CertificateDer { get; }

    /// <summary>What the client's SDP would carry as a=fingerprint.</summary>
    public DtlsFingerprint Fingerprint { get; }

    public SrtpProfile SelectedProfile { get; private set; }

    public (SrtpKeys Client, SrtpKeys Server)? Keys { get; private set; }

    public override ProtocolVersion ClientVersion => ProtocolVersion.DTLSv12;

    public override ProtocolVersion MinimumVersion => ProtocolVersion.DTLSv10;

    public override int[] GetCipherSuites() =>
        [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA];

    public override IDictionary GetClientExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSRTPUtils.AddUseSrtpExtension(extensions, new UseSrtpData(_profiles, TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        var useSrtp = TlsSRTPUtils.GetUseSrtpExtension(serverExtensions);
        SelectedProfile = (SrtpProfile)useSrtp.ProtectionProfiles[0];
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        var material = mContext.ExportKeyingMaterial(
            ExporterLabel.dtls_srtp,
            null,
            SrtpKeys.KeyingMaterialLength(SelectedProfile)
        );
        Keys = SrtpKeys.FromKeyingMaterial(SelectedProfile, material);
    }

    private sealed class Authentication(TestDtlsClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsCertificate serverCertificate)
        {
            if (
                client._expectedServer is { } expected
                && !expected.Matches(serverCertificate.GetCertificateAt(0).GetDerEncoded())
            )
            {
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
            }
        }

        public TlsCredentials GetClientCredentials(Org.BouncyCastle.Crypto.Tls.CertificateRequest certificateRequest) =>
            new DefaultTlsSignerCredentials(
                client.mContext,
                client._certificate,
                client._key,
                new SignatureAndHashAlgorithm(
                    Org.BouncyCastle.Crypto.Tls.HashAlgorithm.sha256,
                    SignatureAlgorithm.ecdsa
                )
            );
    }
}
