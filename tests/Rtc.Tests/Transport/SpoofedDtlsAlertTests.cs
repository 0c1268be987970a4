using MobZ.Rtc.Dtls;
using MobZ.Rtc.Transport;
using MobZ.TestKit;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>
/// After the handshake a DTLS record is trusted only when it authenticates under the epoch's keys
/// (RFC 6347 §4.1.2.7): a forged alert from the peer's own address is dropped and counted.
/// </summary>
public class SpoofedDtlsAlertTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // 13-byte record header (alert, DTLS 1.2, epoch 1, sequence 5, length 2) + fatal handshake_failure.
    private static readonly byte[] ForgedFatalAlert = [21, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 5, 0, 2, 2, 40];

    // The same forgery in epoch 0, where records are never protected.
    private static readonly byte[] ForgedEpochZeroAlert = [21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40];

    [Theory]
    [InlineData(false)] // the session still lingers, answering a retransmitted client flight
    [InlineData(true)] // the linger is over
    public async Task Forged_alert_from_the_peers_address_neither_closes_the_peer_nor_stops_its_media(bool afterLinger)
    {
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                Dtls = new DtlsSessionOptions
                {
                    PostHandshakeLinger = afterLinger ? TimeSpan.Zero : TimeSpan.FromSeconds(30),
                },
            }
        );
        using var client = new TestWebRtcClient(transport.LocalEndPoint);
        var handler = new RecordingPeerHandler();
        var peer = transport.CreatePeer(client.Offer(), handler);
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer connects");

        client.SendRaw(ForgedFatalAlert);
        client.SendRaw(ForgedEpochZeroAlert);
        // The receive loop is one thread: once this packet is delivered the forgeries have been handled.
        client.SendRtp(TestWebRtcClient.RtpPacket(1, 1234));
        await Eventually.WaitUntilAsync(
            () => !handler.Rtp.IsEmpty || peer.State != RtcPeerState.Connected,
            Timeout,
            "media after the forgery"
        );

        Assert.Equal(RtcPeerState.Connected, peer.State);
        Assert.Single(handler.Rtp);
        await Eventually.WaitUntilAsync(
            () => transport.Counters.DtlsUnauthenticated >= 1,
            Timeout,
            "the forged epoch-1 record is counted"
        );
        Assert.Equal(1, transport.PeerCount);
    }

    [Fact]
    public async Task Genuine_close_notify_during_the_linger_still_closes_the_peer()
    {
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions { Dtls = new DtlsSessionOptions { PostHandshakeLinger = TimeSpan.FromSeconds(30) } }
        );
        using var client = new TestWebRtcClient(transport.LocalEndPoint);
        var peer = transport.CreatePeer(client.Offer(), new RecordingPeerHandler());
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer connects");

        client.SendRaw(ForgedFatalAlert);
        client.CloseDtls();

        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Closed,
            Timeout,
            "the authenticated close_notify closes the peer"
        );
        // Removal from the transport follows the state change on the closing thread.
        await Eventually.WaitUntilAsync(
            () => transport.PeerCount == 0,
            Timeout,
            "the closed peer is removed from the transport"
        );
    }
}
