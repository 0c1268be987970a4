using Microsoft.Extensions.Logging;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Srtp;
using MobZ.Rtc.Stun;
using MobZ.Rtc.Transport.Egress;

namespace MobZ.Rtc.Transport;

/// <summary>
/// One remote WebRTC endpoint on a shared <see cref="RtcUdpTransport"/>: its ICE-lite agent, DTLS
/// server session and the two SRTP contexts. Receives on the transport's receive thread; sends
/// from any thread (sends are serialised per peer, the hot path takes one uncontended lock).
/// </summary>
public sealed class RtcPeer : IDtlsSessionObserver, IDtlsDatagramSender
{
    /// <summary>Largest RTP/RTCP packet <see cref="SendRtp"/>/<see cref="SendRtcp"/> copy and protect.</summary>
    public const int MaxPacketSize = 1500;

    private readonly RtcUdpTransport _transport;
    private readonly IRtcPeerHandler _handler;
    private readonly ILogger _logger;
    private readonly DtlsServerSession _dtls;
    private readonly Lock _stateGate = new();
    private readonly Lock _sendGate = new();
    private volatile SrtpContext? _receive;
    private SrtpContext? _send;
    private volatile RtcPath? _path;
    private RtcPeerState _state = RtcPeerState.New;
    private long _rtpReceived;
    private long _rtcpReceived;
    private long _rtpSent;
    private long _rtcpSent;

    internal RtcPeer(
        RtcUdpTransport transport,
        string id,
        RtcRemoteParameters remote,
        IRtcPeerHandler handler,
        RtcTransportOptions options,
        ILogger logger,
        IceCredentials? localCredentials = null
    )
    {
        _transport = transport;
        _handler = handler;
        _logger = logger;
        Id = id;
        Remote = remote;
        Agent = new IceLiteAgent(localCredentials ?? IceCredentials.Generate(), options.Ice, options.TimeProvider)
        {
            RemoteUfrag = remote.IceUfrag,
        };
        Local = new RtcLocalParameters(Agent.LocalCredentials, transport.Certificate.Fingerprint, transport.Candidates);
        _dtls = new DtlsServerSession(
            transport.Certificate,
            remote.Fingerprint,
            this,
            this,
            logger,
            options.Dtls,
            new Dictionary<string, object> { ["PeerId"] = id }
        );
        Agent.StateChanged += OnIceStateChanged;
        Agent.SelectedAddressChanged += OnSelectedAddressChanged;
    }

    public string Id { get; }

    /// <summary>The attributes for our answer: ufrag/pwd, fingerprint, candidates, setup:passive, ice-lite.</summary>
    public RtcLocalParameters Local { get; private set; }

    public RtcRemoteParameters Remote { get; private set; }

    /// <summary>
    /// An ICE restart inside the same session (the peer's re-offer has new ICE credentials, the same certificate):
    /// new local credentials, DTLS and SRTP untouched, media flowing on the old path until the new checks nominate.
    /// </summary>
    internal bool TryRestartIce(IceLiteRegistry registry, RtcRemoteParameters remote)
    {
        if (
            !SameCertificate(remote.Fingerprint, Remote.Fingerprint)
            || State is RtcPeerState.Failed or RtcPeerState.Closed
        )
        {
            return false;
        }

        if (!registry.TryRestart(Agent, remote.IceUfrag, out var fresh) || fresh is null)
            return false;
        Local = Local with { Ice = fresh };
        Remote = remote;
        _logger.LogInformation("ICE restart: new local ufrag {Ufrag}", fresh.Ufrag);
        return true;
    }

    private static bool SameCertificate(DtlsFingerprint a, DtlsFingerprint b) =>
        string.Equals(a.Algorithm, b.Algorithm, StringComparison.OrdinalIgnoreCase) && a.Digest.SequenceEqual(b.Digest);

    public RtcPeerState State
    {
        get
        {
            lock (_stateGate)
                return _state;
        }
    }

    /// <summary>Negotiated SRTP profile once <see cref="RtcPeerState.Connected"/>.</summary>
    public SrtpProfile SrtpProfile => _dtls.Profile;

    /// <summary>Where media goes: the address the peer nominated (or first checked from); <see
    /// cref="TransportAddress.IsTcp"/> for ICE-TCP.</summary>
    public TransportAddress? RemoteAddress => Agent.TryGetSelectedAddress(out var address) ? address : null;

    public long RtpReceived => Interlocked.Read(ref _rtpReceived);
    public long RtcpReceived => Interlocked.Read(ref _rtcpReceived);
    public long RtpSent => Interlocked.Read(ref _rtpSent);
    public long RtcpSent => Interlocked.Read(ref _rtcpSent);

    /// <summary>
    /// What this peer's sends came to: packets and bytes the kernel took, and drops by reason. A sender that paces
    /// (congestion control) hands packets to <see cref="SendRtpInPlace"/> and reads <see cref="EgressCounters.Sent"/> /
    /// <see cref="EgressCounters.SentBytes"/> afterwards to learn how much went out; a send on the transport's receive
    /// thread is only batched until the receive loop flushes, so it counts then. docs/rtc.md, "Egress".
    /// </summary>
    public EgressCounters Egress { get; } = new();

    internal IceLiteAgent Agent { get; }

    /// <summary>Copies <paramref name="packet"/> to a stack buffer with tailroom, protects and sends it.</summary>
    public bool SendRtp(ReadOnlySpan<byte> packet)
    {
        if (packet.Length > MaxPacketSize)
            return false;
        Span<byte> buffer = stackalloc byte[packet.Length + SrtpProfiles.MaxTrailerLength];
        packet.CopyTo(buffer);
        return SendRtpInPlace(buffer, packet.Length);
    }

    /// <summary>
    /// Protects <c>buffer[..length]</c> in place (the buffer needs <see cref="SrtpProfiles.MaxTrailerLength"/>
    /// bytes of tailroom) and hands it to the egress, which never waits. True when it was taken (sent, or batched on
    /// the receive thread); false when it was dropped — not connected (<see cref="EgressDropReason.NoPath"/>), a full
    /// send buffer or queue (each counted in <see cref="Egress"/>), or a malformed packet.
    /// </summary>
    public bool SendRtpInPlace(Span<byte> buffer, int length)
    {
        var path = _path;
        if (path is null)
            return NoPath();
        lock (_sendGate)
        {
            var send = _send;
            if (send is null)
                return NoPath();
            if (send.ProtectRtp(buffer, length, out int protectedLength) != SrtpStatus.Ok)
                return false;
            if (!path.Send(buffer[..protectedLength], Egress))
                return false;
        }
        Interlocked.Increment(ref _rtpSent);
        return true;
    }

    public bool SendRtcp(ReadOnlySpan<byte> packet)
    {
        if (packet.Length > MaxPacketSize)
            return false;
        Span<byte> buffer = stackalloc byte[packet.Length + SrtpProfiles.MaxTrailerLength];
        packet.CopyTo(buffer);
        return SendRtcpInPlace(buffer, packet.Length);
    }

    public bool SendRtcpInPlace(Span<byte> buffer, int length)
    {
        var path = _path;
        if (path is null)
            return NoPath();
        lock (_sendGate)
        {
            var send = _send;
            if (send is null)
                return NoPath();
            if (send.ProtectRtcp(buffer, length, out int protectedLength) != SrtpStatus.Ok)
                return false;
            if (!path.Send(buffer[..protectedLength], Egress))
                return false;
        }
        Interlocked.Increment(ref _rtcpSent);
        return true;
    }

    private bool NoPath()
    {
        _transport.Counters.Egress.CountDrop(EgressDropReason.NoPath);
        Egress.CountDrop(EgressDropReason.NoPath);
        return false;
    }

    /// <summary>Sends DTLS close_notify, stops answering checks and leaves the socket. Idempotent.</summary>
    public void Close() => Shutdown(RtcPeerState.Closed, "closed locally");

    internal void Start() => SetState(RtcPeerState.Checking);

    internal void OnDtlsDatagram(ReadOnlySpan<byte> datagram) => _dtls.OnDatagram(datagram);

    internal void OnSrtp(Span<byte> datagram, bool rtcp)
    {
        var receive = _receive;
        if (receive is null)
        {
            Interlocked.Increment(ref _transport.Counters.NotConnectedValue);
            return;
        }
        if (rtcp)
        {
            var status = receive.UnprotectRtcp(datagram, out int length);
            if (status != SrtpStatus.Ok)
            {
                Rejected(status);
                return;
            }
            Interlocked.Increment(ref _rtcpReceived);
            _handler.OnRtcp(this, datagram[..length]);
        }
        else
        {
            var status = receive.UnprotectRtp(datagram, out int length);
            if (status != SrtpStatus.Ok)
            {
                Rejected(status);
                return;
            }
            Interlocked.Increment(ref _rtpReceived);
            _handler.OnRtp(this, datagram[..length]);
        }
    }

    internal void OnTimer() => Agent.CheckTimeouts();

    private void Rejected(SrtpStatus status)
    {
        Interlocked.Increment(ref _transport.Counters.SrtpRejectedValue);
        if (_logger.IsEnabled(LogLevel.Trace))
            _logger.LogTrace("Peer {PeerId} SRTP dropped: {Status}", Id, status);
    }

    void IDtlsDatagramSender.SendDtls(ReadOnlySpan<byte> datagram)
    {
        _path?.Send(datagram, Egress);
    }

    void IDtlsSessionObserver.OnDtlsConnected(DtlsServerSession session)
    {
        Interlocked.Increment(ref _transport.Counters.DtlsHandshakesCompletedValue);
        var receive = new SrtpContext(session.RemoteKeys!);
        var send = new SrtpContext(session.LocalKeys!);
        lock (_sendGate)
            _send = send;
        _receive = receive;
        lock (_stateGate)
        {
            if (_state is RtcPeerState.Failed or RtcPeerState.Closed)
                return;
        }
        // A consent lapse during the handshake keeps us Disconnected until the next check.
        SetState(Agent.State == IceConnectionState.Disconnected ? RtcPeerState.Disconnected : RtcPeerState.Connected);
    }

    void IDtlsSessionObserver.OnDtlsClosed(DtlsServerSession session, string reason)
    {
        if (session.LocalKeys is null && session.State == DtlsSessionState.Failed)
            Interlocked.Increment(ref _transport.Counters.DtlsHandshakesFailedValue);
        var state = session.State == DtlsSessionState.Failed ? RtcPeerState.Failed : RtcPeerState.Closed;
        Shutdown(state, "DTLS " + reason);
    }

    void IDtlsSessionObserver.OnDtlsRecordRejected(DtlsServerSession session)
    {
        Interlocked.Increment(ref _transport.Counters.DtlsUnauthenticatedValue);
        if (_logger.IsEnabled(LogLevel.Trace))
            _logger.LogTrace("Peer {PeerId} DTLS record dropped: not authenticated", Id);
    }

    private void OnIceStateChanged(IceLiteAgent agent, IceConnectionState state)
    {
        switch (state)
        {
            case IceConnectionState.Connected or IceConnectionState.Completed:
                bool startDtls = false;
                RtcPeerState? next = null;
                lock (_stateGate)
                {
                    if (_state == RtcPeerState.Checking)
                    {
                        next = RtcPeerState.IceConnected;
                        startDtls = true;
                    }
                    else if (_state == RtcPeerState.Disconnected)
                    {
                        next = _receive is null ? RtcPeerState.IceConnected : RtcPeerState.Connected;
                    }
                }
                if (next is { } n)
                    SetState(n);
                if (startDtls)
                    _dtls.Start();
                break;
            case IceConnectionState.Disconnected:
                lock (_stateGate)
                {
                    if (_state is not (RtcPeerState.IceConnected or RtcPeerState.Connected))
                        return;
                }
                SetState(RtcPeerState.Disconnected);
                break;
            case IceConnectionState.Failed:
                Shutdown(RtcPeerState.Failed, "ICE consent expired");
                break;
        }
    }

    private void OnSelectedAddressChanged(IceLiteAgent agent, TransportAddress address)
    {
        // A TCP address resolves to its connection, a UDP one to our socket: same ip:port, never the same path.
        _path = _transport.PathTo(address);
        _logger.LogDebug("Peer {PeerId} media address is now {Address}", Id, address);
    }

    /// <summary>Why the peer ended ("ICE consent expired", "DTLS close_notify", "closed locally"…); null while it
    /// lives.</summary>
    public string? CloseReason { get; private set; }

    private void Shutdown(RtcPeerState state, string reason)
    {
        lock (_stateGate)
        {
            if (CloseReason is not null || _state is RtcPeerState.Failed or RtcPeerState.Closed)
                return;
            CloseReason = reason;
        }
        _logger.LogInformation("Peer {PeerId} {State}: {Reason}", Id, state, reason);
        _dtls.Close(reason);
        Agent.Close();
        _transport.Remove(this);
        _receive = null;
        lock (_sendGate)
        {
            _send?.Dispose();
            _send = null;
        }
        // Told last, so a handler that sees the end finds the peer already gone from its port.
        SetState(state);
    }

    private void SetState(RtcPeerState next)
    {
        lock (_stateGate)
        {
            if (_state == next || _state is RtcPeerState.Failed or RtcPeerState.Closed)
                return;
            if (CloseReason is not null && next is not (RtcPeerState.Failed or RtcPeerState.Closed))
                return; // shutting down: only the end may still be announced
            _state = next;
        }
        try
        {
            _handler.OnStateChanged(this, next);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _transport.Counters.HandlerErrorsValue);
            _logger.LogWarning(e, "Peer {PeerId} state handler threw", Id);
        }
    }
}
