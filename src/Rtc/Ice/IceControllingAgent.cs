using System.Security.Cryptography;
using System.Text;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Ice;

/// <summary>
/// The controlling side of ICE (RFC 8445) towards one remote candidate, as a browser runs it against an ICE-lite
/// server: binding requests carrying USERNAME (remote:local ufrag), PRIORITY, ICE-CONTROLLING, USE-CANDIDATE
/// (aggressive nomination, RFC 8445 §8.1.1), MESSAGE-INTEGRITY with the remote password and FINGERPRINT, sent on
/// <see cref="Start"/> and retransmitted with a doubling timeout until a valid response arrives; then consent
/// requests (RFC 7675) every <see cref="IceControllingOptions.ConsentInterval"/>, each with a new transaction.
/// The agent fails when nothing valid answers within <see cref="IceControllingOptions.ConnectTimeout"/>, or, once
/// connected, for <see cref="IceControllingOptions.ConsentTimeout"/>. A lite server sends no checks of its own, so
/// the agent answers none. Thread-safe: the receive loop calls <see cref="HandleResponse"/>, one timer on
/// <see cref="TimeProvider"/> does the rest.
/// </summary>
public sealed class IceControllingAgent : IDisposable
{
    /// <summary>PRIORITY of our peer-reflexive candidate (RFC 8445 §5.1.2.1: type 110, local 65535, component
    /// 1).</summary>
    public const uint PeerReflexivePriority = (110u << 24) | (65535u << 8) | (256u - 1);

    /// <summary>Transactions remembered, so a late response to an earlier request still counts.</summary>
    private const int MaxPendingTransactions = 8;

    private const int TransactionIdLength = 12;

    private readonly Lock _gate = new();
    private readonly IIceCheckSender _sender;
    private readonly IceControllingOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _username;
    private readonly byte[] _remotePassword;
    private readonly ulong _tieBreaker;
    private readonly byte[] _pending = new byte[MaxPendingTransactions * TransactionIdLength];
    private readonly byte[] _request = new byte[160];
    private int _pendingCount;
    private int _pendingNext;
    private ITimer? _timer;
    private IceConnectionState _state = IceConnectionState.New;
    private long _startedAt;
    private long _lastResponse;
    private TimeSpan _rto;
    private long _requestsSent;
    private long _responsesAccepted;
    private long _responsesRejected;

    /// <param name="local">Our ufrag and password (our SDP's a=ice-ufrag / a=ice-pwd).</param>
    /// <param name="remoteUfrag">The server's a=ice-ufrag.</param>
    /// <param name="remotePassword">The server's a=ice-pwd: the key of our requests and of its responses.</param>
    public IceControllingAgent(
        IceCredentials local,
        string remoteUfrag,
        string remotePassword,
        IIceCheckSender sender,
        IceControllingOptions? options = null,
        TimeProvider? timeProvider = null
    )
    {
        ArgumentException.ThrowIfNullOrEmpty(remoteUfrag);
        ArgumentException.ThrowIfNullOrEmpty(remotePassword);
        LocalCredentials = local;
        _sender = sender;
        _options = options ?? new IceControllingOptions();
        _time = timeProvider ?? TimeProvider.System;
        _username = Encoding.ASCII.GetBytes($"{remoteUfrag}:{local.Ufrag}");
        _remotePassword = Encoding.UTF8.GetBytes(remotePassword);
        _tieBreaker = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        _rto = _options.InitialRto;
    }

    public IceCredentials LocalCredentials { get; }

    /// <summary>Raised outside the lock after every state change.</summary>
    public event Action<IceControllingAgent, IceConnectionState>? StateChanged;

    public IceConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Binding requests sent: checks, their retransmissions and consent requests.</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>Responses to one of our transactions that passed MESSAGE-INTEGRITY.</summary>
    public long ResponsesAccepted => Interlocked.Read(ref _responsesAccepted);

    /// <summary>STUN responses that were not ours, failed integrity or were error responses.</summary>
    public long ResponsesRejected => Interlocked.Read(ref _responsesRejected);

    /// <summary>Sends the first nominating check and arms the retransmission timer; once only.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_timer is not null || IsTerminal(_state))
                throw new InvalidOperationException("the ICE agent was already started");
            _startedAt = _time.GetTimestamp();
            _timer = _time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            SendRequest(nominate: true);
            _timer.Change(_rto, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Takes a STUN response from the remote candidate. True when it answered one of our transactions and passed
    /// MESSAGE-INTEGRITY (and FINGERPRINT when present): the pair is valid and consent is refreshed.
    /// </summary>
    public bool HandleResponse(scoped in StunMessage response)
    {
        if (
            response.Method != StunMessageType.BindingMethod
            || response.Class is not (StunClass.SuccessResponse or StunClass.ErrorResponse)
        )
        {
            return false;
        }

        IceConnectionState? changed = null;
        lock (_gate)
        {
            if (!IsPending(response.TransactionId) || IsTerminal(_state))
            {
                Interlocked.Increment(ref _responsesRejected);
                return false;
            }
            if (
                response.Class != StunClass.SuccessResponse
                || (response.HasFingerprint && !response.VerifyFingerprint())
                || !response.VerifyMessageIntegrity(_remotePassword)
            )
            {
                Interlocked.Increment(ref _responsesRejected);
                return false;
            }

            Interlocked.Increment(ref _responsesAccepted);
            _lastResponse = _time.GetTimestamp();
            if (_state is IceConnectionState.New or IceConnectionState.Disconnected)
            {
                bool first = _state == IceConnectionState.New;
                _state = IceConnectionState.Connected;
                changed = _state;
                if (first)
                    _timer?.Change(_options.ConsentInterval, Timeout.InfiniteTimeSpan);
            }
        }
        if (changed is { } state)
            StateChanged?.Invoke(this, state);
        return true;
    }

    /// <summary>Stops checking; the state becomes <see cref="IceConnectionState.Closed"/> unless already
    /// terminal.</summary>
    public void Close() => Finish(IceConnectionState.Closed);

    public void Dispose() => Close();

    private void OnTimer()
    {
        IceConnectionState? changed = null;
        lock (_gate)
        {
            if (IsTerminal(_state) || _timer is null)
                return;
            if (_state == IceConnectionState.New)
            {
                var left = _options.ConnectTimeout - _time.GetElapsedTime(_startedAt);
                if (left <= TimeSpan.Zero)
                {
                    changed = FailLocked();
                }
                else
                {
                    SendRequest(nominate: true);
                    _rto = TimeSpan.FromTicks(Math.Min(_rto.Ticks * 2, _options.MaxRto.Ticks));
                    // The last wait ends at the connect timeout, so the agent fails on time.
                    _timer.Change(_rto < left ? _rto : left, Timeout.InfiniteTimeSpan);
                }
            }
            else
            {
                var silent = _time.GetElapsedTime(_lastResponse);
                if (silent >= _options.ConsentTimeout)
                {
                    changed = FailLocked();
                }
                else
                {
                    if (silent >= _options.DisconnectedTimeout && _state == IceConnectionState.Connected)
                    {
                        _state = IceConnectionState.Disconnected;
                        changed = _state;
                    }
                    SendRequest(nominate: false);
                    _timer.Change(_options.ConsentInterval, Timeout.InfiniteTimeSpan);
                }
            }
        }
        if (changed is { } state)
            StateChanged?.Invoke(this, state);
    }

    private void Finish(IceConnectionState terminal)
    {
        lock (_gate)
        {
            if (IsTerminal(_state))
                return;
            _state = terminal;
            _timer?.Dispose();
            _timer = null;
        }
        StateChanged?.Invoke(this, terminal);
    }

    private IceConnectionState FailLocked()
    {
        _state = IceConnectionState.Failed;
        _timer?.Dispose();
        _timer = null;
        return _state;
    }

    /// <summary>A binding request under a new transaction (RFC 8445 §7.2.2 attributes), sent under the lock so
    /// requests leave in the order they were written.</summary>
    private void SendRequest(bool nominate)
    {
        var transaction = _pending.AsSpan(_pendingNext * TransactionIdLength, TransactionIdLength);
        RandomNumberGenerator.Fill(transaction);
        _pendingNext = (_pendingNext + 1) % MaxPendingTransactions;
        _pendingCount = Math.Min(_pendingCount + 1, MaxPendingTransactions);

        var writer = new StunMessageWriter(_request, StunMessageType.BindingRequest, transaction);
        writer.TryAddUsername(_username);
        writer.TryAddPriority(PeerReflexivePriority);
        writer.TryAddIceControlling(_tieBreaker);
        if (nominate)
            writer.TryAddUseCandidate();
        writer.TryAddMessageIntegrity(_remotePassword);
        writer.TryAddFingerprint();
        _sender.SendStun(writer.Written);
        Interlocked.Increment(ref _requestsSent);
    }

    private bool IsPending(ReadOnlySpan<byte> transactionId)
    {
        for (int i = 0; i < _pendingCount; i++)
        {
            if (_pending.AsSpan(i * TransactionIdLength, TransactionIdLength).SequenceEqual(transactionId))
                return true;
        }
        return false;
    }

    private static bool IsTerminal(IceConnectionState state) =>
        state is IceConnectionState.Failed or IceConnectionState.Closed;
}
