using System.Security.Cryptography;
using MobZ.Rtc.Srtp;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using BcCertificate = Org.BouncyCastle.Tls.Certificate;
using BcCertificateRequest = Org.BouncyCastle.Tls.CertificateRequest;
using BcHashAlgorithm = Org.BouncyCastle.Tls.HashAlgorithm;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// The DTLS-SRTP client as a browser plays it (RFC 5763/5764), on BouncyCastle's DTLS 1.2 client protocol: offers
/// use_srtp with our SRTP profiles, presents <paramref name="certificate"/> (the one our SDP's a=fingerprint names),
/// pins the server's certificate to <paramref name="expectedServer"/> (the fingerprint from the server's SDP; any
/// certificate when null) and, when the handshake completes, exports the SRTP master keys.
/// One instance serves one handshake.
/// </summary>
internal sealed class DtlsSrtpClient(
    DtlsCertificate certificate,
    DtlsFingerprint? expectedServer,
    IReadOnlyList<SrtpProfile> profiles
) : DefaultTlsClient(new BcTlsCrypto())
{
    /// <summary>What a browser offers: GCM first, then the mandatory AES-CM/HMAC-SHA1-80.</summary>
    public static readonly SrtpProfile[] DefaultProfiles = [SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80];

    public DtlsCertificate Certificate => certificate;

    public DtlsFingerprint? ExpectedServer => expectedServer;

    private IReadOnlyList<SrtpProfile> Offered => profiles.Count == 0 ? DefaultProfiles : profiles;

    /// <summary>The profile the server chose from our use_srtp list.</summary>
    public SrtpProfile SelectedProfile { get; private set; }

    /// <summary>The exported master keys (client's protect what the client sends); set when the handshake is
    /// done.</summary>
    public (SrtpKeys Client, SrtpKeys Server)? Keys { get; private set; }

    /// <summary>The server certificate's DER, once it was received.</summary>
    public byte[]? ServerCertificateDer { get; private set; }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
        [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA];

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        int[] offered = Offered.Select(p => (int)p).ToArray();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData(offered, TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        var useSrtp = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions)
            ?? throw new TlsFatalAlert(AlertDescription.handshake_failure, "server did not negotiate use_srtp");
        if (useSrtp.ProtectionProfiles.Length != 1)
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose no single SRTP profile");
        var chosen = (SrtpProfile)useSrtp.ProtectionProfiles[0];
        if (!Offered.Contains(chosen))
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose a profile we did not offer");
        SelectedProfile = chosen;
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        var material = m_context.ExportKeyingMaterial(
            ExporterLabel.dtls_srtp,
            null,
            SrtpKeys.KeyingMaterialLength(SelectedProfile)
        );
        Keys = SrtpKeys.FromKeyingMaterial(SelectedProfile, material);
    }

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var chain = serverCertificate.Certificate;
            if (chain is null || chain.IsEmpty)
                throw new TlsFatalAlert(AlertDescription.bad_certificate, "server sent no certificate");
            byte[] der = chain.GetCertificateAt(0).GetEncoded();
            client.ServerCertificateDer = der;
            if (client.ExpectedServer is { } expected && !expected.Matches(der))
                throw new TlsFatalAlert(AlertDescription.bad_certificate, "server certificate fingerprint mismatch");
        }

        public TlsCredentials GetClientCredentials(BcCertificateRequest certificateRequest)
        {
            var crypto = (BcTlsCrypto)client.Crypto;
            var chain = new BcCertificate([crypto.CreateCertificate(client.Certificate.Der.ToArray())]);
            ECParameters parameters = client.Certificate.ExportParameters();
            var key = new ECPrivateKeyParameters("EC", new BigInteger(1, parameters.D), SecObjectIdentifiers.SecP256r1);
            return new BcDefaultTlsCredentialedSigner(
                new TlsCryptoParameters(client.m_context),
                crypto,
                key,
                chain,
                new SignatureAndHashAlgorithm(BcHashAlgorithm.sha256, SignatureAlgorithm.ecdsa)
            );
        }
    }
}
