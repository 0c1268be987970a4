using Microsoft.Extensions.Logging;
using MobZ.Rtc.Srtp;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Security;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// The DTLS 1.2 server side of one peer (we always answer <c>a=setup:passive</c>). BouncyCastle's
/// handshake is blocking, so it runs on its own thread fed by <see cref="OnDatagram"/>; the socket's
/// receive loop never waits on it. After success the thread lingers briefly to re-send our final
/// flight if the client retransmits, then exits; later records are opened on the receive path
/// (<see cref="DtlsRecordAuthenticator"/>), so only an authentic alert ends the session.
/// </summary>
public sealed class DtlsServerSession : IDisposable
{
    private readonly DtlsSrtpServer _server;
    private readonly DtlsDatagramChannel _channel;
    private readonly IDtlsSessionObserver _observer;
    private readonly DtlsSessionOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private DtlsTransport? _transport;
    private Thread? _thread;
    private volatile bool _lingering;
    private int _closedReported;
    private volatile DtlsSessionState _state = DtlsSessionState.New;
    private readonly object? _logScope;

    /// <param name="logScope">Scope for the handshake thread's logs, e.g. the peer's connection id.</param>
    public DtlsServerSession(DtlsCertificate certificate, DtlsFingerprint remoteFingerprint, IDtlsDatagramSender sender,
        IDtlsSessionObserver observer, ILogger logger, DtlsSessionOptions? options = null, object? logScope = null)
    {
        _logScope = logScope;
        _options = options ?? new DtlsSessionOptions();
        _observer = observer;
        _logger = logger;
        _channel = new DtlsDatagramChannel(sender, _options.SendLimit);
        _server = new DtlsSrtpServer(certificate, remoteFingerprint, _options.SrtpProfiles)
        {
            AlertReceived = OnAlertReceived,
            AlertRaised = (level, description, message) =>
                _logger.LogDebug("DTLS alert sent: level {Level} {Description} ({Message})", level, AlertDescription.GetText(description), message),
        };
    }

    public DtlsSessionState State => _state;

    /// <summary>The negotiated SRTP profile, once connected.</summary>
    public SrtpProfile Profile { get; private set; }

    /// <summary>Keys protecting what we (the DTLS server) send.</summary>
    public SrtpKeys? LocalKeys { get; private set; }

    /// <summary>Keys protecting what the peer (the DTLS client) sends.</summary>
    public SrtpKeys? RemoteKeys { get; private set; }

    public bool ExtendedMasterSecret { get; private set; }

    /// <summary>Starts the handshake thread; datagrams fed before this are queued.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_state != DtlsSessionState.New)
                return;
            _state = DtlsSessionState.Handshaking;
            _thread = new Thread(Run) { IsBackground = true, Name = "dtls-handshake" };
            _thread.Start();
        }
    }

    /// <summary>
    /// A DTLS datagram from this peer's address (RFC 7983 first byte 20..63). Never blocks. Once the
    /// keys exist, a protected record counts only if it authenticates (RFC 6347 §4.1.2.7): a forged
    /// alert from a spoofed source address is dropped and counted, never fatal.
    /// </summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        if (_state is DtlsSessionState.Closed or DtlsSessionState.Failed)
            return;
        var authenticator = _server.RecordAuthenticator;
        if (authenticator is null)
        {
            // Epoch 0 of the handshake is unprotected by design; BouncyCastle judges its flights.
            Enqueue(datagram);
            return;
        }
        int offset = 0;
        while (DtlsRecords.TryReadNext(datagram, ref offset, out int start, out int length))
            OnRecord(datagram.Slice(start, length), authenticator);
        if (offset < datagram.Length)
            _observer.OnDtlsRecordRejected(this);
    }

    private void OnRecord(ReadOnlySpan<byte> record, DtlsRecordAuthenticator authenticator)
    {
        var state = _state;
        bool bouncyCastleReads = state == DtlsSessionState.Handshaking || _lingering;
        if (DtlsRecords.Epoch(record) != DtlsRecordAuthenticator.ProtectedEpoch)
        {
            // After the keys exist, epoch 0 carries only the client's retransmitted flight (which we
            // answer while lingering); an epoch-0 alert or data record is unauthenticated.
            if (state == DtlsSessionState.Handshaking || (_lingering && record[0] == DtlsRecords.Handshake))
                Enqueue(record);
            else
                _observer.OnDtlsRecordRejected(this);
            return;
        }
        var plaintext = authenticator.TryOpen(record);
        if (plaintext is null)
        {
            _observer.OnDtlsRecordRejected(this);
            return;
        }
        if (bouncyCastleReads)
            Enqueue(record); // authentic: BouncyCastle opens it again with its own cipher instance
        else if (record[0] == DtlsRecords.Alert && plaintext.Length == 2)
            OnAlertReceived(plaintext[0], plaintext[1]);
    }

    private void Enqueue(ReadOnlySpan<byte> datagram)
    {
        if (!_channel.TryEnqueue(datagram))
            _logger.LogDebug("DTLS datagram dropped: queue full or oversized ({Length} bytes)", datagram.Length);
        else if (_state == DtlsSessionState.Connected && !_lingering)
            _channel.Drain((queued, _) => OnDatagram(queued)); // the reader stopped while we enqueued
    }

    /// <summary>Sends close_notify (if connected) and ends the session.</summary>
    public void Close(string reason = "closed locally")
    {
        DtlsTransport? transport;
        lock (_gate)
            transport = _transport;
        if (transport is not null && _state == DtlsSessionState.Connected)
        {
            try
            {
                lock (_gate)
                    transport.Close();
            }
            catch (Exception e)
            {
                _logger.LogDebug(e, "DTLS close_notify failed");
            }
        }
        Finish(DtlsSessionState.Closed, reason);
    }

    private void Run()
    {
        using var scope = _logScope is null ? null : _logger.BeginScope(_logScope);
        using var timeout = new Timer(_ =>
        {
            if (_state == DtlsSessionState.Handshaking)
                Finish(DtlsSessionState.Failed, "handshake timed out");
        }, null, _options.HandshakeTimeout, Timeout.InfiniteTimeSpan);

        DtlsTransport transport;
        try
        {
            var protocol = new DtlsServerProtocol(new SecureRandom());
            transport = protocol.Accept(_server, _channel);
            if (!_server.ClientCertificateVerified)
                throw new TlsFatalAlert(AlertDescription.handshake_failure);
            var (client, server) = _server.SrtpKeys ?? throw new TlsFatalAlert(AlertDescription.internal_error);
            Profile = _server.SelectedProfile;
            RemoteKeys = client;
            LocalKeys = server;
            ExtendedMasterSecret = _server.ExtendedMasterSecret;
        }
        catch (Exception e)
        {
            string reason = e switch
            {
                TlsFatalAlert alert => $"handshake failed: {AlertDescription.GetText(alert.AlertDescription)}",
                DtlsChannelClosedException => _state == DtlsSessionState.Failed ? "handshake timed out" : "closed during handshake",
                _ => $"handshake failed: {e.Message}",
            };
            _logger.LogInformation("DTLS {Reason}", reason);
            _logger.LogDebug(e, "DTLS handshake exception");
            Finish(DtlsSessionState.Failed, reason);
            return;
        }

        lock (_gate)
        {
            if (_state != DtlsSessionState.Handshaking)
            {
                transport.Close();
                return;
            }
            _transport = transport;
            _lingering = true;
            _state = DtlsSessionState.Connected;
        }
        _logger.LogInformation("DTLS connected: SRTP profile {Profile}, extended master secret {Ems}", Profile, ExtendedMasterSecret);
        _observer.OnDtlsConnected(this);
        Linger(transport);
    }

    // Serves retransmitted client flights and alerts until the linger time passes.
    private void Linger(DtlsTransport transport)
    {
        var buffer = new byte[1500];
        var until = DateTime.UtcNow + _options.PostHandshakeLinger;
        try
        {
            while (_state == DtlsSessionState.Connected && DateTime.UtcNow < until)
            {
                int wait = (int)Math.Clamp((until - DateTime.UtcNow).TotalMilliseconds, 1, 1000);
                transport.Receive(buffer, 0, buffer.Length, wait);
            }
        }
        catch (TlsFatalAlert alert)
        {
            Finish(DtlsSessionState.Failed, $"fatal alert: {AlertDescription.GetText(alert.AlertDescription)}");
        }
        catch (DtlsChannelClosedException)
        {
            // Closed by Close() or by the peer's close_notify.
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "DTLS post-handshake receive ended");
        }
        finally
        {
            _lingering = false;
            // Whatever arrived while the reader was finishing is opened on this side now.
            _channel.Drain((datagram, _) => OnDatagram(datagram));
        }
    }

    private void OnAlertReceived(byte level, byte description)
    {
        _logger.LogDebug("DTLS alert received: level {Level} {Description}", level, AlertDescription.GetText(description));
        if (description == AlertDescription.close_notify)
            Finish(DtlsSessionState.Closed, "peer sent close_notify");
        else if (level == AlertLevel.fatal)
            Finish(DtlsSessionState.Failed, $"peer sent fatal alert {AlertDescription.GetText(description)}");
    }

    private void Finish(DtlsSessionState state, string reason)
    {
        lock (_gate)
        {
            if (_state is DtlsSessionState.Closed or DtlsSessionState.Failed)
                return;
            _state = state;
        }
        _channel.Close();
        if (Interlocked.Exchange(ref _closedReported, 1) == 0)
            _observer.OnDtlsClosed(this, reason);
    }

    public void Dispose() => Close("disposed");
}
