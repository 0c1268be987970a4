using System.Collections.Concurrent;
using MobZ.Rtc.Srtp;
using Org.BouncyCastle.Tls;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// The active (client) side of DTLS-SRTP over our datagram plumbing, as a browser answering a passive server plays
/// it: <see cref="HandshakeAsync"/> runs BouncyCastle's blocking DTLS 1.2 client (<see cref="DtlsSrtpClient"/>) on
/// its own thread, records go out through <see cref="IDtlsDatagramSender"/>, and the owner's receive loop hands
/// every DTLS datagram from the server to <see cref="OnDatagram"/>. The handshake fails when the server's
/// certificate does not match the fingerprint its SDP announced; when it succeeds it yields the SRTP keys.
/// Records after the handshake are not read (an SFU sends none but close_notify); <see cref="Close"/> sends ours.
/// </summary>
public sealed class DtlsClientSession : IDisposable
{
    /// <summary>Datagrams waiting for the handshake thread; more than a few flights means a flood.</summary>
    private const int MaxQueuedDatagrams = 64;

    private readonly DtlsSrtpClient _client;
    private readonly IDtlsDatagramSender _sender;
    private readonly int _sendLimit;
    private readonly BlockingCollection<byte[]> _received = new(MaxQueuedDatagrams);
    private readonly CancellationTokenSource _stop = new();
    private DtlsTransport? _transport;
    private int _started;

    /// <param name="certificate">Ours, as named by a=fingerprint in our SDP.</param>
    /// <param name="expectedServer">The server's a=fingerprint; the handshake fails on any other certificate (null
    /// accepts any: only for tests of the server).</param>
    /// <param name="sender">Where our records go (the socket towards the server).</param>
    /// <param name="profiles">SRTP profiles to offer, in preference order (GCM, then AES-CM-80 when empty).</param>
    /// <param name="sendLimit">The largest datagram we send; flights are fragmented to fit.</param>
    public DtlsClientSession(
        DtlsCertificate certificate,
        DtlsFingerprint? expectedServer,
        IDtlsDatagramSender sender,
        IReadOnlyList<SrtpProfile>? profiles = null,
        int sendLimit = 1200
    )
    {
        _client = new DtlsSrtpClient(certificate, expectedServer, profiles ?? []);
        _sender = sender;
        _sendLimit = sendLimit;
    }

    /// <summary>The profile the server chose; valid once the handshake succeeded.</summary>
    public SrtpProfile Profile => _client.SelectedProfile;

    /// <summary>Datagrams dropped because the handshake thread was not keeping up or had finished.</summary>
    public long DroppedDatagrams;

    /// <summary>Queues a DTLS datagram from the server for the handshake; false when it was dropped.</summary>
    public bool OnDatagram(ReadOnlySpan<byte> datagram)
    {
        if (_transport is not null || _stop.IsCancellationRequested || !_received.TryAdd(datagram.ToArray()))
        {
            Interlocked.Increment(ref DroppedDatagrams);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Runs the handshake once, on a dedicated thread (BouncyCastle's client blocks while it waits for flights and
    /// retransmits on its own timer). Completes with the SRTP keys (the client's protect what we send), or faults
    /// with the alert that ended it (<see cref="TlsFatalAlert"/> on a fingerprint mismatch).
    /// </summary>
    public Task<(SrtpKeys Client, SrtpKeys Server)> HandshakeAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("the DTLS handshake was already started");
        var registration = cancellationToken.Register(_stop.Cancel);
        return Task.Factory.StartNew(
            () =>
            {
                using (registration)
                {
                    var transport = new DtlsClientProtocol().Connect(_client, new QueueTransport(this));
                    _transport = transport;
                    return _client.Keys ?? throw new TlsFatalAlert(AlertDescription.internal_error, "no SRTP keys");
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default
        );
    }

    /// <summary>Sends close_notify when the handshake completed; idempotent.</summary>
    public void Close()
    {
        var transport = Interlocked.Exchange(ref _transport, null);
        _stop.Cancel();
        try
        {
            transport?.Close();
        }
        catch (IOException)
        {
            // The socket is gone: the server learns of it from consent instead.
        }
    }

    public void Dispose()
    {
        Close();
        _received.Dispose();
        _stop.Dispose();
    }

    /// <summary>BouncyCastle's view of the link: our queue in, the sender out.</summary>
    private sealed class QueueTransport(DtlsClientSession session) : DatagramTransport
    {
        public int GetReceiveLimit() => 1500;

        public int GetSendLimit() => session._sendLimit;

        public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

        public int Receive(Span<byte> buffer, int waitMillis)
        {
            try
            {
                if (!session._received.TryTake(out var datagram, waitMillis, session._stop.Token))
                    return -1;
                int n = Math.Min(buffer.Length, datagram.Length);
                datagram.AsSpan(0, n).CopyTo(buffer);
                return n;
            }
            catch (OperationCanceledException)
            {
                throw new TlsTimeoutException("the DTLS handshake was cancelled");
            }
        }

        public void Send(byte[] buf, int off, int len) => session._sender.SendDtls(buf.AsSpan(off, len));

        public void Send(ReadOnlySpan<byte> buffer) => session._sender.SendDtls(buffer);

        public void Close() { }
    }
}
