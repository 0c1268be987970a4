using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Srtp;
using Org.BouncyCastle.Tls;

namespace MobZ.Bench.Rtc;

/// <summary>
/// The event-driven DTLS server (issue 10 item 4). <see cref="HalfOpenSession"/>: what anyone who sends an offer
/// and a ClientHello costs us — a session, our ECDHE key, the signed flight 2, two timers — then the timeout's
/// release. <see cref="FullHandshake"/>: a whole handshake against the client peer's DTLS client (on BouncyCastle)
/// on one thread (the client sends, our server answers inside the send, the client reads the answer from a queue),
/// so handshakes/s here is both ends' CPU on one core.
/// </summary>
[MemoryDiagnoser]
public class DtlsHandshakeBenchmarks
{
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();
    private readonly DtlsCertificate _clientCertificate = DtlsCertificate.Generate();
    private readonly DtlsSessionOptions _options = new();
    private byte[] _clientHello = null!;

    [GlobalSetup]
    public void Setup()
    {
        var capture = new Link(null);
        try
        {
            new DtlsClientProtocol().Connect(NewClient(), capture);
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
            _clientCertificate.Fingerprint,
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
            _clientCertificate.Fingerprint,
            sink,
            sink,
            NullLogger.Instance,
            _options
        );
        link.Server = session;
        session.Start();
        new DtlsClientProtocol().Connect(NewClient(), link).Close();
        return session.State;
    }

    /// <summary>A browser's side of DTLS-SRTP: use_srtp, an ECDSA P-256 certificate, AES-128-GCM.</summary>
    private DtlsSrtpClient NewClient() => new(_clientCertificate, null, [SrtpProfile.AeadAes128Gcm]);

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

        public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

        public int Receive(Span<byte> buffer, int waitMillis)
        {
            if (!Answers.TryDequeue(out var datagram))
                throw new IOException("no answer: the server sends inside OnDatagram, so nothing is coming");
            datagram.CopyTo(buffer);
            return datagram.Length;
        }

        public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

        public void Send(ReadOnlySpan<byte> buffer)
        {
            FirstSent ??= buffer.ToArray();
            Server?.OnDatagram(buffer);
        }

        public void Close() { }
    }
}
