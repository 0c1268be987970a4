using System.Net;
using Microsoft.Extensions.Time.Testing;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Srtp;
using MobZ.Rtc.Transport;
using MobZ.TestKit;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>
/// The client peer (ICE controlling, DTLS active, SRTP) against our own <see cref="RtcUdpTransport"/>, over
/// loopback UDP: what the load tool does against a Munit.
/// </summary>
public class RtcClientPeerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly RtcUdpTransport _transport = new(new RtcTransportOptions { BindAddress = IPAddress.Loopback });

    public void Dispose() => _transport.Dispose();

    [Theory]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    public async Task The_client_peer_connects_to_the_transport_and_rtp_and_rtcp_flow_both_ways(SrtpProfile profile)
    {
        var clientHandler = new RecordingClientHandler();
        using var client = new RtcClientPeer(clientHandler, Options(srtpProfiles: [profile]));
        var serverHandler = new RecordingPeerHandler(echo: true);
        var peer = _transport.CreatePeer(client.LocalParameters, serverHandler);

        await client.ConnectAsync(ServerAnswer.Of(peer), _transport.LocalEndPoint).WaitAsync(Timeout);

        Assert.Equal(RtcPeerState.Connected, client.State);
        Assert.Equal(
            [RtcPeerState.Checking, RtcPeerState.IceConnected, RtcPeerState.Connected],
            clientHandler.States.ToArray()
        );
        Assert.Equal(profile, client.SrtpProfile);
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "server connected");
        Assert.Equal(profile, peer.SrtpProfile);

        var sent = TestWebRtcClient.RtpPacket(77, 0xAABBCCDD);
        Assert.True(client.SendRtp(sent));
        await Eventually.WaitUntilAsync(() => !clientHandler.Rtp.IsEmpty, Timeout, "the echo comes back");
        Assert.Equal(sent, Assert.Single(serverHandler.Rtp));
        Assert.Equal(sent, Assert.Single(clientHandler.Rtp));

        byte[] pli = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        Assert.True(client.SendRtcp(pli));
        Assert.True(peer.SendRtcp(pli));
        await Eventually.WaitUntilAsync(
            () => !serverHandler.Rtcp.IsEmpty && !clientHandler.Rtcp.IsEmpty,
            Timeout,
            "RTCP arrives both ways"
        );
        Assert.Equal(pli, Assert.Single(serverHandler.Rtcp));
        Assert.Equal(pli, Assert.Single(clientHandler.Rtcp));
        Assert.Equal(0, client.SrtpRejected);
    }

    [Fact]
    public async Task A_server_certificate_not_matching_the_answers_fingerprint_fails_the_client()
    {
        var clientHandler = new RecordingClientHandler();
        using var client = new RtcClientPeer(clientHandler, Options());
        var serverHandler = new RecordingPeerHandler();
        var peer = _transport.CreatePeer(client.LocalParameters, serverHandler);
        var forged = ServerAnswer.Of(peer) with { Fingerprint = DtlsCertificate.Generate().Fingerprint };

        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(forged, _transport.LocalEndPoint));

        Assert.Equal(RtcPeerState.Failed, client.State);
        Assert.DoesNotContain(RtcPeerState.Connected, clientHandler.States);
        Assert.False(client.SendRtp(TestWebRtcClient.RtpPacket(1, 1)), "a failed client sends nothing");
        Assert.NotEqual(RtcPeerState.Connected, peer.State);
    }

    [Fact]
    public async Task A_client_whose_server_stops_answering_fails_when_consent_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var clientHandler = new RecordingClientHandler();
        using var client = new RtcClientPeer(clientHandler, Options(time));
        var peer = _transport.CreatePeer(client.LocalParameters, new RecordingPeerHandler());
        await client.ConnectAsync(ServerAnswer.Of(peer), _transport.LocalEndPoint).WaitAsync(Timeout);

        peer.Close(); // the server forgets the ufrag: consent requests go unanswered
        for (int i = 0; i < 6; i++)
            time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(RtcPeerState.Failed, client.State);
        Assert.Equal("ICE consent expired", client.FailureReason);
        Assert.Equal(
            [
                RtcPeerState.Checking,
                RtcPeerState.IceConnected,
                RtcPeerState.Connected,
                RtcPeerState.Disconnected,
                RtcPeerState.Failed,
            ],
            clientHandler.States.ToArray()
        );
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_ice_at_the_connect_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var client = new RtcClientPeer(new RecordingClientHandler(), Options(time));
        var stranger = new RtcRemoteParameters(
            "nobody00",
            "nobodypasswordnobodypass",
            _transport.Certificate.Fingerprint,
            "passive"
        );
        var connect = client.ConnectAsync(stranger, _transport.LocalEndPoint);

        for (int i = 0; i < 40; i++)
            time.Advance(TimeSpan.FromMilliseconds(250)); // a fake clock fires each timer once per step

        await Assert.ThrowsAsync<TimeoutException>(() => connect.WaitAsync(Timeout));
        Assert.Equal(RtcPeerState.Failed, client.State);
        Assert.Equal("ICE connectivity checks failed", client.FailureReason);
        Assert.True(client.IceRequestsSent > 1, "checks were retransmitted");
    }

    [Fact]
    public async Task Close_sends_close_notify_and_the_server_closes_its_peer()
    {
        using var client = new RtcClientPeer(new RecordingClientHandler(), Options());
        var peer = _transport.CreatePeer(client.LocalParameters, new RecordingPeerHandler());
        await client.ConnectAsync(ServerAnswer.Of(peer), _transport.LocalEndPoint).WaitAsync(Timeout);

        client.Close();

        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Closed, Timeout, "close_notify closes it");
        Assert.Equal(RtcPeerState.Closed, client.State);
    }

    private static RtcClientPeerOptions Options(TimeProvider? time = null, SrtpProfile[]? srtpProfiles = null) =>
        new()
        {
            BindAddress = IPAddress.Loopback,
            TimeProvider = time ?? TimeProvider.System,
            SrtpProfiles = srtpProfiles ?? [],
            Ice = new IceControllingOptions(),
        };
}
