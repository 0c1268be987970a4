using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;
using MobZ.Rtc.Tests.Ice;
using MobZ.Rtc.Transport;
using MobZ.TestKit;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>ICE over TCP (RFC 6544 passive, RFC 4571 framing) on <see cref="RtcUdpTransport"/>, with real sockets on
/// loopback.</summary>
public sealed class IceTcpTransportTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly FakeTime _time = new();
    private readonly RtcUdpTransport _transport;

    public IceTcpTransportTests()
    {
        _transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                BindAddress = IPAddress.Loopback,
                TimerInterval = TimeSpan.FromMilliseconds(20),
                Tcp = new IceTcpOptions { TimeProvider = _time, SendQueueBytes = 64 * 1024 },
            }
        );
    }

    public void Dispose() => _transport.Dispose();

    private IPEndPoint TcpServer => _transport.TcpEndPoint!;

    private static byte[] Framed(ReadOnlySpan<byte> packet)
    {
        var frame = new byte[packet.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)packet.Length);
        packet.CopyTo(frame.AsSpan(2));
        return frame;
    }

    private static byte[] Binding(RtcPeer peer, string remoteUfrag, bool nominate = true) =>
        StunRequests.Binding($"{peer.Local.Ice.Ufrag}:{remoteUfrag}", peer.Local.Ice.Password, useCandidate: nominate);

    /// <summary>Reads one frame (a STUN response) from a raw connection; null when it closed or nothing came.</summary>
    private static byte[]? ReadFrame(TcpFrameLink link)
    {
        if (!link.Poll(Timeout, SelectMode.SelectRead))
            return null;
        var buffer = new byte[1600];
        int n;
        try
        {
            n = link.Receive(buffer);
        }
        catch (SocketException)
        {
            return null;
        }
        return n == 0 ? null : buffer[..n];
    }

    private static async Task WaitClosedAsync(TcpFrameLink link, string because)
    {
        var buffer = new byte[256];
        await Eventually.WaitUntilAsync(
            () =>
            {
                if (!link.Socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead))
                    return false;
                try
                {
                    return link.Socket.Receive(buffer) == 0;
                }
                catch (SocketException)
                {
                    return true; // reset
                }
            },
            Timeout,
            because
        );
    }

    [Fact]
    public void Answers_carry_a_passive_tcp_host_candidate_ranked_below_the_udp_one()
    {
        var udp = Assert.Single(_transport.Candidates, c => c.Transport == "udp");
        var tcp = Assert.Single(_transport.Candidates, c => c.Transport == "tcp");

        Assert.Equal("passive", tcp.TcpType);
        Assert.Equal(IceCandidateType.Host, tcp.Type);
        Assert.Equal("127.0.0.1", tcp.Address);
        Assert.Equal(TcpServer.Port, tcp.Port);
        Assert.True(tcp.Priority < udp.Priority, $"tcp {tcp.Priority} must rank below udp {udp.Priority}");
        Assert.NotEqual(udp.Foundation, tcp.Foundation);
        Assert.Contains("tcptype passive", tcp.ToSdpValue());
    }

    [Fact]
    public async Task A_peer_nominating_over_tcp_gets_its_media_through_that_connection()
    {
        using var client = TestWebRtcClient.OverTcp(TcpServer);
        var handler = new RecordingPeerHandler(echo: true);
        var peer = _transport.CreatePeer(client.Offer(), handler);

        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Connected,
            Timeout,
            "peer reaches Connected over TCP"
        );

        Assert.True(peer.RemoteAddress!.Value.IsTcp);
        Assert.Equal(client.LocalEndPoint.Port, peer.RemoteAddress.Value.Port);
        var sent = TestWebRtcClient.RtpPacket(5, 0x01020304, payloadLength: 1100);
        client.SendRtp(sent);
        Assert.Equal(sent, client.ReceiveRtp(Timeout));
        Assert.Equal(sent, Assert.Single(handler.Rtp));
        Assert.Equal(0, _transport.Counters.DatagramsReceived);
        Assert.Equal(1, _transport.Counters.TcpAccepted);
        Assert.Equal(1, _transport.Counters.TcpOpen);
    }

    [Fact]
    public void A_binding_request_split_across_writes_and_two_in_one_write_are_all_answered()
    {
        var peer = _transport.CreatePeer(
            new RtcRemoteParameters("cli1", "clientpasswordclientpassword", DtlsFingerprintOf(), "actpass"),
            new RecordingPeerHandler()
        );
        using var link = new TcpFrameLink(TcpServer);

        byte[] split = Framed(Binding(peer, "cli1", nominate: false));
        link.Socket.Send(split.AsSpan(0, 1));
        link.Socket.Send(split.AsSpan(1, 9));
        link.Socket.Send(split.AsSpan(10));
        var first = ReadFrame(link);
        Assert.NotNull(first);
        Assert.True(
            StunMessage.TryRead(first, out var response)
                && response.MessageType == StunMessageType.BindingSuccessResponse
        );

        link.Socket.Send([.. Framed(Binding(peer, "cli1", nominate: false)), .. Framed(Binding(peer, "cli1"))]);
        Assert.NotNull(ReadFrame(link));
        Assert.NotNull(ReadFrame(link));
        Assert.Equal(3, _transport.Counters.StunAnswered);
        Assert.True(peer.RemoteAddress!.Value.IsTcp);
    }

    [Fact]
    public async Task Udp_from_the_ip_and_port_of_an_authenticated_tcp_connection_is_not_taken_for_that_peer()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var shared = (IPEndPoint)probe.LocalEndPoint!;
        probe.Dispose();
        using var client = TestWebRtcClient.OverTcp(TcpServer, shared);
        var handler = new RecordingPeerHandler();
        var peer = _transport.CreatePeer(client.Offer(), handler);
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Connected,
            Timeout,
            "peer reaches Connected over TCP"
        );

        // Same ip:port, other protocol: an attacker (or a confused NAT) on UDP must not inject into the TCP peer.
        using var udp = new UdpLink(_transport.LocalEndPoint, shared);
        udp.Send(client.ProtectRtp(TestWebRtcClient.RtpPacket(9, 0x0A0B0C0D)));
        await Eventually.WaitUntilAsync(
            () => _transport.Counters.UnknownSource == 1,
            Timeout,
            "the UDP datagram is dropped as from an unknown source"
        );
        Assert.Empty(handler.Rtp);

        client.SendRtp(TestWebRtcClient.RtpPacket(10, 0x0A0B0C0D));
        await Eventually.WaitUntilAsync(
            () => handler.Rtp.Count == 1,
            Timeout,
            "the same packet over TCP reaches the peer"
        );
    }

    [Fact]
    public async Task A_first_frame_that_is_not_stun_closes_the_connection_and_is_counted()
    {
        using var link = new TcpFrameLink(TcpServer);
        // A DTLS ClientHello-looking record: RFC 6544 wants a binding request first.
        byte[] dtls = [22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4];
        link.Socket.Send(Framed(dtls));

        await WaitClosedAsync(link, "the server closes a connection that starts with DTLS");
        Assert.Equal(1, _transport.Counters.TcpDropped(IceTcpDropReason.NotStunFirst));
        await Eventually.WaitUntilAsync(() => _transport.Counters.TcpOpen == 0, Timeout, "no connection left open");
        Assert.Equal(0, _transport.Counters.UnknownSource);
    }

    [Theory]
    [InlineData(0xFFFF)]
    [InlineData(1501)]
    [InlineData(0)]
    public async Task A_frame_length_above_the_limit_or_zero_closes_the_connection_and_is_counted(int length)
    {
        using var link = new TcpFrameLink(TcpServer);
        link.Socket.Send([(byte)(length >> 8), (byte)length, 0, 1, 0, 0]);

        await WaitClosedAsync(link, "the server closes a connection with a malformed length");
        Assert.Equal(1, _transport.Counters.TcpDropped(IceTcpDropReason.MalformedFrame));
        Assert.Equal(1, _transport.Counters.TcpClosed);
    }

    [Fact]
    public async Task A_connection_without_a_passing_binding_request_is_closed_after_the_binding_timeout()
    {
        var peer = _transport.CreatePeer(
            new RtcRemoteParameters("cli2", "clientpasswordclientpassword", DtlsFingerprintOf(), "actpass"),
            new RecordingPeerHandler()
        );
        using var stranger = new TcpFrameLink(TcpServer);
        using var member = new TcpFrameLink(TcpServer);
        // Right ufrag, wrong password: answered with 401, but not a check that passed.
        stranger.Send(StunRequests.Binding($"{peer.Local.Ice.Ufrag}:cli2", "notthepasswordnotthepassword"));
        member.Send(Binding(peer, "cli2"));
        Assert.NotNull(ReadFrame(stranger));
        Assert.NotNull(ReadFrame(member));
        Assert.Equal(2, _transport.Counters.TcpOpen);

        _time.Advance(TimeSpan.FromSeconds(6));

        await WaitClosedAsync(stranger, "the unauthenticated connection is closed after the binding timeout");
        Assert.Equal(1, _transport.Counters.TcpDropped(IceTcpDropReason.NoBinding));
        Assert.Equal(1, _transport.Counters.TcpOpen);
        member.Send(Binding(peer, "cli2"));
        Assert.NotNull(ReadFrame(member));
    }

    [Fact]
    public async Task A_client_that_never_reads_is_dropped_and_counted_and_never_blocks_a_sender()
    {
        using var client = TestWebRtcClient.OverTcp(TcpServer);
        var peer = _transport.CreatePeer(client.Offer(), new RecordingPeerHandler());
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Connected,
            Timeout,
            "peer reaches Connected over TCP"
        );

        // The client reads nothing from here on: the kernel buffers fill, then our bounded queue, then packets drop.
        var packet = TestWebRtcClient.RtpPacket(1, 0x11111111, payloadLength: 1000);
        int attempts = 0;
        while (_transport.Counters.TcpSendDropped == 0 && attempts < 200_000)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)attempts);
            peer.SendRtp(packet);
            attempts++;
        }
        Assert.True(_transport.Counters.TcpSendDropped > 0, $"no packet dropped after {attempts} sends of 1 KB");

        // Another client on the same port is served while the first one is stuck.
        var other = _transport.CreatePeer(
            new RtcRemoteParameters("cli3", "clientpasswordclientpassword", DtlsFingerprintOf(), "actpass"),
            new RecordingPeerHandler()
        );
        using var second = new TcpFrameLink(TcpServer);
        second.Send(Binding(other, "cli3"));
        Assert.NotNull(ReadFrame(second));

        _time.Advance(TimeSpan.FromSeconds(6));
        await Eventually.WaitUntilAsync(
            () => _transport.Counters.TcpDropped(IceTcpDropReason.SlowReader) == 1,
            Timeout,
            "the stalled connection is closed after the stall timeout"
        );
        Assert.Equal(1, _transport.Counters.TcpOpen);
        Assert.False(peer.SendRtp(packet));
    }

    private static MobZ.Rtc.Dtls.DtlsFingerprint DtlsFingerprintOf() =>
        MobZ.Rtc.Dtls.DtlsCertificate.Generate().Fingerprint;
}
