using System.Collections;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Srtp;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using TlsCertificate = Org.BouncyCastle.Crypto.Tls.Certificate;

namespace MobZ.Bench.Rtc;

/// <summary>
/// The event-driven DTLS server (issue 10 item 4). <see cref="HalfOpenSession"/>: what anyone who sends an offer
/// and a ClientHello costs us — a session, our ECDHE key, the signed flight 2, two timers — then the timeout's
/// release. <see cref="FullHandshake"/>: a whole handshake against BouncyCastle's client on one thread (the client
/// sends, our server answers inside the send, the client reads the answer from a queue), so handshakes/s here is
/// both ends' CPU on one core.
/// </summary>
[MemoryDiagnoser]
public class DtlsHandshakeBenchmarks
{
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();
    private readonly DtlsSessionOptions _options = new();
    private byte[] _clientHello = null!;
    private BenchClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        _client = new BenchClient();
        var capture = new Link(null);
        try
        {
            new DtlsClientProtocol(new SecureRandom()).Connect(_client, capture);
        }
        catch (IOException)
        {
            // The capture link refuses to wait for an answer: the ClientHello is all we wanted.
        }
        _clientHello = capture.FirstSent!;
    }

    [Benchmark]
    public DtlsSessionState HalfOpenSession()
    {
        var sink = new Sink();
        using var session = new DtlsServerSession(
            _certificate,
            _client.Fingerprint,
            sink,
            sink,
            NullLogger.Instance,
            _options
        );
        session.Start();
        session.OnDatagram(_clientHello);
        return session.State;
    }

    [Benchmark]
    public DtlsSessionState FullHandshake()
    {
        var link = new Link(null);
        var sink = new Sink { Link = link };
        using var session = new DtlsServerSession(
            _certificate,
            _client.Fingerprint,
            sink,
            sink,
            NullLogger.Instance,
            _options
        );
        link.Server = session;
        session.Start();
        new DtlsClientProtocol(new SecureRandom()).Connect(_client, link).Close();
        return session.State;
    }

    private sealed class Sink : IDtlsDatagramSender, IDtlsSessionObserver
    {
        public Link? Link;

        public void SendDtls(ReadOnlySpan<byte> datagram) => Link?.Answers.Enqueue(datagram.ToArray());

        public void OnDtlsConnected(DtlsServerSession session) { }

        public void OnDtlsClosed(DtlsServerSession session, string reason) { }

        public void OnDtlsRecordRejected(DtlsServerSession session) { }
    }

    /// <summary>The client's side of an in-memory link; everything happens on the client's thread.</summary>
    private sealed class Link(DtlsServerSession? server) : DatagramTransport
    {
        public DtlsServerSession? Server = server;
        public readonly Queue<byte[]> Answers = new();
        public byte[]? FirstSent;

        public int GetReceiveLimit() => 1500;

        public int GetSendLimit() => 1200;

        public int Receive(byte[] buf, int off, int len, int waitMillis)
        {
            if (!Answers.TryDequeue(out var datagram))
                throw new IOException("no answer: the server sends inside OnDatagram, so nothing is coming");
            datagram.CopyTo(buf, off);
            return datagram.Length;
        }

        public void Send(byte[] buf, int off, int len)
        {
            FirstSent ??= buf.AsSpan(off, len).ToArray();
            Server?.OnDatagram(buf.AsSpan(off, len));
        }

        public void Close() { }
    }

    /// <summary>A browser's side of DTLS-SRTP: use_srtp, an ECDSA P-256 certificate, AES-128-GCM.</summary>
    private sealed class BenchClient : DefaultTlsClient
    {
        private readonly TlsCertificate _certificate;
        private readonly ECPrivateKeyParameters _key;

        public BenchClient()
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=bench",
                ecdsa,
                HashAlgorithmName.SHA256
            );
            using var cert = request.CreateSelfSigned(
                DateTimeOffset.UtcNow.AddDays(-1),
                DateTimeOffset.UtcNow.AddDays(1)
            );
            Fingerprint = DtlsFingerprint.Compute("sha-256", cert.RawData);
            _certificate = new TlsCertificate([X509CertificateStructure.GetInstance(cert.RawData)]);
            _key = new ECPrivateKeyParameters(
                "EC",
                new BigInteger(1, ecdsa.ExportParameters(true).D),
                SecObjectIdentifiers.SecP256r1
            );
        }

        public DtlsFingerprint Fingerprint { get; }

        public override ProtocolVersion ClientVersion => ProtocolVersion.DTLSv12;

        public override ProtocolVersion MinimumVersion => ProtocolVersion.DTLSv12;

        public override int[] GetCipherSuites() => [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256];

        public override IDictionary GetClientExtensions()
        {
            var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
            TlsSRTPUtils.AddUseSrtpExtension(
                extensions,
                new UseSrtpData([(int)SrtpProfile.AeadAes128Gcm], TlsUtilities.EmptyBytes)
            );
            return extensions;
        }

        public override TlsAuthentication GetAuthentication() => new Authentication(this);

        private sealed class Authentication(BenchClient client) : TlsAuthentication
        {
            public void NotifyServerCertificate(TlsCertificate serverCertificate) { }

            public TlsCredentials GetClientCredentials(
                Org.BouncyCastle.Crypto.Tls.CertificateRequest certificateRequest
            ) =>
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
}
