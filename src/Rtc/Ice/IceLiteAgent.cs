using System.Text;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Ice;

/// <summary>
/// The ICE-lite side of one peer connection (RFC 8445 §2.5 and §7.3, consent freshness RFC 7675). A lite agent sends
/// no checks: it answers the peer's authenticated binding requests, learns the peer's addresses from them, takes the
/// pair the controlling peer nominates with USE-CANDIDATE (the latest nomination wins, like mediasoup, so a peer that
/// renominates after a network change is followed), and treats each valid request as consent to keep sending.
/// Thread-safe: the receive loop calls <see cref="HandleBindingRequest"/>, a timer calls <see cref="CheckTimeouts"/>.
/// </summary>
public sealed class IceLiteAgent
{
    private readonly Lock _gate = new();
    private readonly IceLiteOptions _options;
    private readonly TimeProvider _time;
    private readonly List<RemoteAddress> _remotes = [];
    private readonly List<TransportAddress> _forgotten = [];
    private readonly byte[] _software;
    private readonly long _createdAt;
    private volatile IceCredentials _local;
    private long _lastConsent;
    private TransportAddress _selected;
    private bool _hasSelected;
    private IceConnectionState _state = IceConnectionState.New;
    private string? _remoteUfrag;
    private byte[]? _remoteUfragBytes;

    public IceLiteAgent(
        IceCredentials? localCredentials = null,
        IceLiteOptions? options = null,
        TimeProvider? timeProvider = null
    )
    {
        _local = localCredentials ?? IceCredentials.Generate();
        _options = options ?? new IceLiteOptions();
        _time = timeProvider ?? TimeProvider.System;
        _software = Encoding.UTF8.GetBytes(_options.Software);
        _createdAt = _time.GetTimestamp();
    }

    /// <summary>Our ufrag and password; replaced by an ICE restart (<see
    /// cref="IceLiteRegistry.TryRestart"/>).</summary>
    public IceCredentials LocalCredentials => _local;

    /// <summary>Raised outside the lock after every state change.</summary>
    public event Action<IceLiteAgent, IceConnectionState>? StateChanged;

    /// <summary>Raised outside the lock when media should go to a new address.</summary>
    public event Action<IceLiteAgent, TransportAddress>? SelectedAddressChanged;

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

    /// <summary>The peer's ufrag from its SDP; when set, USERNAME must end with it.</summary>
    public string? RemoteUfrag
    {
        get => _remoteUfrag;
        set
        {
            lock (_gate)
            {
                _remoteUfrag = value;
                _remoteUfragBytes = value is null ? null : Encoding.ASCII.GetBytes(value);
            }
        }
    }

    /// <summary>Where to send media: the nominated address, or before nomination the first address that passed a
    /// check.</summary>
    public bool TryGetSelectedAddress(out TransportAddress address)
    {
        lock (_gate)
        {
            address = _selected;
            return _hasSelected;
        }
    }

    /// <summary>Remote addresses that passed a check, most recent first is not guaranteed; for diagnostics.</summary>
    public IReadOnlyList<TransportAddress> RemoteAddresses
    {
        get
        {
            lock (_gate)
            {
                return _remotes.Select(r => r.Address).ToArray();
            }
        }
    }

    /// <summary>True when <paramref name="address"/> has passed a check, so DTLS/SRTP from it may be
    /// accepted.</summary>
    public bool IsKnownAddress(in TransportAddress address)
    {
        lock (_gate)
        {
            return IndexOf(address) >= 0;
        }
    }

    /// <summary>
    /// Validates a binding request from <paramref name="remote"/> and writes the response into <paramref
    /// name="response"/> (at least 128 bytes plus the SOFTWARE text). Checks in RFC 8489 §9.1.3 / RFC 8445 §7.3 order:
    /// class and method, fingerprint, unknown comprehension-required attributes (420), USERNAME and MESSAGE-INTEGRITY
    /// present (400), USERNAME = ourUfrag:theirUfrag and integrity with our password (401), role (487 when the peer
    /// also claims controlled).
    /// </summary>
    public IceCheckResult HandleBindingRequest(
        scoped in StunMessage request,
        in TransportAddress remote,
        Span<byte> response
    )
    {
        if (
            request.MessageType != StunMessageType.BindingRequest
            || (request.HasFingerprint && !request.VerifyFingerprint())
        )
        {
            return IceCheckResult.Dropped;
        }

        // One snapshot for the whole check, so a concurrent ICE restart cannot mix old and new credentials.
        IceCredentials local = _local;

        Span<ushort> unknown = stackalloc ushort[8];
        int unknownCount = 0;
        foreach (StunAttribute attribute in request.Attributes)
        {
            if (
                StunAttributeType.IsComprehensionRequired(attribute.Type)
                && !IsKnownAttribute(attribute.Type)
                && unknownCount < unknown.Length
            )
            {
                unknown[unknownCount++] = attribute.Type;
            }
        }

        if (unknownCount > 0)
        {
            return WriteError(
                request,
                response,
                local,
                StunErrorCode.UnknownAttribute,
                "Unknown Attribute"u8,
                authenticated: false,
                unknown[..unknownCount]
            );
        }

        if (!request.TryGetUsername(out ReadOnlySpan<byte> username) || !request.HasMessageIntegrity)
        {
            return WriteError(
                request,
                response,
                local,
                StunErrorCode.BadRequest,
                "Bad Request"u8,
                authenticated: false
            );
        }

        bool closedOrFailed;
        byte[]? remoteUfrag;
        lock (_gate)
        {
            closedOrFailed = _state is IceConnectionState.Closed or IceConnectionState.Failed;
            remoteUfrag = _remoteUfragBytes;
        }

        if (closedOrFailed)
        {
            return IceCheckResult.Dropped;
        }

        if (
            !UsernameMatches(username, local.UfragBytes.Span, remoteUfrag)
            || !request.VerifyMessageIntegrity(local.PasswordBytes.Span)
        )
        {
            return WriteError(
                request,
                response,
                local,
                StunErrorCode.Unauthorized,
                "Unauthorized"u8,
                authenticated: false
            );
        }

        if (request.TryGetIceControlled(out _))
        {
            // A lite agent must stay controlled (RFC 8445 §6.1.1), so it cannot yield: tell the peer to switch.
            return WriteError(
                request,
                response,
                local,
                StunErrorCode.RoleConflict,
                "Role Conflict"u8,
                authenticated: true
            );
        }

        request.TryGetPriority(out uint priority);
        bool nominated = request.UseCandidate;
        bool selectedChanged;
        IceConnectionState? newState;
        lock (_gate)
        {
            if (_state is IceConnectionState.Closed or IceConnectionState.Failed)
            {
                return IceCheckResult.Dropped;
            }

            _lastConsent = _time.GetTimestamp();
            Remember(remote, priority, nominated);
            selectedChanged = false;
            if (nominated || !_hasSelected)
            {
                selectedChanged = !_hasSelected || _selected != remote;
                _selected = remote;
                _hasSelected = true;
            }

            bool everNominated = nominated || _remotes.Exists(r => r.Nominated);
            newState = SetState(everNominated ? IceConnectionState.Completed : IceConnectionState.Connected);
        }

        var writer = new StunMessageWriter(response, StunMessageType.BindingSuccessResponse, request.TransactionId);
        bool ok =
            writer.TryAddXorMappedAddress(remote)
            && (_software.Length == 0 || writer.TryAddSoftware(_software))
            && writer.TryAddMessageIntegrity(local.PasswordBytes.Span)
            && writer.TryAddFingerprint();

        Raise(newState, selectedChanged ? remote : null);
        return ok
            ? new IceCheckResult(IceCheckOutcome.Success, writer.Length, 0, nominated, selectedChanged)
            : new IceCheckResult(IceCheckOutcome.Success, 0, 0, nominated, selectedChanged);
    }

    /// <summary>Moves to Disconnected / Failed when checks stopped; call about once a second. Returns the
    /// state.</summary>
    public IceConnectionState CheckTimeouts()
    {
        IceConnectionState? changed = null;
        IceConnectionState current;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            switch (_state)
            {
                case IceConnectionState.New when _time.GetElapsedTime(_createdAt, now) >= _options.ConsentTimeout:
                    changed = SetState(IceConnectionState.Failed);
                    break;
                case IceConnectionState.Connected or IceConnectionState.Completed or IceConnectionState.Disconnected:
                    TimeSpan silent = _time.GetElapsedTime(_lastConsent, now);
                    if (silent >= _options.ConsentTimeout)
                    {
                        changed = SetState(IceConnectionState.Failed);
                    }
                    else if (silent >= _options.DisconnectedTimeout)
                    {
                        changed = SetState(IceConnectionState.Disconnected);
                    }

                    break;
            }

            current = _state;
        }

        Raise(changed, null);
        return current;
    }

    /// <summary>
    /// ICE restart (RFC 8445 §9) on our side: new local credentials and the peer's new ufrag. The selected address
    /// keeps carrying media until the peer's checks with the new credentials nominate again; checks with the old ones
    /// get 401. False once the agent has failed or closed.
    /// </summary>
    internal bool TryRestart(IceCredentials newLocal, string? newRemoteUfrag)
    {
        lock (_gate)
        {
            if (_state is IceConnectionState.Failed or IceConnectionState.Closed)
            {
                return false;
            }

            _local = newLocal;
            _remoteUfrag = newRemoteUfrag;
            _remoteUfragBytes = newRemoteUfrag is null ? null : Encoding.ASCII.GetBytes(newRemoteUfrag);
            return true;
        }
    }

    /// <summary>Stops answering checks.</summary>
    public void Close()
    {
        IceConnectionState? changed;
        lock (_gate)
        {
            changed = SetState(IceConnectionState.Closed);
        }

        Raise(changed, null);
    }

    private static bool IsKnownAttribute(ushort type) =>
        type
            is StunAttributeType.Username
                or StunAttributeType.MessageIntegrity
                or StunAttributeType.MessageIntegritySha256
                or StunAttributeType.Fingerprint
                or StunAttributeType.Priority
                or StunAttributeType.UseCandidate
                or StunAttributeType.IceControlled
                or StunAttributeType.IceControlling
                or StunAttributeType.Software
                or StunAttributeType.Realm
                or StunAttributeType.Nonce
                or StunAttributeType.XorMappedAddress
                or StunAttributeType.MappedAddress
                or StunAttributeType.ErrorCode;

    private static bool UsernameMatches(ReadOnlySpan<byte> username, ReadOnlySpan<byte> localUfrag, byte[]? remoteUfrag)
    {
        // USERNAME of a check sent to us is "<our ufrag>:<their ufrag>" (RFC 8445 §7.2.2).
        int colon = username.IndexOf((byte)':');
        if (colon < 0 || !username[..colon].SequenceEqual(localUfrag))
        {
            return false;
        }

        return remoteUfrag is null || username[(colon + 1)..].SequenceEqual(remoteUfrag);
    }

    private IceCheckResult WriteError(
        scoped in StunMessage request,
        Span<byte> response,
        IceCredentials local,
        int code,
        ReadOnlySpan<byte> reason,
        bool authenticated,
        ReadOnlySpan<ushort> unknownAttributes = default
    )
    {
        var writer = new StunMessageWriter(response, StunMessageType.BindingErrorResponse, request.TransactionId);
        bool ok = writer.TryAddErrorCode(code, reason);
        if (ok && !unknownAttributes.IsEmpty)
        {
            Span<byte> list = stackalloc byte[unknownAttributes.Length * 2];
            for (int i = 0; i < unknownAttributes.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(list.Slice(i * 2), unknownAttributes[i]);
            }

            ok = writer.TryAddAttribute(StunAttributeType.UnknownAttributes, list);
        }

        if (ok && authenticated)
        {
            ok = writer.TryAddMessageIntegrity(local.PasswordBytes.Span);
        }

        ok = ok && writer.TryAddFingerprint();
        return IceCheckResult.Error(code, ok ? writer.Length : 0);
    }

    private void Remember(in TransportAddress remote, uint priority, bool nominated)
    {
        long now = _time.GetTimestamp();
        int index = IndexOf(remote);
        if (index >= 0)
        {
            RemoteAddress existing = _remotes[index];
            _remotes[index] = existing with
            {
                Priority = priority,
                LastSeen = now,
                Nominated = existing.Nominated || nominated,
            };
            return;
        }

        if (_remotes.Count >= _options.MaxRemoteAddresses)
        {
            // Forget the address silent the longest, but never the selected one.
            int oldest = -1;
            for (int i = 0; i < _remotes.Count; i++)
            {
                if (
                    (!_hasSelected || _remotes[i].Address != _selected)
                    && (oldest < 0 || _remotes[i].LastSeen < _remotes[oldest].LastSeen)
                )
                {
                    oldest = i;
                }
            }

            if (oldest >= 0)
            {
                // The registry maps addresses to agents too; it unmaps this one (TakeForgotten), so
                // its map holds only what the agents' bounded lists hold.
                _forgotten.Add(_remotes[oldest].Address);
                _remotes.RemoveAt(oldest);
            }
        }

        _remotes.Add(new RemoteAddress(remote, priority, now, nominated));
    }

    /// <summary>Hands over the addresses evicted from the bounded list since the last call.</summary>
    internal void TakeForgotten(Action<TransportAddress> forget)
    {
        TransportAddress[] taken;
        lock (_gate)
        {
            if (_forgotten.Count == 0)
            {
                return;
            }

            taken = [.. _forgotten];
            _forgotten.Clear();
        }

        foreach (TransportAddress address in taken)
        {
            forget(address);
        }
    }

    private int IndexOf(in TransportAddress address)
    {
        for (int i = 0; i < _remotes.Count; i++)
        {
            if (_remotes[i].Address == address)
            {
                return i;
            }
        }

        return -1;
    }

    private IceConnectionState? SetState(IceConnectionState next)
    {
        if (
            _state == next
            || _state is IceConnectionState.Closed
            || (_state is IceConnectionState.Failed && next != IceConnectionState.Closed)
        )
        {
            return null;
        }

        _state = next;
        return next;
    }

    private void Raise(IceConnectionState? state, TransportAddress? selected)
    {
        if (selected is { } address)
        {
            SelectedAddressChanged?.Invoke(this, address);
        }

        if (state is { } changed)
        {
            StateChanged?.Invoke(this, changed);
        }
    }

    private readonly record struct RemoteAddress(
        TransportAddress Address,
        uint Priority,
        long LastSeen,
        bool Nominated
    );
}
