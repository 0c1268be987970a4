using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;
using MobZ.Rtc.Transport.Egress;

namespace MobZ.Rtc.Transport;

/// <summary>
/// One UDP socket shared by many WebRTC peers (ICE-lite, BUNDLE, rtcp-mux — one 5-tuple per peer).
/// A dedicated receive thread reads into one reused buffer with a reused <see cref="SocketAddress"/>
/// (no allocation per datagram), classifies by first byte (RFC 7983) and routes: STUN by the ufrag
/// in USERNAME, DTLS and SRTP by the source address that passed an ICE check. Whatever one peer
/// sends — garbage included — is dropped with a counted reason and never stops the loop.
/// It reads up to <see cref="RtcTransportOptions.IngressBatchSize"/> datagrams that are already waiting, then flushes
/// what handling them produced through the <see cref="UdpEgress"/> in one system call; no send ever waits for the
/// kernel, so a full send buffer drops (and counts) egress instead of stalling ingress.
/// With <see cref="RtcTransportOptions.Tcp"/> it also listens for ICE over TCP (RFC 6544, RFC 4571 framing) and
/// announces passive TCP candidates of lower priority; a frame from a TCP connection goes through the same routing,
/// with the remote marked TCP, and a peer that nominates a TCP pair sends its media through that connection.
/// Frames from every connection and datagrams from the UDP socket are processed one at a time (one uncontended
/// lock), as they were with the UDP thread alone: ICE, DTLS and SRTP receive state is never touched concurrently.
/// </summary>
public sealed class RtcUdpTransport : IDisposable, IIceTcpFrameHandler
{
    private const int ReceiveBufferSize = 64 * 1024;
    private const int PollTimeoutMicroseconds = 250_000;

    private readonly Socket _socket;
    private readonly RtcTransportOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IceLiteRegistry _registry = new();
    private readonly ConcurrentDictionary<IceLiteAgent, RtcPeer> _peers = new();
    private readonly ConcurrentDictionary<string, RtcPeer> _peersById = new(StringComparer.Ordinal);
    private readonly Thread _receiveThread;
    private readonly OnDemandTimer _timer;
    private readonly IceTcpListener? _tcp;
    private readonly Lock _receiveGate = new();
    private readonly UdpEgress _egress;
    private readonly RecvmmsgReceiver? _batchReceiver;
    private readonly byte[] _tcpResponse = new byte[512];
    private volatile bool _disposed;
    private int _receiveThreadId;
    private readonly Socket _waker;
    private readonly IPEndPoint _wakeTarget;
    private readonly TransportAddress _wakeFrom;

    public RtcUdpTransport(RtcTransportOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new RtcTransportOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<RtcUdpTransport>();
        Certificate = _options.Certificate ?? DtlsCertificate.Generate(time: _options.Dtls.TimeProvider);

        _socket = new Socket(_options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.ReceiveBufferSize = _options.SocketReceiveBufferSize;
            _socket.SendBufferSize = _options.SocketSendBufferSize;
        }
        catch (SocketException e)
        {
            _logger.LogWarning(e, "Could not size the UDP socket buffers");
        }
        _socket.Bind(new IPEndPoint(_options.BindAddress, _options.Port));
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        string? unbatched = "turned off (SystemCallBatching)";
        if (_options.SystemCallBatching && SendmmsgSender.IsAvailable(_socket, out unbatched))
        {
            // sendmmsg sends with MSG_DONTWAIT, so the socket can stay blocking for recvmmsg on the receive thread.
            _egress = new UdpEgress(c => new SendmmsgSender(_socket, c), _options.EgressBatchSize, Counters.Egress);
            _batchReceiver = new RecvmmsgReceiver(_socket, _options.IngressBatchSize);
        }
        else
        {
            // Portable: a non-blocking socket, so a full send buffer fails the send; the receive thread polls.
            _socket.Blocking = false;
            _egress = new UdpEgress(_ => new PortableSender(_socket), _options.EgressBatchSize, Counters.Egress);
        }
        var announced = AnnouncedEndPoints(LocalEndPoint, _options.AnnouncedAddress);
        var candidates = new List<IceCandidate>(HostCandidateBuilder.Build(announced, _options.AnnouncedAddress));
        if (_options.Tcp is { } tcp)
        {
            try
            {
                _tcp = new IceTcpListener(
                    _options.BindAddress,
                    LocalEndPoint.Port,
                    tcp,
                    Counters,
                    this,
                    _loggerFactory.CreateLogger<IceTcpListener>()
                );
            }
            catch
            {
                _socket.Dispose();
                throw;
            }

            TcpEndPoint = _tcp.LocalEndPoint;
            candidates.AddRange(
                HostCandidateBuilder.BuildTcpPassive(
                    announced.Select(e => new IPEndPoint(e.Address, TcpEndPoint.Port)).ToList(),
                    _options.AnnouncedAddress
                )
            );
        }

        Candidates = candidates;
        // The loop's timers wake it with an empty datagram from a socket of our own (non-blocking: a timer callback
        // never waits); the loop knows it by its source and neither counts nor routes it.
        var local = LocalEndPoint.Address;
        var wakeAddress =
            local.Equals(IPAddress.Any) ? IPAddress.Loopback
            : local.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : local;
        _wakeTarget = new IPEndPoint(wakeAddress, LocalEndPoint.Port);
        _waker = new Socket(wakeAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        _waker.Bind(new IPEndPoint(wakeAddress, 0));
        _wakeFrom = TransportAddress.FromIPEndPoint((IPEndPoint)_waker.LocalEndPoint!);
        Timers = new LoopTimerQueue(_options.TimeProvider, Wake);
        // Consent freshness and ICE-TCP deadlines need a tick only while a peer or a connection exists (before the
        // listener starts: an accepted connection arms it).
        _timer = new OnDemandTimer(_options.TimeProvider, _options.TimerInterval, OnTimer, () =>
            !_peersById.IsEmpty || _tcp is { ConnectionCount: > 0 }
        );

        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"rtc-udp-{LocalEndPoint.Port}" };
        _receiveThread.Start();
        _tcp?.Start();
        _logger.LogInformation(
            "WebRTC transport listening on udp {EndPoint} and tcp {TcpEndPoint}, announcing {Candidates}",
            LocalEndPoint,
            TcpEndPoint?.ToString() ?? "(off)",
            string.Join(", ", Candidates.Select(c => $"{c.Transport} {c.Address}:{c.Port}"))
        );
        _logger.LogInformation(
            "UDP ingress through {Receiver}, egress through {Sender} in batches of up to {BatchSize} ({Reason}); sends never wait",
            _batchReceiver is null ? "recvfrom" : "recvmmsg",
            _egress.SenderName,
            _egress.BatchSize,
            _batchReceiver is not null ? "system-call batching" : "system-call batching unavailable: " + unbatched
        );
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Where ICE-TCP connections are accepted; null when <see cref="RtcTransportOptions.Tcp"/> is
    /// off.</summary>
    public IPEndPoint? TcpEndPoint { get; }

    /// <summary>The DTLS certificate every peer on this transport presents; its fingerprint goes in answers.</summary>
    public DtlsCertificate Certificate { get; }

    /// <summary>Host candidates to put in answers (the announced address when configured): UDP, then passive
    /// TCP.</summary>
    public IReadOnlyList<IceCandidate> Candidates { get; }

    public RtcTransportCounters Counters { get; } = new();

    /// <summary>
    /// Timers serviced by the receive loop, between datagram batches: work scheduled here runs on the thread that
    /// handles this transport's packets (a media worker's engine tick, a per-peer pacer), so it needs no lock against
    /// them, and what it sends leaves in the loop's batch.
    /// </summary>
    public LoopTimerQueue Timers { get; }

    /// <summary>The kernel's id of the receive thread, the one that runs every datagram's handling (0 until it
    /// started, and where the platform has none): a worker's CPU is read from it.</summary>
    public int ReceiveThreadId => Volatile.Read(ref _receiveThreadId);

    public int PeerCount => _peersById.Count;

    public bool TryGetPeer(string id, out RtcPeer? peer) => _peersById.TryGetValue(id, out peer);

    /// <summary>The peers that live now (a snapshot).</summary>
    public IReadOnlyCollection<RtcPeer> Peers => [.. _peersById.Values];

    /// <summary>
    /// Creates a peer for a remote offer's transport attributes and starts waiting for its checks.
    /// Put <see cref="RtcPeer.Local"/> into the answer. Throws <see cref="ArgumentException"/> for a
    /// remote description this endpoint cannot serve (e.g. a=setup:passive).
    /// <paramref name="localCredentials"/>: the ICE credentials we already put in our own offer (a server offer,
    /// whose answer brings the remote parameters); generated when null.
    /// </summary>
    public RtcPeer CreatePeer(
        RtcRemoteParameters remote,
        IRtcPeerHandler handler,
        string? id = null,
        IceCredentials? localCredentials = null
    )
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        remote.Validate();
        id ??= Guid.NewGuid().ToString("N");
        var logger = _loggerFactory.CreateLogger<RtcPeer>();
        var peer = new RtcPeer(this, id, remote, handler, _options, logger, localCredentials);
        if (!_peersById.TryAdd(id, peer))
            throw new ArgumentException($"a peer with id '{id}' already exists", nameof(id));
        // 48 random bits of ufrag: a collision is practically impossible, but never share one.
        if (!_registry.TryRegister(peer.Agent))
        {
            _peersById.TryRemove(id, out _);
            throw new InvalidOperationException("generated ICE ufrag collided; retry");
        }
        _peers[peer.Agent] = peer;
        peer.Start();
        _timer.Arm();
        return peer;
    }

    /// <summary>
    /// Creates a peer from a parsed remote offer (its bundled transport attributes). Answer with
    /// <c>SdpAnswerBuilder.TryCreate(offer, peer.Local.ToAnswerOptions(...), ...)</c>.
    /// </summary>
    public RtcPeer CreatePeer(Sdp.SessionDescription offer, IRtcPeerHandler handler, string? id = null)
    {
        if (!RtcRemoteParameters.TryFromSdp(offer, out var remote, out var error))
            throw new ArgumentException(error, nameof(offer));
        return CreatePeer(remote!, handler, id);
    }

    /// <summary>
    /// ICE restart of a live peer (RFC 8445 §9): when <paramref name="remote"/> (from the peer's re-offer) carries new
    /// ICE credentials and the same DTLS certificate, the peer gets new local credentials and keeps its DTLS/SRTP
    /// session; answer with <c>peer.Local</c> as usual. False when it is not a restart of this session (a new
    /// certificate, the same ufrag, or a peer that failed): the caller then negotiates a new peer.
    /// </summary>
    public bool TryRestartIce(RtcPeer peer, RtcRemoteParameters remote)
    {
        remote.Validate();
        return remote.IceUfrag != peer.Remote.IceUfrag && peer.TryRestartIce(_registry, remote);
    }

    internal void Remove(RtcPeer peer)
    {
        _registry.Unregister(peer.Agent);
        _peers.TryRemove(peer.Agent, out _);
        _peersById.TryRemove(new KeyValuePair<string, RtcPeer>(peer.Id, peer));
    }

    /// <summary>
    /// How to reach a remote a peer's agent selected: a UDP address through our socket, or the open ICE-TCP connection
    /// from that address (null when it has closed meanwhile).
    /// </summary>
    internal RtcPath? PathTo(in TransportAddress remote)
    {
        if (!remote.IsTcp)
            return new UdpPath(_egress, new UdpDestination(remote.ToIPEndPoint(), _socket.AddressFamily));
        return _tcp is not null && _tcp.TryGet(remote, out var connection) ? connection : null;
    }

    private void ReceiveLoop()
    {
        Volatile.Write(ref _receiveThreadId, OsThread.CurrentId());
        _egress.AttachReceiveThread();
        if (_batchReceiver is not null)
            ReceiveBatches(_batchReceiver);
        else
            ReceiveEach();
    }

    /// <summary>Linux: one recvmmsg per batch of waiting datagrams, one sendmmsg for what they produced.</summary>
    private void ReceiveBatches(RecvmmsgReceiver receiver)
    {
        var response = new byte[512];
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_disposed)
        {
            int count = receiver.Receive(out bool closed);
            if (closed)
                break;
            for (int i = 0; i < count; i++)
            {
                if (receiver.Truncated(i))
                {
                    Interlocked.Increment(ref Counters.DatagramsReceivedValue);
                    Interlocked.Increment(ref Counters.TruncatedValue);
                }
                else if (!LinuxSockAddr.TryCopyTo(receiver.Name(i), from))
                {
                    Interlocked.Increment(ref Counters.DatagramsReceivedValue);
                    Interlocked.Increment(ref Counters.UnknownKindValue);
                }
                else
                {
                    Handle(receiver.Datagram(i), from, response);
                }
            }

            RunTimers();
            _egress.Flush();
        }
    }

    /// <summary>Portable: one recvfrom per datagram, up to a batch of those already waiting, then one flush.</summary>
    private void ReceiveEach()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
        var response = new byte[512];
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_disposed)
        {
            try
            {
                // The socket does not block (so neither do sends), so wait here, bounded, to notice Dispose.
                if (!_socket.Poll(PollTimeoutMicroseconds, SelectMode.SelectRead))
                    continue;
                int handled = 0;
                do
                {
                    int received = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                    Handle(buffer.AsSpan(0, received), from, response);
                } while (++handled < _options.IngressBatchSize && _socket.Available > 0);
            }
            catch (SocketException e) when (!_disposed)
            {
                // ICMP errors surface here on some platforms; they concern one peer, not the socket. WouldBlock: a
                // datagram polled for was gone.
                if (e.SocketErrorCode != SocketError.WouldBlock)
                    _logger.LogDebug("UDP receive error {Error}", e.SocketErrorCode);
            }
            catch (SocketException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            finally
            {
                RunTimers();
                // What this batch of datagrams produced leaves together: one sendmmsg on Linux.
                _egress.Flush();
            }
        }
    }

    private void RunTimers()
    {
        if (_disposed || !Timers.AnyDue(_options.TimeProvider.GetTimestamp()))
            return;
        try
        {
            Timers.RunDue();
        }
        catch (AggregateException e)
        {
            Interlocked.Add(ref Counters.HandlerErrorsValue, e.InnerExceptions.Count);
            _logger.LogWarning(e, "Loop timer threw; the loop carries on");
        }
    }

    private void Wake()
    {
        try
        {
            _waker.SendTo([], SocketFlags.None, _wakeTarget);
        }
        catch (SocketException)
        {
            // The waker's buffer is full of wake-ups not read yet; at worst the loop's receive timeout (250 ms) runs
            // the timers.
        }
        catch (ObjectDisposedException) { }
    }

    private void Handle(Span<byte> datagram, SocketAddress from, byte[] response)
    {
        if (datagram.IsEmpty && TransportAddress.TryFromSocketAddress(from, out var sender) && sender == _wakeFrom)
            return;
        Interlocked.Increment(ref Counters.DatagramsReceivedValue);
        try
        {
            if (!TransportAddress.TryFromSocketAddress(from, out var remote))
            {
                Interlocked.Increment(ref Counters.UnknownKindValue);
                return;
            }
            int responseLength;
            lock (_receiveGate)
                responseLength = Dispatch(datagram, remote, response, out _);
            if (responseLength > 0)
                _egress.SendNow(response.AsSpan(0, responseLength), from);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref Counters.HandlerErrorsValue);
            _logger.LogWarning(e, "Datagram processing threw; dropped");
        }
    }

    /// <summary>
    /// Routes one datagram or frame; returns the length of a STUN response in <paramref name="response"/> for the
    /// sender (0: none), and whether it was a binding request that passed its check. Called under the receive gate.
    /// </summary>
    private int Dispatch(Span<byte> datagram, in TransportAddress remote, byte[] response, out bool checkPassed)
    {
        checkPassed = false;
        var kind = DatagramClassifier.Classify(datagram);
        if (kind == DatagramKind.Unknown)
        {
            Interlocked.Increment(ref Counters.UnknownKindValue);
            return 0;
        }

        if (kind == DatagramKind.Stun)
        {
            var result = _registry.HandleStun(datagram, remote, response, out _);
            checkPassed = result.Outcome == IceCheckOutcome.Success;
            if (result.HasResponse)
            {
                Interlocked.Increment(ref Counters.StunAnsweredValue);
                return result.ResponseLength;
            }
            Interlocked.Increment(ref Counters.StunDroppedValue);
            return 0;
        }

        if (
            !_registry.TryGetByAddress(remote, out var agent)
            || agent is null
            || !_peers.TryGetValue(agent, out var peer)
        )
        {
            Interlocked.Increment(ref Counters.UnknownSourceValue);
            return 0;
        }

        switch (kind)
        {
            case DatagramKind.Dtls:
                peer.OnDtlsDatagram(datagram);
                break;
            case DatagramKind.Rtp:
                peer.OnSrtp(datagram, rtcp: false);
                break;
            case DatagramKind.Rtcp:
                peer.OnSrtp(datagram, rtcp: true);
                break;
        }
        return 0;
    }

    bool IIceTcpFrameHandler.OnTcpFrame(IceTcpConnection connection, Span<byte> frame)
    {
        bool checkPassed;
        try
        {
            lock (_receiveGate)
            {
                int responseLength = Dispatch(frame, connection.Remote, _tcpResponse, out checkPassed);
                if (responseLength > 0)
                    connection.Send(_tcpResponse.AsSpan(0, responseLength));
            }
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref Counters.HandlerErrorsValue);
            _logger.LogWarning(e, "Frame processing threw; dropped");
            return false;
        }
        return checkPassed;
    }

    void IIceTcpFrameHandler.OnTcpAccepted(IceTcpConnection connection) => _timer.Arm();

    void IIceTcpFrameHandler.OnTcpClosed(IceTcpConnection connection) => _registry.Forget(connection.Remote);

    private void OnTimer()
    {
        try
        {
            _tcp?.CheckTimeouts();
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "ICE-TCP timeout check threw");
        }
        foreach (var peer in _peers.Values)
        {
            try
            {
                peer.OnTimer();
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Peer timer threw");
            }
        }
    }

    private static IReadOnlyList<IPEndPoint> AnnouncedEndPoints(IPEndPoint bound, IPAddress? announced)
    {
        if (announced is not null || !(bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any)))
            return [bound];
        // Bound to every interface without an announced address: offer each usable unicast address.
        var addresses = NetworkInterface
            .GetAllNetworkInterfaces()
            .Where(n =>
                n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback
            )
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == bound.AddressFamily && !a.IsIPv6LinkLocal)
            .Select(a => new IPEndPoint(a, bound.Port))
            .ToList();
        return addresses.Count > 0 ? addresses : [new IPEndPoint(IPAddress.Loopback, bound.Port)];
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _timer.Dispose();
        Timers.Dispose();
        foreach (var peer in _peersById.Values)
            peer.Close();
        _socket.Dispose();
        _tcp?.Dispose();
        _receiveThread.Join(TimeSpan.FromSeconds(2));
        _waker.Dispose();
    }
}
