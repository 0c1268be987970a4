using System.Collections;
using MobZ.Rtc.Srtp;
using Org.BouncyCastle.Crypto.Tls;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// BouncyCastle TLS server policy for DTLS-SRTP (RFC 5764): ECDHE-ECDSA suites, use_srtp with our
/// profile preference, a mandatory client certificate pinned by the remote SDP fingerprint.
/// </summary>
internal sealed class DtlsSrtpServer : DefaultTlsServer
{
    private readonly DtlsCertificate _certificate;
    private readonly DtlsFingerprint _remoteFingerprint;
    private readonly SrtpProfile[] _profiles;

    public DtlsSrtpServer(DtlsCertificate certificate, DtlsFingerprint remoteFingerprint, IReadOnlyList<SrtpProfile> profiles)
    {
        _certificate = certificate;
        _remoteFingerprint = remoteFingerprint;
        _profiles = [.. profiles];
    }

    public SrtpProfile SelectedProfile { get; private set; }

    public bool ClientCertificateVerified { get; private set; }

    public bool ExtendedMasterSecret { get; private set; }

    /// <summary>SRTP keys exported when the handshake completed: (DTLS client's, DTLS server's).</summary>
    public (SrtpKeys Client, SrtpKeys Server)? SrtpKeys { get; private set; }

    /// <summary>Last alert the peer sent (level, description), e.g. close_notify.</summary>
    public Action<byte, byte>? AlertReceived { get; set; }

    public Action<byte, byte, string?>? AlertRaised { get; set; }

    /// <summary>
    /// Opens the client's protected records outside BouncyCastle's record layer (which treats a
    /// record that fails authentication as fatal); set once the keys exist, before the client's Finished.
    /// </summary>
    public DtlsRecordAuthenticator? RecordAuthenticator { get; private set; }

    protected override ProtocolVersion MaximumVersion => ProtocolVersion.DTLSv12;

    protected override ProtocolVersion MinimumVersion => ProtocolVersion.DTLSv10;

    protected override int[] GetCipherSuites() =>
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    ];

    public override void ProcessClientExtensions(IDictionary clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var useSrtp = clientExtensions is null ? null : TlsSRTPUtils.GetUseSrtpExtension(clientExtensions);
        if (useSrtp is null)
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        // Our preference order wins (AEAD first); the client's list only says what it can do.
        foreach (var candidate in _profiles)
        {
            if (Array.IndexOf(useSrtp.ProtectionProfiles, (int)candidate) >= 0)
            {
                SelectedProfile = candidate;
                return;
            }
        }
        throw new TlsFatalAlert(AlertDescription.handshake_failure);
    }

    public override IDictionary GetServerExtensions()
    {
        var extensions = base.GetServerExtensions() ?? new Hashtable();
        TlsSRTPUtils.AddUseSrtpExtension(extensions, new UseSrtpData([(int)SelectedProfile], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override CertificateRequest GetCertificateRequest()
    {
        IList? algorithms = null;
        if (TlsUtilities.IsTlsV12(mContext))
        {
            // An explicit SHA-256-first list: Chrome refuses a request whose list it cannot sign with.
            algorithms = new ArrayList
            {
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.rsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha384, SignatureAlgorithm.rsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha512, SignatureAlgorithm.rsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha1, SignatureAlgorithm.ecdsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha1, SignatureAlgorithm.rsa),
            };
        }
        return new CertificateRequest([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign], algorithms, null);
    }

    /// <summary>
    /// The pending epoch's cipher for BouncyCastle, plus a second instance with the same keys for
    /// <see cref="RecordAuthenticator"/>: the master secret is wiped after the handshake, so this is the
    /// only moment both can be derived.
    /// </summary>
    public override TlsCipher GetCipher()
    {
        var forRecordLayer = base.GetCipher();
        RecordAuthenticator = new DtlsRecordAuthenticator(base.GetCipher());
        return forRecordLayer;
    }

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        var der = clientCertificate.GetCertificateAt(0).GetDerEncoded();
        if (!_remoteFingerprint.Matches(der))
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        ClientCertificateVerified = true;
    }

    protected override TlsSignerCredentials GetECDsaSignerCredentials()
    {
        var algorithm = TlsUtilities.IsTlsV12(mContext)
            ? new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa)
            : null;
        return new DefaultTlsSignerCredentials(mContext, _certificate.TlsCertificate, _certificate.PrivateKey, algorithm);
    }

    public override void NotifyAlertReceived(byte alertLevel, byte alertDescription) =>
        AlertReceived?.Invoke(alertLevel, alertDescription);

    public override void NotifyAlertRaised(byte alertLevel, byte alertDescription, string message, Exception cause) =>
        AlertRaised?.Invoke(alertLevel, alertDescription, message ?? cause?.Message);

    /// <summary>
    /// RFC 5764 §4.2: EXTRACTOR-dtls_srtp split into (client, server) key+salt. Exported here
    /// because BouncyCastle wipes the master secret as soon as this callback returns.
    /// </summary>
    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        ExtendedMasterSecret = mContext.SecurityParameters.IsExtendedMasterSecret;
        var material = mContext.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, Srtp.SrtpKeys.KeyingMaterialLength(SelectedProfile));
        SrtpKeys = Srtp.SrtpKeys.FromKeyingMaterial(SelectedProfile, material);
        Array.Clear(material);
    }
}
