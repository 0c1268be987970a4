using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Tests.Dtls;

/// <summary>
/// A <see cref="DtlsServerSession"/> on a <see cref="FakeTimeProvider"/> and, when asked, our client
/// (<see cref="DtlsClientSession"/>: BouncyCastle's DTLS client on its own thread), joined in memory. The test decides
/// what crosses: <see cref="ServerToClient"/> sees every server datagram and says whether to deliver it; the
/// client's datagrams can also be held (<see cref="HoldClientDatagrams"/>) and delivered later in any order.
/// </summary>
internal sealed class DtlsTestPair : IDtlsSessionObserver, IDtlsDatagramSender, IDisposable
{
    private Task? _client;

    /// <param name="options">Session options built around the pair's fake clock.</param>
    public DtlsTestPair(
        Func<TimeProvider, DtlsSessionOptions>? options = null,
        DtlsFingerprint? expectedClient = null,
        int clientSendLimit = 1200
    )
    {
        Time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        ClientCertificate = DtlsCertificate.Generate();
        Client = new DtlsClientSession(ClientCertificate, null, new ClientSender(this), sendLimit: clientSendLimit);
        Options = options?.Invoke(Time) ?? new DtlsSessionOptions { TimeProvider = Time };
        Certificate = DtlsCertificate.Generate();
        Session = new DtlsServerSession(
            Certificate,
            expectedClient ?? ClientCertificate.Fingerprint,
            this,
            this,
            NullLogger.Instance,
            Options
        );
    }

    public FakeTimeProvider Time { get; }

    public DtlsSessionOptions Options { get; }

    public DtlsCertificate Certificate { get; }

    public DtlsCertificate ClientCertificate { get; }

    public DtlsClientSession Client { get; }

    /// <summary>The SRTP keys the client exported, once its handshake completed.</summary>
    public (SrtpKeys Client, SrtpKeys Server)? ClientKeys { get; private set; }

    public DtlsServerSession Session { get; }

    /// <summary>Every datagram the server sent, delivered or not.</summary>
    public ConcurrentQueue<byte[]> ServerSent { get; } = new();

    /// <summary>Client datagrams held by <see cref="HoldClientDatagrams"/>.</summary>
    public ConcurrentQueue<byte[]> HeldFromClient { get; } = new();

    public volatile bool HoldClientDatagrams;

    /// <summary>Decides per server datagram (index counts from 0) whether the client gets it.</summary>
    public Func<int, byte[], bool> ServerToClient { get; set; } = (_, _) => true;

    public int Connected;
    public string? ClosedReason;
    public int Rejected;

    public Exception? ClientError { get; private set; }

    /// <summary>Starts the client handshake on its thread; the task ends when it connects or fails.</summary>
    public Task StartClient()
    {
        _client = Run();
        return _client;

        async Task Run()
        {
            try
            {
                ClientKeys = await Client.HandshakeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ClientError = e;
            }
        }
    }

    public void DeliverToServer(byte[] datagram) => Session.OnDatagram(datagram);

    void IDtlsDatagramSender.SendDtls(ReadOnlySpan<byte> datagram)
    {
        var copy = datagram.ToArray();
        int index = ServerSent.Count;
        ServerSent.Enqueue(copy);
        if (ServerToClient(index, copy))
            Client.OnDatagram(copy);
    }

    void IDtlsSessionObserver.OnDtlsConnected(DtlsServerSession session) => Interlocked.Increment(ref Connected);

    void IDtlsSessionObserver.OnDtlsClosed(DtlsServerSession session, string reason) => ClosedReason = reason;

    void IDtlsSessionObserver.OnDtlsRecordRejected(DtlsServerSession session) => Interlocked.Increment(ref Rejected);

    public void Dispose()
    {
        Client.Dispose();
        Session.Dispose();
        _client?.Wait(TimeSpan.FromSeconds(30));
    }

    /// <summary>The client's records: held when the test asks, else straight into the server.</summary>
    private sealed class ClientSender(DtlsTestPair pair) : IDtlsDatagramSender
    {
        public void SendDtls(ReadOnlySpan<byte> datagram)
        {
            var copy = datagram.ToArray();
            if (pair.HoldClientDatagrams)
                pair.HeldFromClient.Enqueue(copy);
            else
                pair.Session.OnDatagram(copy);
        }
    }
}
