using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Srtp;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Transport;

/// <summary>
/// The client side of one WebRTC transport, as a browser plays it against an ICE-lite SFU: one UDP socket connected
/// to the server's candidate, ICE as the controlling agent (<see cref="IceControllingAgent"/>), DTLS as the active
/// side with the server's certificate pinned to its SDP fingerprint (<see cref="DtlsClientSession"/>), then SRTP
/// and SRTCP both ways (rtcp-mux). Put <see cref="LocalParameters"/> into our offer or answer, read the server's
/// ufrag, pwd, fingerprint and candidate from its description into <see cref="ConnectAsync"/>, then send with
/// <see cref="SendRtp"/> and <see cref="SendRtcp"/>; what the server sends arrives at the
/// <see cref="IRtcClientHandler"/>. Sends may come from any thread (serialised per peer).
/// </summary>
public sealed class RtcClientPeer : IIceCheckSender, IDtlsDatagramSender, IDisposable
{
    private readonly IRtcClientHandler _handler;
    private readonly RtcClientPeerOptions _options;
    private readonly Socket _socket;
    private readonly DtlsCertificate _certificate;
    private readonly IceCredentials _ice = IceCredentials.Generate();
    private readonly Lock _stateGate = new();
    private readonly Lock _sendGate = new();
    private readonly byte[] _sendBuffer = new byte[RtcPeer.MaxPacketSize + SrtpProfiles.MaxTrailerLength];
    private readonly CancellationTokenSource _stop = new();
    private RtcPeerState _state = RtcPeerState.New;
    private IceControllingAgent? _agent;
    private DtlsClientSession? _dtls;
    private SrtpContext? _send;
    private SrtpContext? _receive;
    private Task? _receiveLoop;
    private long _rtpSent;
    private long _rtcpSent;
    private long _rtpReceived;
    private long _rtcpReceived;
    private long _srtpRejected;

    public RtcClientPeer(IRtcClientHandler handler, RtcClientPeerOptions? options = null)
    {
        _handler = handler;
        _options = options ?? new RtcClientPeerOptions();
        _certificate = _options.Certificate ?? DtlsCertificate.Generate(time: _options.TimeProvider);
        _socket = new Socket(_options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveBufferSize = _options.SocketReceiveBufferSize,
        };
        _socket.Bind(new IPEndPoint(_options.BindAddress, 0));
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>What our SDP carries (a=ice-ufrag, a=ice-pwd, a=fingerprint, and a=setup:actpass in an offer; an
    /// answer to a server's offer says active), as the server reads it.</summary>
    public RtcRemoteParameters LocalParameters => new(_ice.Ufrag, _ice.Password, _certificate.Fingerprint, "actpass");

    public RtcPeerState State
    {
        get
        {
            lock (_stateGate)
            {
                return _state;
            }
        }
    }

    /// <summary>The SRTP profile the server chose; valid once <see cref="RtcPeerState.Connected"/>.</summary>
    public SrtpProfile SrtpProfile => _dtls?.Profile ?? default;

    /// <summary>Why the peer failed, when it did.</summary>
    public string? FailureReason { get; private set; }

    public long RtpSent => Interlocked.Read(ref _rtpSent);
    public long RtcpSent => Interlocked.Read(ref _rtcpSent);
    public long RtpReceived => Interlocked.Read(ref _rtpReceived);
    public long RtcpReceived => Interlocked.Read(ref _rtcpReceived);

    /// <summary>SRTP/SRTCP from the server that failed authentication or replay checks.</summary>
    public long SrtpRejected => Interlocked.Read(ref _srtpRejected);

    /// <summary>ICE requests sent (checks, retransmissions, consent), for diagnostics.</summary>
    public long IceRequestsSent => _agent?.RequestsSent ?? 0;

    /// <summary>
    /// Connects to the server whose description carried <paramref name="server"/> (read with
    /// <see cref="RtcRemoteParameters.TryFromSdp"/> from its answer, setup passive, or from its offer to a viewer,
    /// setup actpass, which our answer meets with setup active) and whose candidate is <paramref
    /// name="serverAddress"/>: ICE, then DTLS, then SRTP. Completes when media can flow; throws when ICE or DTLS
    /// fails (the peer is then <see cref="RtcPeerState.Failed"/>).
    /// </summary>
    public async Task ConnectAsync(
        RtcRemoteParameters server,
        IPEndPoint serverAddress,
        CancellationToken cancellationToken = default
    )
    {
        if (
            !string.Equals(server.Setup, "passive", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(server.Setup, "actpass", StringComparison.OrdinalIgnoreCase)
        )
        {
            throw new ArgumentException($"a=setup:{server.Setup} from the server: this client is always DTLS active");
        }
        var iceConnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stateGate)
        {
            if (_state != RtcPeerState.New)
                throw new InvalidOperationException("the peer was already connected");
            _agent = new IceControllingAgent(
                _ice,
                server.IceUfrag,
                server.IcePassword,
                this,
                _options.Ice,
                _options.TimeProvider
            );
            _dtls = new DtlsClientSession(_certificate, server.Fingerprint, this, _options.SrtpProfiles);
        }
        _agent.StateChanged += (_, state) => OnIceState(state, iceConnected);
        _socket.Connect(serverAddress);
        _receiveLoop = Task.Run(ReceiveLoop);
        SetState(RtcPeerState.Checking);
        _agent.Start();

        try
        {
            using (cancellationToken.Register(() => iceConnected.TrySetCanceled(cancellationToken)))
                await iceConnected.Task.ConfigureAwait(false);
            SetState(RtcPeerState.IceConnected);

            using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            handshakeTimeout.CancelAfter(_options.HandshakeTimeout);
            var (client, serverKeys) = await _dtls.HandshakeAsync(handshakeTimeout.Token).ConfigureAwait(false);
            lock (_sendGate)
            {
                if (_stop.IsCancellationRequested)
                    throw new OperationCanceledException("the peer was closed during the DTLS handshake");
                _send = new SrtpContext(client);
                _receive = new SrtpContext(serverKeys);
            }
            SetState(RtcPeerState.Connected);
        }
        catch (Exception e)
        {
            Fail(e.Message);
            throw;
        }
    }

    /// <summary>Protects and sends an RTP packet; false when not connected or the packet is malformed.</summary>
    public bool SendRtp(ReadOnlySpan<byte> packet) => Send(packet, rtcp: false);

    /// <summary>Protects and sends an RTCP compound packet; false when not connected or it is malformed.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> packet) => Send(packet, rtcp: true);

    /// <summary>Sends DTLS close_notify, stops ICE and closes the socket. Idempotent.</summary>
    public void Close() => Shutdown(RtcPeerState.Closed, null);

    public void Dispose() => Close();

    void IIceCheckSender.SendStun(ReadOnlySpan<byte> datagram) => SendDatagram(datagram);

    void IDtlsDatagramSender.SendDtls(ReadOnlySpan<byte> datagram) => SendDatagram(datagram);

    private bool Send(ReadOnlySpan<byte> packet, bool rtcp)
    {
        if (packet.Length > RtcPeer.MaxPacketSize)
            return false;
        lock (_sendGate)
        {
            var send = _send;
            if (send is null)
                return false;
            packet.CopyTo(_sendBuffer);
            var status = rtcp
                ? send.ProtectRtcp(_sendBuffer, packet.Length, out int length)
                : send.ProtectRtp(_sendBuffer, packet.Length, out length);
            if (status != SrtpStatus.Ok || !SendDatagram(_sendBuffer.AsSpan(0, length)))
                return false;
        }
        Interlocked.Increment(ref rtcp ? ref _rtcpSent : ref _rtpSent);
        return true;
    }

    private bool SendDatagram(ReadOnlySpan<byte> datagram)
    {
        try
        {
            _socket.Send(datagram);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A full buffer or an ICMP error from the last send: the datagram is lost, as it would be on the wire.
            return false;
        }
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[RtcPeer.MaxPacketSize + SrtpProfiles.MaxTrailerLength];
        try
        {
            await ReceiveUntilStopped(buffer).ConfigureAwait(false);
        }
        finally
        {
            // The receive context is only used here, so it goes when the loop ends.
            lock (_sendGate)
                _receive?.Dispose();
        }
    }

    private async Task ReceiveUntilStopped(byte[] buffer)
    {
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable for an earlier send; the server may still come up
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            OnDatagram(buffer.AsSpan(0, length));
        }
    }

    private void OnDatagram(Span<byte> datagram)
    {
        switch (DatagramClassifier.Classify(datagram))
        {
            case DatagramKind.Stun:
                if (StunMessage.TryRead(datagram, out var message))
                    _agent?.HandleResponse(message);
                break;
            case DatagramKind.Dtls:
                _dtls?.OnDatagram(datagram);
                break;
            case DatagramKind.Rtp:
                if (_receive?.UnprotectRtp(datagram, out int rtpLength) == SrtpStatus.Ok)
                {
                    Interlocked.Increment(ref _rtpReceived);
                    _handler.OnRtp(this, datagram[..rtpLength]);
                }
                else
                {
                    Interlocked.Increment(ref _srtpRejected);
                }
                break;
            case DatagramKind.Rtcp:
                if (_receive?.UnprotectRtcp(datagram, out int rtcpLength) == SrtpStatus.Ok)
                {
                    Interlocked.Increment(ref _rtcpReceived);
                    _handler.OnRtcp(this, datagram[..rtcpLength]);
                }
                else
                {
                    Interlocked.Increment(ref _srtpRejected);
                }
                break;
        }
    }

    private void OnIceState(IceConnectionState state, TaskCompletionSource iceConnected)
    {
        switch (state)
        {
            case IceConnectionState.Connected:
                if (!iceConnected.TrySetResult() && State == RtcPeerState.Disconnected)
                    SetState(RtcPeerState.Connected);
                break;
            case IceConnectionState.Disconnected:
                if (State == RtcPeerState.Connected)
                    SetState(RtcPeerState.Disconnected);
                break;
            case IceConnectionState.Failed:
                string reason = iceConnected.Task.IsCompleted
                    ? "ICE consent expired"
                    : "ICE connectivity checks failed";
                iceConnected.TrySetException(new TimeoutException(reason));
                Fail(reason);
                break;
        }
    }

    private void Fail(string reason) => Shutdown(RtcPeerState.Failed, reason);

    private void Shutdown(RtcPeerState terminal, string? reason)
    {
        lock (_stateGate)
        {
            if (_state is RtcPeerState.Failed or RtcPeerState.Closed)
                return;
            _state = terminal;
            FailureReason = reason;
        }
        if (terminal == RtcPeerState.Closed)
            _dtls?.Close(); // close_notify, while the socket is still open
        _agent?.Close();
        _dtls?.Dispose();
        _stop.Cancel();
        _socket.Dispose();
        lock (_sendGate)
        {
            _send?.Dispose();
            _send = null;
            if (_receiveLoop is null)
                _receive?.Dispose();
        }
        _handler.OnStateChanged(this, terminal);
    }

    private void SetState(RtcPeerState state)
    {
        lock (_stateGate)
        {
            if (_state is RtcPeerState.Failed or RtcPeerState.Closed || _state == state)
                return;
            _state = state;
        }
        _handler.OnStateChanged(this, state);
    }
}
