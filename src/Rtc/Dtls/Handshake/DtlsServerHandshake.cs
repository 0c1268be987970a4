using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>
/// The DTLS 1.2 server handshake as a state machine (RFC 6347 §4.2.4, full handshake with client
/// authentication, no cookie exchange, no resumption):
/// <code>
///   ClientHello                 --------&gt;
///                                           ServerHello, Certificate, ServerKeyExchange,
///                               &lt;--------  CertificateRequest, ServerHelloDone        (flight 2)
///   Certificate, ClientKeyExchange,
///   CertificateVerify, [CCS], Finished  --&gt;
///                               &lt;--------  [CCS], Finished                            (flight 4)
/// </code>
/// Fed record plaintexts on the caller's thread; never blocks and owns no thread or timer (the session
/// drives retransmission). Not thread-safe: the session serialises calls.
/// </summary>
internal sealed class DtlsServerHandshake : IDisposable
{
    private const ushort ProtectedEpoch = 1;

    private readonly DtlsCertificate _certificate;
    private readonly DtlsFingerprint _remoteFingerprint;
    private readonly SrtpProfile[] _profiles;
    private readonly int _sendLimit;
    private readonly IDtlsDatagramSender _sender;

    private HandshakeReassembler? _reassembler;
    private IncrementalHash? _transcript;
    private ECDiffieHellman? _ecdh;
    private byte[]? _clientRandom;
    private byte[]? _serverRandom;
    private byte[]? _serverFlight;
    private byte[]? _masterSecret;
    private byte[]? _clientCertificate;
    private byte[]? _verifyHash;
    private byte[]? _serverFinished;
    private ulong _epoch0Sequence;
    private ulong _epoch1Sequence;

    public DtlsServerHandshake(
        DtlsCertificate certificate,
        DtlsFingerprint remoteFingerprint,
        SrtpProfile[] profiles,
        int sendLimit,
        IDtlsDatagramSender sender
    )
    {
        _certificate = certificate;
        _remoteFingerprint = remoteFingerprint;
        _profiles = profiles;
        _sendLimit = Math.Clamp(sendLimit, 256, 1500);
        _sender = sender;
    }

    public enum Step
    {
        ExpectClientHello,
        ExpectCertificate,
        ExpectClientKeyExchange,
        ExpectCertificateVerify,
        ExpectFinished,
        Done,
    }

    public Step Current { get; private set; }

    /// <summary>Our flight 2 is out and we wait for the client's answer: the session's retransmission timer
    /// runs.</summary>
    public bool AwaitsClientFlight => Current is > Step.ExpectClientHello and < Step.Done;

    /// <summary>Protects epoch 1 both ways, from the ClientKeyExchange on.</summary>
    public DtlsRecordProtection? Protection { get; private set; }

    public SrtpProfile Profile { get; private set; }

    public bool ExtendedMasterSecret { get; private set; }

    /// <summary>Exported when the handshake completes: (DTLS client's, DTLS server's).</summary>
    public (SrtpKeys Client, SrtpKeys Server)? SrtpKeys { get; private set; }

    /// <summary>Set when a fragment of an already processed message arrived: the peer lost our last flight.</summary>
    public bool PeerRetransmitted { get; set; }

    /// <summary>
    /// One handshake record's plaintext (epoch 0 as received, epoch 1 after <see cref="Protection"/> opened it).
    /// Returns true when this record completed the handshake. Throws <see cref="DtlsHandshakeException"/> to fail it.
    /// </summary>
    public bool OnHandshakeRecord(ReadOnlySpan<byte> plaintext, bool protectedEpoch)
    {
        if (Current == Step.Done)
        {
            // After success only the client's retransmitted last flight can arrive: our Finished was lost.
            PeerRetransmitted = true;
            return false;
        }
        _reassembler ??= new HandshakeReassembler();
        int position = 0;
        while (position < plaintext.Length)
        {
            if (!HandshakeFragment.TryRead(plaintext, ref position, out var fragment))
                return false; // a damaged record is dropped; the peer retransmits
            if (_reassembler.Add(fragment, protectedEpoch) == HandshakeReassembler.Outcome.Old)
                PeerRetransmitted = true;
        }
        while (
            _reassembler is not null && _reassembler.TryTakeNext(out byte type, out byte[] body, out bool isProtected)
        )
        {
            if (Process(type, body, isProtected))
                return true;
        }
        return false;
    }

    /// <summary>Sends our latest flight again (timer expiry, or the peer retransmitted).</summary>
    public void Retransmit()
    {
        PeerRetransmitted = false;
        if (Current == Step.Done)
            SendFinalFlight();
        else if (_serverFlight is not null)
            SendFlight(_serverFlight);
    }

    /// <summary>A protected alert (close_notify on close), once keys exist.</summary>
    public void SendAlert(byte level, byte description)
    {
        Span<byte> alert = [level, description];
        Span<byte> record = stackalloc byte[DtlsRecords.HeaderLength + DtlsRecordProtection.Overhead + 2];
        int length;
        if (Protection is not null && Current == Step.Done)
        {
            length = Protection.Seal(DtlsRecords.Alert, ProtectedEpoch, _epoch1Sequence++, alert, record);
        }
        else
        {
            DtlsRecords.WriteHeader(record, DtlsRecords.Alert, 0, _epoch0Sequence++, 2);
            alert.CopyTo(record[DtlsRecords.HeaderLength..]);
            length = DtlsRecords.HeaderLength + 2;
        }
        _sender.SendDtls(record[..length]);
    }

    private bool Process(byte type, byte[] body, bool isProtected)
    {
        switch (Current)
        {
            case Step.ExpectClientHello when type == HandshakeType.ClientHello && !isProtected:
                OnClientHello(body);
                return false;
            case Step.ExpectCertificate when type == HandshakeType.Certificate && !isProtected:
                OnCertificate(body);
                return false;
            case Step.ExpectClientKeyExchange when type == HandshakeType.ClientKeyExchange && !isProtected:
                OnClientKeyExchange(body);
                return false;
            case Step.ExpectCertificateVerify when type == HandshakeType.CertificateVerify && !isProtected:
                OnCertificateVerify(body);
                return false;
            case Step.ExpectFinished when type == HandshakeType.Finished && isProtected:
                OnFinished(body);
                return true;
            default:
                throw new DtlsHandshakeException(
                    TlsAlert.UnexpectedMessage,
                    $"unexpected handshake message {type} while {Current}"
                );
        }
    }

    private void OnClientHello(byte[] body)
    {
        if (!ClientHello.TryRead(body, out var hello))
            throw new DtlsHandshakeException(TlsAlert.DecodeError, "malformed ClientHello");
        // DTLS versions count down: 1.2 is 0xFEFD, 1.0 is 0xFEFF.
        if (hello.Version > DtlsRecords.Version12)
            throw new DtlsHandshakeException(TlsAlert.ProtocolVersion, "client does not offer DTLS 1.2");
        if (!hello.OffersSuite(TlsConstants.SuiteEcdheEcdsaAes128GcmSha256))
        {
            throw new DtlsHandshakeException(
                TlsAlert.HandshakeFailure,
                "client does not offer TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
            );
        }

        if (hello.TryGetExtension(TlsConstants.ExtensionUseSrtp, out var useSrtp) ? !TrySelectProfile(useSrtp) : true)
            throw new DtlsHandshakeException(TlsAlert.HandshakeFailure, "no common SRTP profile (use_srtp)");
        ExtendedMasterSecret = hello.TryGetExtension(TlsConstants.ExtensionExtendedMasterSecret, out _);
        bool renegotiationInfo =
            hello.OffersSuite(TlsConstants.EmptyRenegotiationInfoScsv)
            || hello.TryGetExtension(TlsConstants.ExtensionRenegotiationInfo, out _);
        bool pointFormats = hello.TryGetExtension(TlsConstants.ExtensionEcPointFormats, out _);

        _clientRandom = hello.Random.ToArray();
        _serverRandom = ServerFlightBuilder.NewRandom();
        _ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        _transcript = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendToTranscript(HandshakeType.ClientHello, 0, body);
        _serverFlight = ServerFlightBuilder.Build(
            _certificate,
            _clientRandom,
            _serverRandom,
            PublicPoint(_ecdh),
            Profile,
            ExtendedMasterSecret,
            renegotiationInfo,
            pointFormats
        );
        _transcript.AppendData(_serverFlight);
        Current = Step.ExpectCertificate;
        SendFlight(_serverFlight);
    }

    private bool TrySelectProfile(ReadOnlySpan<byte> useSrtp)
    {
        // RFC 5764 §4.1.1: SRTPProtectionProfiles<2..2^16-1>, then srtp_mki<0..255>.
        if (useSrtp.Length < 2)
            return false;
        int length = BinaryPrimitives.ReadUInt16BigEndian(useSrtp);
        if (length % 2 != 0 || useSrtp.Length - 2 < length)
            return false;
        var offered = useSrtp.Slice(2, length);
        // Our preference order wins (AEAD first); the client's list only says what it can do.
        foreach (var candidate in _profiles)
        {
            for (int i = 0; i < offered.Length; i += 2)
            {
                if (BinaryPrimitives.ReadUInt16BigEndian(offered[i..]) == (ushort)candidate)
                {
                    Profile = candidate;
                    return true;
                }
            }
        }
        return false;
    }

    private void OnCertificate(byte[] body)
    {
        // certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>; the first one is the peer's own.
        if (body.Length < 3 || HandshakeFragment.ReadUInt24(body) != body.Length - 3)
            throw new DtlsHandshakeException(TlsAlert.DecodeError, "malformed Certificate");
        if (body.Length < 6)
            throw new DtlsHandshakeException(TlsAlert.HandshakeFailure, "client sent no certificate");
        int length = HandshakeFragment.ReadUInt24(body.AsSpan(3));
        if (length == 0 || body.Length - 6 < length)
            throw new DtlsHandshakeException(TlsAlert.DecodeError, "malformed Certificate");
        var der = body.AsSpan(6, length);
        if (!_remoteFingerprint.Matches(der))
        {
            throw new DtlsHandshakeException(
                TlsAlert.BadCertificate,
                "client certificate does not match the SDP fingerprint"
            );
        }

        _clientCertificate = der.ToArray();
        AppendToTranscript(HandshakeType.Certificate, 1, body);
        Current = Step.ExpectClientKeyExchange;
    }

    private void OnClientKeyExchange(byte[] body)
    {
        // ClientECDiffieHellmanPublic: point<1..2^8-1>, uncompressed (0x04 | X | Y).
        if (body.Length != 66 || body[0] != 65 || body[1] != 4)
            throw new DtlsHandshakeException(TlsAlert.DecodeError, "malformed ClientKeyExchange");
        byte[] preMaster;
        try
        {
            using var peer = ECDiffieHellman.Create(
                new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = body.AsSpan(2, 32).ToArray(), Y = body.AsSpan(34, 32).ToArray() },
                }
            );
            preMaster = _ecdh!.DeriveRawSecretAgreement(peer.PublicKey);
        }
        catch (CryptographicException)
        {
            throw new DtlsHandshakeException(TlsAlert.IllegalParameter, "client's ECDHE point is not on P-256");
        }
        AppendToTranscript(HandshakeType.ClientKeyExchange, 2, body);
        // The CertificateVerify signs everything up to here, which is also RFC 7627's session_hash.
        _verifyHash = _transcript!.GetCurrentHash();

        _masterSecret = new byte[TlsConstants.MasterSecretLength];
        if (ExtendedMasterSecret)
            TlsPrf.Derive(preMaster, "extended master secret", _verifyHash, [], _masterSecret);
        else
            TlsPrf.Derive(preMaster, "master secret", _clientRandom, _serverRandom, _masterSecret);
        CryptographicOperations.ZeroMemory(preMaster);
        _ecdh.Dispose();
        _ecdh = null;

        Span<byte> keyBlock = stackalloc byte[DtlsRecordProtection.KeyBlockLength];
        TlsPrf.Derive(_masterSecret, "key expansion", _serverRandom, _clientRandom, keyBlock);
        Protection = new DtlsRecordProtection(keyBlock, isServer: true);
        CryptographicOperations.ZeroMemory(keyBlock);
        Current = Step.ExpectCertificateVerify;
    }

    private void OnCertificateVerify(byte[] body)
    {
        // DigitallySigned: SignatureAndHashAlgorithm(2), signature<0..2^16-1>.
        if (body.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(2)) != body.Length - 4)
            throw new DtlsHandshakeException(TlsAlert.DecodeError, "malformed CertificateVerify");
        ushort algorithm = BinaryPrimitives.ReadUInt16BigEndian(body);
        var signature = body.AsSpan(4);
        bool valid;
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(_clientCertificate!);
            valid = algorithm switch
            {
                TlsConstants.EcdsaSha256 => VerifyEcdsa(certificate, signature),
                TlsConstants.RsaPkcs1Sha256 => VerifyRsa(certificate, signature),
                _ => throw new DtlsHandshakeException(
                    TlsAlert.IllegalParameter,
                    $"CertificateVerify with unrequested algorithm 0x{algorithm:x4}"
                ),
            };
        }
        catch (CryptographicException)
        {
            valid = false;
        }
        if (!valid)
            throw new DtlsHandshakeException(TlsAlert.DecryptError, "client's CertificateVerify signature is invalid");
        AppendToTranscript(HandshakeType.CertificateVerify, 3, body);
        _clientCertificate = null;
        Current = Step.ExpectFinished;
    }

    private bool VerifyEcdsa(X509Certificate2 certificate, ReadOnlySpan<byte> signature)
    {
        using var key = certificate.GetECDsaPublicKey();
        return key is not null && key.VerifyHash(_verifyHash, signature, DSASignatureFormat.Rfc3279DerSequence);
    }

    private bool VerifyRsa(X509Certificate2 certificate, ReadOnlySpan<byte> signature)
    {
        using var key = certificate.GetRSAPublicKey();
        return key is not null
            && key.VerifyHash(_verifyHash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private void OnFinished(byte[] body)
    {
        Span<byte> expected = stackalloc byte[TlsConstants.VerifyDataLength];
        TlsPrf.Derive(_masterSecret, "client finished", _transcript!.GetCurrentHash(), [], expected);
        if (body.Length != TlsConstants.VerifyDataLength || !CryptographicOperations.FixedTimeEquals(expected, body))
            throw new DtlsHandshakeException(TlsAlert.DecryptError, "client's Finished does not verify");
        AppendToTranscript(HandshakeType.Finished, 4, body);

        _serverFinished = new byte[HandshakeFragment.HeaderLength + TlsConstants.VerifyDataLength];
        HandshakeFragment.WriteHeader(
            _serverFinished,
            HandshakeType.Finished,
            TlsConstants.VerifyDataLength,
            ServerFlightBuilder.MessageCount,
            0,
            TlsConstants.VerifyDataLength
        );
        TlsPrf.Derive(
            _masterSecret,
            "server finished",
            _transcript.GetCurrentHash(),
            [],
            _serverFinished.AsSpan(HandshakeFragment.HeaderLength)
        );

        // RFC 5764 §4.2: EXTRACTOR-dtls_srtp, split into (client, server) key+salt.
        var material = new byte[Srtp.SrtpKeys.KeyingMaterialLength(Profile)];
        TlsPrf.Derive(_masterSecret, "EXTRACTOR-dtls_srtp", _clientRandom, _serverRandom, material);
        SrtpKeys = Srtp.SrtpKeys.FromKeyingMaterial(Profile, material);
        CryptographicOperations.ZeroMemory(material);

        Current = Step.Done;
        ReleaseHandshakeState();
        SendFinalFlight();
    }

    private void AppendToTranscript(byte type, ushort sequence, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[HandshakeFragment.HeaderLength];
        HandshakeFragment.WriteHeader(header, type, body.Length, sequence, 0, body.Length);
        _transcript!.AppendData(header);
        _transcript.AppendData(body);
    }

    private static byte[] PublicPoint(ECDiffieHellman key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        var point = new byte[65];
        point[0] = 4;
        q.X.AsSpan().CopyTo(point.AsSpan(1 + 32 - q.X!.Length));
        q.Y.AsSpan().CopyTo(point.AsSpan(33 + 32 - q.Y!.Length));
        return point;
    }

    /// <summary>
    /// Packs whole messages into records and datagrams of at most the send limit, splitting a message into
    /// fragments where it does not fit (RFC 6347 §4.2.3). Each transmission takes fresh record sequence numbers.
    /// </summary>
    private void SendFlight(ReadOnlySpan<byte> messages)
    {
        Span<byte> datagram = stackalloc byte[_sendLimit];
        int used = 0;
        int position = 0;
        while (HandshakeFragment.TryRead(messages, ref position, out var message))
        {
            int offset = 0;
            while (true)
            {
                int room = _sendLimit - used - DtlsRecords.HeaderLength - HandshakeFragment.HeaderLength;
                int remaining = message.Body.Length - offset;
                if (used > 0 && room < Math.Min(64, remaining))
                {
                    _sender.SendDtls(datagram[..used]); // start the next datagram rather than send slivers
                    used = 0;
                    continue;
                }
                int length = Math.Min(room, remaining);
                DtlsRecords.WriteHeader(
                    datagram[used..],
                    DtlsRecords.Handshake,
                    0,
                    _epoch0Sequence++,
                    HandshakeFragment.HeaderLength + length
                );
                used += DtlsRecords.HeaderLength;
                HandshakeFragment.WriteHeader(
                    datagram[used..],
                    message.Type,
                    message.MessageLength,
                    message.Sequence,
                    offset,
                    length
                );
                used += HandshakeFragment.HeaderLength;
                message.Body.Slice(offset, length).CopyTo(datagram[used..]);
                used += length;
                offset += length;
                if (offset >= message.Body.Length)
                    break;
            }
        }
        if (used > 0)
            _sender.SendDtls(datagram[..used]);
    }

    /// <summary>ChangeCipherSpec in epoch 0 and our Finished in epoch 1, in one datagram.</summary>
    private void SendFinalFlight()
    {
        Span<byte> datagram =
            stackalloc byte[
                DtlsRecords.HeaderLength
                    + 1
                    + DtlsRecords.HeaderLength
                    + DtlsRecordProtection.Overhead
                    + _serverFinished!.Length
            ];
        DtlsRecords.WriteHeader(datagram, DtlsRecords.ChangeCipherSpec, 0, _epoch0Sequence++, 1);
        datagram[DtlsRecords.HeaderLength] = 1;
        int used = DtlsRecords.HeaderLength + 1;
        used += Protection!.Seal(
            DtlsRecords.Handshake,
            ProtectedEpoch,
            _epoch1Sequence++,
            _serverFinished,
            datagram[used..]
        );
        _sender.SendDtls(datagram[..used]);
    }

    /// <summary>Drops what only the handshake needed; a connected session keeps keys and our Finished.</summary>
    private void ReleaseHandshakeState()
    {
        _reassembler = null;
        _transcript?.Dispose();
        _transcript = null;
        _ecdh?.Dispose();
        _ecdh = null;
        _serverFlight = null;
        _clientCertificate = null;
        if (_masterSecret is not null)
            CryptographicOperations.ZeroMemory(_masterSecret);
        _masterSecret = null;
        _verifyHash = null;
        _clientRandom = null;
        _serverRandom = null;
    }

    public void Dispose()
    {
        ReleaseHandshakeState();
        Protection?.Dispose();
    }
}
