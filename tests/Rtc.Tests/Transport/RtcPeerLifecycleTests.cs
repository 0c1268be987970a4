using System.Net;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Transport;
using MobZ.TestKit;

namespace MobZ.Rtc.Tests.Transport;

public class RtcPeerLifecycleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Peer_that_passes_ice_but_never_completes_dtls_fails_after_the_handshake_timeout()
    {
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                Dtls = new DtlsSessionOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(500) },
            }
        );
        using var client = new TestWebRtcClient(transport.LocalEndPoint);
        var handler = new RecordingPeerHandler();
        var peer = transport.CreatePeer(client.Offer(), handler);

        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Failed,
            Timeout,
            "handshake timeout fails the peer"
        );

        Assert.Equal([RtcPeerState.Checking, RtcPeerState.IceConnected, RtcPeerState.Failed], handler.States.ToArray());
        Assert.Equal(0, transport.PeerCount);
        Assert.Equal(1, transport.Counters.DtlsHandshakesFailed);
        Assert.Equal(0, transport.Counters.DtlsHandshakesCompleted);
    }

    [Fact]
    public async Task Connected_peer_whose_checks_stop_goes_disconnected_then_failed_when_consent_expires()
    {
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                TimerInterval = TimeSpan.FromMilliseconds(50),
                Ice = new IceLiteOptions
                {
                    DisconnectedTimeout = TimeSpan.FromSeconds(2),
                    ConsentTimeout = TimeSpan.FromSeconds(5),
                },
            }
        );
        using var client = new TestWebRtcClient(transport.LocalEndPoint);
        var handler = new RecordingPeerHandler();
        var peer = transport.CreatePeer(client.Offer(), handler);
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        Assert.True(client.CheckConnectivity(peer.Local, Timeout)); // consent refreshed however long the handshake took
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer connects");

        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Disconnected,
            Timeout,
            "silence makes the peer disconnected"
        );
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Connected,
            Timeout,
            "a fresh check reconnects it"
        );
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Failed, Timeout, "consent expiry fails it");

        var states = handler.States.ToArray();
        Assert.Equal(
            [
                RtcPeerState.Connected,
                RtcPeerState.Disconnected,
                RtcPeerState.Connected,
                RtcPeerState.Disconnected,
                RtcPeerState.Failed,
            ],
            states[Array.IndexOf(states, RtcPeerState.Connected)..]
        );
        Assert.False(peer.SendRtp(TestWebRtcClient.RtpPacket(1, 1)), "a failed peer sends nothing");
    }

    [Fact]
    public async Task Alert_after_the_linger_has_ended_still_closes_the_peer()
    {
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions { Dtls = new DtlsSessionOptions { PostHandshakeLinger = TimeSpan.Zero } }
        );
        using var client = new TestWebRtcClient(transport.LocalEndPoint);
        var peer = transport.CreatePeer(client.Offer(), new RecordingPeerHandler());
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer connects");

        Assert.Equal(1, transport.Counters.DtlsHandshakesCompleted);
        client.CloseDtls();

        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Closed,
            Timeout,
            "the encrypted alert record closes the peer"
        );
        Assert.Equal(0, transport.Counters.DtlsHandshakesFailed); // a close after success is not a failed handshake
    }

    [Fact]
    public void Closing_the_transport_closes_its_peers()
    {
        var transport = new RtcUdpTransport(new RtcTransportOptions { BindAddress = IPAddress.Loopback });
        using var client = new TestWebRtcClient(transport.LocalEndPoint);
        var peer = transport.CreatePeer(client.Offer(), new RecordingPeerHandler());

        transport.Dispose();

        Assert.Equal(RtcPeerState.Closed, peer.State);
        Assert.Equal(0, transport.PeerCount);
    }
}
