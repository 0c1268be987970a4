using Microsoft.Extensions.Logging;
using MobZ.Rtc.Dtls.Handshake;
using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// The DTLS 1.2 server side of one peer (we always answer <c>a=setup:passive</c>). Event-driven: the
/// handshake (<see cref="DtlsServerHandshake"/>) advances on the thread that delivers a datagram, and two
/// timers from <see cref="DtlsSessionOptions.TimeProvider"/> retransmit our flight and end a handshake that
/// does not finish — no thread and no blocking wait per session. After success every protected record must
/// authenticate (RFC 6347 §4.1.2.7): only an authentic alert ends the session.
/// </summary>
public sealed class DtlsServerSession : IDisposable
{
    /// <summary>Epoch-1 records held while the keys do not exist yet (a reordered Finished).</summary>
    private const int MaxEarlyRecords = 4;

    /// <summary>Largest epoch-1 record opened (on the stack of the receive thread).</summary>
    private const int MaxProtectedRecord = 2048;

    private readonly DtlsServerHandshake _handshake;
    private readonly IDtlsSessionObserver _observer;
    private readonly DtlsSessionOptions _options;
    private readonly ILogger _logger;
    private readonly object? _logScope;
    private readonly Lock _gate = new();
    private ITimer? _retransmitTimer;
    private ITimer? _deadlineTimer;
    private TimeSpan _retransmitInterval;
    private bool _lingering;
    private List<byte[]>? _earlyRecords;
    private volatile DtlsSessionState _state = DtlsSessionState.New;

    /// <param name="logScope">Scope for the session's logs from timers, e.g. the peer's connection id.</param>
    public DtlsServerSession(
        DtlsCertificate certificate,
        DtlsFingerprint remoteFingerprint,
        IDtlsDatagramSender sender,
        IDtlsSessionObserver observer,
        ILogger logger,
        DtlsSessionOptions? options = null,
        object? logScope = null
    )
    {
        _logScope = logScope;
        _options = options ?? new DtlsSessionOptions();
        _observer = observer;
        _logger = logger;
        _handshake = new DtlsServerHandshake(
            certificate,
            remoteFingerprint,
            [.. _options.SrtpProfiles],
            _options.SendLimit,
            sender
        );
    }

    public DtlsSessionState State => _state;

    /// <summary>The negotiated SRTP profile, once connected.</summary>
    public SrtpProfile Profile { get; private set; }

    /// <summary>Keys protecting what we (the DTLS server) send.</summary>
    public SrtpKeys? LocalKeys { get; private set; }

    /// <summary>Keys protecting what the peer (the DTLS client) sends.</summary>
    public SrtpKeys? RemoteKeys { get; private set; }

    public bool ExtendedMasterSecret { get; private set; }

    /// <summary>Arms the handshake timeout; the handshake itself starts with the client's first flight.</summary>
    public void Start()
    {
        lock (_gate)
            StartLocked();
    }

    private void StartLocked()
    {
        if (_state != DtlsSessionState.New)
            return;
        _state = DtlsSessionState.Handshaking;
        _deadlineTimer = _options.TimeProvider.CreateTimer(
            static s => ((DtlsServerSession)s!).OnDeadline(),
            this,
            _options.HandshakeTimeout,
            Timeout.InfiniteTimeSpan
        );
    }

    /// <summary>
    /// A DTLS datagram from this peer's address (RFC 7983 first byte 20..63). Never blocks: the handshake
    /// advances here and sends its answer before returning.
    /// </summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        var events = new Events();
        lock (_gate)
        {
            if (_state is DtlsSessionState.Closed or DtlsSessionState.Failed)
                return;
            StartLocked(); // a client flight racing the ICE state change starts the session
            int offset = 0;
            while (
                _state is DtlsSessionState.Handshaking or DtlsSessionState.Connected
                && DtlsRecords.TryReadNext(datagram, ref offset, out int start, out int length)
            )
            {
                OnRecord(datagram.Slice(start, length), ref events);
            }

            if (offset < datagram.Length && _state is DtlsSessionState.Handshaking or DtlsSessionState.Connected)
                events.Rejected++;
            if (_handshake.PeerRetransmitted && _state is DtlsSessionState.Handshaking or DtlsSessionState.Connected)
                _handshake.Retransmit();
        }
        Raise(events);
    }

    private void OnRecord(ReadOnlySpan<byte> record, ref Events events)
    {
        byte type = record[0];
        int epoch = DtlsRecords.Epoch(record);
        var body = record[DtlsRecords.HeaderLength..];
        if (epoch == 0)
        {
            if (_state == DtlsSessionState.Connected)
            {
                // Epoch 0 after success carries only the client's retransmitted flight, answered while
                // lingering; an epoch-0 alert or data record is unauthenticated.
                if (type == DtlsRecords.Handshake && _lingering)
                    _handshake.PeerRetransmitted = true;
                else
                    events.Rejected++;
                return;
            }
            if (type == DtlsRecords.Handshake)
                OnHandshake(body, protectedEpoch: false, ref events);
            else if (type == DtlsRecords.Alert && body.Length == 2)
                OnAlert(body[0], body[1], ref events); // no keys yet: a peer's refusal is only ever plaintext
            // ChangeCipherSpec: the Finished that follows in epoch 1 is what we check.
            return;
        }
        if (epoch != 1)
        {
            events.Rejected++;
            return;
        }
        var protection = _handshake.Protection;
        if (protection is null)
        {
            // The client's Finished overtook the flight that lets us derive its keys: hold it a moment.
            _earlyRecords ??= [];
            if (_earlyRecords.Count < MaxEarlyRecords)
                _earlyRecords.Add(record.ToArray());
            return;
        }
        if (record.Length > MaxProtectedRecord)
        {
            events.Rejected++; // our peers protect only a Finished and alerts (no data channel): tiny records
            return;
        }
        Span<byte> plaintext = stackalloc byte[record.Length];
        if (!protection.TryOpen(record, plaintext, out int length))
        {
            events.Rejected++;
            return;
        }
        plaintext = plaintext[..length];
        switch (type)
        {
            case DtlsRecords.Handshake when _state == DtlsSessionState.Connected:
                if (_lingering)
                    _handshake.PeerRetransmitted = true; // the client resends its Finished: ours was lost
                break;
            case DtlsRecords.Handshake:
                OnHandshake(plaintext, protectedEpoch: true, ref events);
                break;
            case DtlsRecords.Alert when length == 2:
                OnAlert(plaintext[0], plaintext[1], ref events);
                break;
            default:
                break; // application data: we carry no data channel
        }
    }

    private void OnHandshake(ReadOnlySpan<byte> plaintext, bool protectedEpoch, ref Events events)
    {
        bool hadKeys = _handshake.Protection is not null;
        try
        {
            if (_handshake.OnHandshakeRecord(plaintext, protectedEpoch))
            {
                OnHandshakeComplete(ref events);
                return;
            }
        }
        catch (DtlsHandshakeException e)
        {
            _handshake.SendAlert(TlsAlert.Fatal, e.Alert);
            FinishLocked(
                DtlsSessionState.Failed,
                $"handshake failed: {e.Message} ({TlsAlert.Name(e.Alert)})",
                ref events
            );
            return;
        }
        if (_handshake.AwaitsClientFlight && _retransmitTimer is null)
        {
            _retransmitInterval = _options.RetransmitInitial;
            _retransmitTimer = _options.TimeProvider.CreateTimer(
                static s => ((DtlsServerSession)s!).OnRetransmitTimer(),
                this,
                _retransmitInterval,
                Timeout.InfiniteTimeSpan
            );
        }
        if (!hadKeys && _handshake.Protection is not null && _earlyRecords is { } early)
        {
            _earlyRecords = null;
            foreach (var record in early)
                OnRecord(record, ref events);
        }
    }

    private void OnHandshakeComplete(ref Events events)
    {
        var (client, server) = _handshake.SrtpKeys!.Value;
        Profile = _handshake.Profile;
        RemoteKeys = client;
        LocalKeys = server;
        ExtendedMasterSecret = _handshake.ExtendedMasterSecret;
        _state = DtlsSessionState.Connected;
        _earlyRecords = null;
        _retransmitTimer?.Dispose();
        _retransmitTimer = null;
        _lingering = _options.PostHandshakeLinger > TimeSpan.Zero;
        if (_lingering)
            _deadlineTimer?.Change(_options.PostHandshakeLinger, Timeout.InfiniteTimeSpan);
        else
            DisposeDeadline();
        events.Connected = true;
    }

    private void OnAlert(byte level, byte description, ref Events events)
    {
        _logger.LogDebug("DTLS alert received: level {Level} {Description}", level, TlsAlert.Name(description));
        if (description == TlsAlert.CloseNotify)
            FinishLocked(DtlsSessionState.Closed, "peer sent close_notify", ref events);
        else if (level == TlsAlert.Fatal)
            FinishLocked(DtlsSessionState.Failed, $"peer sent fatal alert {TlsAlert.Name(description)}", ref events);
    }

    private void OnRetransmitTimer()
    {
        lock (_gate)
        {
            if (_state != DtlsSessionState.Handshaking || _retransmitTimer is null || !_handshake.AwaitsClientFlight)
                return;
            _handshake.Retransmit();
            // Exponential backoff (RFC 6347 §4.2.4.1), capped.
            _retransmitInterval = TimeSpan.FromTicks(
                Math.Min(_retransmitInterval.Ticks * 2, _options.RetransmitMax.Ticks)
            );
            _retransmitTimer.Change(_retransmitInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnDeadline()
    {
        var events = new Events();
        lock (_gate)
        {
            if (_state == DtlsSessionState.Handshaking)
            {
                FinishLocked(DtlsSessionState.Failed, "handshake timed out", ref events);
            }
            else if (_state == DtlsSessionState.Connected)
            {
                _lingering = false; // the client has had its chance to resend its last flight
                DisposeDeadline();
            }
        }
        Raise(events);
    }

    /// <summary>Sends close_notify (if connected) and ends the session.</summary>
    public void Close(string reason = "closed locally")
    {
        var events = new Events();
        lock (_gate)
        {
            if (_state == DtlsSessionState.Connected)
                _handshake.SendAlert(TlsAlert.Warning, TlsAlert.CloseNotify);
            FinishLocked(DtlsSessionState.Closed, reason, ref events);
        }
        Raise(events);
    }

    private void FinishLocked(DtlsSessionState state, string reason, ref Events events)
    {
        if (_state is DtlsSessionState.Closed or DtlsSessionState.Failed)
            return;
        _state = state;
        _retransmitTimer?.Dispose();
        _retransmitTimer = null;
        DisposeDeadline();
        _earlyRecords = null;
        _handshake.Dispose(); // keys, transcript and flight go now, not when the peer object is collected
        events.ClosedReason = reason;
    }

    private void DisposeDeadline()
    {
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
    }

    /// <summary>Observer calls happen outside the lock: the peer may call back into <see cref="Close"/>.</summary>
    private void Raise(in Events events)
    {
        if (events.Rejected == 0 && !events.Connected && events.ClosedReason is null)
            return;
        using var scope = _logScope is null ? null : _logger.BeginScope(_logScope);
        for (int i = 0; i < events.Rejected; i++)
            _observer.OnDtlsRecordRejected(this);
        if (events.Connected)
        {
            _logger.LogInformation(
                "DTLS connected: SRTP profile {Profile}, extended master secret {Ems}",
                Profile,
                ExtendedMasterSecret
            );
            _observer.OnDtlsConnected(this);
        }
        if (events.ClosedReason is { } reason)
        {
            _logger.LogInformation("DTLS {State}: {Reason}", _state, reason);
            _observer.OnDtlsClosed(this, reason);
        }
    }

    public void Dispose() => Close("disposed");

    /// <summary>What one call produced, reported once the lock is released.</summary>
    private struct Events
    {
        public int Rejected;
        public bool Connected;
        public string? ClosedReason;
    }
}
