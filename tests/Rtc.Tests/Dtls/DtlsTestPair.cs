using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.Rtc.Dtls;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Security;

namespace MobZ.Rtc.Tests.Dtls;

/// <summary>
/// A <see cref="DtlsServerSession"/> on a <see cref="FakeTimeProvider"/> and, when asked, BouncyCastle's blocking
/// DTLS client on a test thread, joined in memory. The test decides what crosses: <see cref="ClientToServer"/>
/// and <see cref="ServerToClient"/> see every datagram and say whether to deliver it; the client's datagrams can
/// also be held (<see cref="HoldClientDatagrams"/>) and delivered later in any order.
/// </summary>
internal sealed class DtlsTestPair : IDtlsSessionObserver, IDtlsDatagramSender, IDisposable
{
    private readonly BlockingCollection<byte[]> _toClient = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _client;

    /// <param name="options">Session options built around the pair's fake clock.</param>
    public DtlsTestPair(
        Func<TimeProvider, DtlsSessionOptions>? options = null,
        DtlsFingerprint? expectedClient = null,
        int clientSendLimit = 1200
    )
    {
        Time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        Client = new TestDtlsClient(null);
        Options = options?.Invoke(Time) ?? new DtlsSessionOptions { TimeProvider = Time };
        Certificate = DtlsCertificate.Generate();
        Session = new DtlsServerSession(
            Certificate,
            expectedClient ?? Client.Fingerprint,
            this,
            this,
            NullLogger.Instance,
            Options
        );
        ClientSendLimit = clientSendLimit;
    }

    public FakeTimeProvider Time { get; }

    public DtlsSessionOptions Options { get; }

    public DtlsCertificate Certificate { get; }

    public TestDtlsClient Client { get; }

    public DtlsServerSession Session { get; }

    public int ClientSendLimit { get; }

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

    /// <summary>Starts BouncyCastle's client handshake on a test thread; the task ends when it connects or
    /// fails.</summary>
    public Task StartClient()
    {
        _client = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    new DtlsClientProtocol(new SecureRandom()).Connect(Client, new ClientTransport(this));
                }
                catch (Exception e)
                {
                    ClientError = e;
                }
            },
            TaskCreationOptions.LongRunning
        );
        return _client;
    }

    public void DeliverToServer(byte[] datagram) => Session.OnDatagram(datagram);

    void IDtlsDatagramSender.SendDtls(ReadOnlySpan<byte> datagram)
    {
        var copy = datagram.ToArray();
        int index = ServerSent.Count;
        ServerSent.Enqueue(copy);
        if (ServerToClient(index, copy))
            _toClient.Add(copy);
    }

    void IDtlsSessionObserver.OnDtlsConnected(DtlsServerSession session) => Interlocked.Increment(ref Connected);

    void IDtlsSessionObserver.OnDtlsClosed(DtlsServerSession session, string reason) => ClosedReason = reason;

    void IDtlsSessionObserver.OnDtlsRecordRejected(DtlsServerSession session) => Interlocked.Increment(ref Rejected);

    public void Dispose()
    {
        _stop.Cancel();
        Session.Dispose();
        _client?.Wait(TimeSpan.FromSeconds(30));
    }

    private sealed class ClientTransport(DtlsTestPair pair) : DatagramTransport
    {
        public int GetReceiveLimit() => 1500;

        public int GetSendLimit() => pair.ClientSendLimit;

        public int Receive(byte[] buf, int off, int len, int waitMillis)
        {
            try
            {
                if (!pair._toClient.TryTake(out var datagram, waitMillis, pair._stop.Token))
                    return -1;
                int n = Math.Min(len, datagram.Length);
                Buffer.BlockCopy(datagram, 0, buf, off, n);
                return n;
            }
            catch (OperationCanceledException)
            {
                throw new IOException("test over");
            }
        }

        public void Send(byte[] buf, int off, int len)
        {
            var copy = buf.AsSpan(off, len).ToArray();
            if (pair.HoldClientDatagrams)
                pair.HeldFromClient.Enqueue(copy);
            else
                pair.Session.OnDatagram(copy);
        }

        public void Close() { }
    }
}
