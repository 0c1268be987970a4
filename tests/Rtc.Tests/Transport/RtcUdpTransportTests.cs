using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Srtp;
using MobZ.Rtc.Transport;
using MobZ.TestKit;

namespace MobZ.Rtc.Tests.Transport;

public class RtcUdpTransportTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly RtcUdpTransport _transport = new(new RtcTransportOptions { BindAddress = IPAddress.Loopback });

    public void Dispose() => _transport.Dispose();

    [Fact]
    public void Answer_parameters_announce_loopback_host_candidate_passive_setup_and_our_certificate_fingerprint()
    {
        var client = new TestWebRtcClient(_transport.LocalEndPoint);
        var peer = _transport.CreatePeer(client.Offer(), new RecordingPeerHandler());

        var candidate = Assert.Single(peer.Local.Candidates);
        Assert.Equal("127.0.0.1", candidate.Address);
        Assert.Equal(_transport.LocalEndPoint.Port, candidate.Port);
        Assert.Equal(IceCandidateType.Host, candidate.Type);
        Assert.Equal("passive", peer.Local.Setup);
        Assert.True(peer.Local.IceLite);
        Assert.Equal("sha-256", peer.Local.Fingerprint.Algorithm);
        Assert.True(peer.Local.Fingerprint.Matches(_transport.Certificate.Der));
        Assert.Equal(RtcPeerState.Checking, peer.State);
    }

    [Fact]
    public void Announced_address_replaces_the_bound_one_in_candidates()
    {
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions { AnnouncedAddress = IPAddress.Parse("203.0.113.7") }
        );

        var candidate = Assert.Single(transport.Candidates);

        Assert.Equal("203.0.113.7", candidate.Address);
        Assert.Equal(transport.LocalEndPoint.Port, candidate.Port);
    }

    [Fact]
    public void Offer_asking_us_to_be_dtls_client_is_refused()
    {
        var client = new TestWebRtcClient(_transport.LocalEndPoint);
        var offer = client.Offer() with { Setup = "passive" };

        Assert.Throws<ArgumentException>(() => _transport.CreatePeer(offer, new RecordingPeerHandler()));
    }

    [Theory]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    public async Task Peer_connects_and_media_flows_both_ways(SrtpProfile profile)
    {
        using var client = new TestWebRtcClient(_transport.LocalEndPoint, profile);
        var handler = new RecordingPeerHandler(echo: true);
        var peer = _transport.CreatePeer(client.Offer(), handler);

        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer reaches Connected");

        Assert.Equal(profile, peer.SrtpProfile);
        Assert.Equal(profile, client.Profile);
        var sent = TestWebRtcClient.RtpPacket(77, 0xAABBCCDD);
        client.SendRtp(sent);
        var echoed = client.ReceiveRtp(Timeout);
        Assert.NotNull(echoed);
        Assert.Equal(sent, echoed);
        Assert.Equal(sent, Assert.Single(handler.Rtp));
        Assert.Equal(
            [RtcPeerState.Checking, RtcPeerState.IceConnected, RtcPeerState.Connected],
            handler.States.ToArray()
        );
    }

    [Fact]
    public async Task Rtcp_from_the_peer_is_decrypted_and_delivered()
    {
        using var client = new TestWebRtcClient(_transport.LocalEndPoint);
        var handler = new RecordingPeerHandler();
        var peer = _transport.CreatePeer(client.Offer(), handler);
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer reaches Connected");

        // PLI: V=2 FMT=1 PT=206 length=2, sender SSRC, media SSRC.
        byte[] pli = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        client.SendRtcp(pli);

        await Eventually.WaitUntilAsync(() => !handler.Rtcp.IsEmpty, Timeout, "RTCP delivered");
        Assert.Equal(pli, Assert.Single(handler.Rtcp));
    }

    [Fact]
    public async Task Certificate_not_matching_the_offered_fingerprint_fails_the_peer()
    {
        using var client = new TestWebRtcClient(_transport.LocalEndPoint);
        var handler = new RecordingPeerHandler();
        var someoneElse = DtlsCertificate.Generate().Fingerprint;
        var peer = _transport.CreatePeer(client.Offer(someoneElse), handler);

        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        Assert.ThrowsAny<Exception>(client.HandshakeDtls);

        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Failed,
            Timeout,
            "peer fails on fingerprint mismatch"
        );
        Assert.DoesNotContain(RtcPeerState.Connected, handler.States);
        Assert.Equal(0, _transport.PeerCount);
    }

    [Fact]
    public async Task Close_notify_from_the_peer_closes_it_and_removes_it_from_the_port()
    {
        using var client = new TestWebRtcClient(_transport.LocalEndPoint);
        var handler = new RecordingPeerHandler();
        var peer = _transport.CreatePeer(client.Offer(), handler);
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer reaches Connected");

        client.CloseDtls();

        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Closed,
            Timeout,
            "close_notify closes the peer"
        );
        Assert.Equal(0, _transport.PeerCount);
    }

    [Fact]
    public void Binding_request_for_an_unknown_ufrag_gets_no_answer()
    {
        using var client = new TestWebRtcClient(_transport.LocalEndPoint);
        var stranger = new RtcLocalParameters(
            IceCredentials.Generate(),
            _transport.Certificate.Fingerprint,
            _transport.Candidates
        );

        Assert.False(client.CheckConnectivity(stranger, TimeSpan.FromMilliseconds(500)));
        Assert.True(_transport.Counters.StunDropped >= 1);
    }

    [Fact]
    public async Task Garbage_from_other_sockets_and_from_the_peer_itself_never_disturbs_a_good_peer()
    {
        using var client = new TestWebRtcClient(_transport.LocalEndPoint);
        var handler = new RecordingPeerHandler(echo: true);
        var peer = _transport.CreatePeer(client.Offer(), handler);
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer reaches Connected");

        using var attacker = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(7);
        foreach (var datagram in BadDatagrams(random))
        {
            attacker.Send(datagram, datagram.Length, _transport.LocalEndPoint);
            client.SendRaw(datagram); // from the authenticated address too
        }
        long before = _transport.Counters.DatagramsReceived;
        await Eventually.WaitUntilAsync(
            () => _transport.Counters.DatagramsReceived >= before,
            Timeout,
            "garbage processed"
        );

        for (ushort seq = 1; seq <= 5; seq++)
        {
            var packet = TestWebRtcClient.RtpPacket(seq, 0x01020304);
            client.SendRtp(packet);
            Assert.Equal(packet, client.ReceiveRtp(Timeout));
        }
        Assert.Equal(RtcPeerState.Connected, peer.State);
        Assert.Equal(0, _transport.Counters.HandlerErrors);
        Assert.True(_transport.Counters.UnknownSource > 0, "attacker's DTLS/SRTP dropped as unknown source");
        Assert.True(_transport.Counters.SrtpRejected > 0, "peer's forged SRTP rejected");
        Assert.Equal(5, handler.Rtp.Count);
    }

    /// <summary>Truncated and random STUN, DTLS, RTP and RTCP shapes.</summary>
    private static IEnumerable<byte[]> BadDatagrams(Random random)
    {
        byte[] Random(int length, byte first, byte? second = null)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            if (length > 0)
                bytes[0] = first;
            if (second is { } s && length > 1)
                bytes[1] = s;
            return bytes;
        }

        yield return [];
        yield return [0x00];
        for (int i = 0; i < 60; i++)
        {
            int length = random.Next(0, 300);
            yield return Random(length, (byte)random.Next(0, 4)); // STUN-ish
            yield return Random(length, (byte)random.Next(20, 64)); // DTLS-ish
            yield return Random(length, (byte)random.Next(128, 192)); // RTP-ish
            yield return Random(length, (byte)random.Next(128, 192), (byte)random.Next(192, 224)); // RTCP-ish
            yield return Random(length, (byte)random.Next(64, 128)); // nothing
        }
        // A STUN header claiming a huge length, and a binding request with a bogus USERNAME.
        yield return [0x00, 0x01, 0xFF, 0xFC, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        // A DTLS ClientHello header with nothing behind it.
        yield return [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00];
    }
}
