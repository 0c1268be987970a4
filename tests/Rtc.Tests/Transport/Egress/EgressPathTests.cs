using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Transport;
using MobZ.TestKit;

namespace MobZ.Rtc.Tests.Transport.Egress;

/// <summary>Both ways in and out of the transport's socket — recvmmsg/sendmmsg and the portable recvfrom/sendto —
/// carry a whole connection (ICE, DTLS, SRTP) over IPv4 and IPv6.</summary>
public class EgressPathTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true, "127.0.0.1")]
    [InlineData(false, "127.0.0.1")]
    [InlineData(true, "::1")]
    [InlineData(false, "::1")]
    public async Task A_client_connects_and_its_media_is_echoed_through_either_path(bool batching, string address)
    {
        var bind = IPAddress.Parse(address);
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions { BindAddress = bind, SystemCallBatching = batching }
        );
        var clientHandler = new RecordingClientHandler();
        using var client = new RtcClientPeer(clientHandler, new RtcClientPeerOptions { BindAddress = bind });
        var peer = transport.CreatePeer(client.LocalParameters, new RecordingPeerHandler(echo: true));
        await client.ConnectAsync(ServerAnswer.Of(peer), transport.LocalEndPoint).WaitAsync(Timeout);
        for (ushort seq = 0; seq < 20; seq++)
            Assert.True(client.SendRtp(TestWebRtcClient.RtpPacket(seq, 0xABCD)));

        await Eventually.WaitUntilAsync(() => clientHandler.Rtp.Count == 20, Timeout, "every packet comes back");
        Assert.Equal(
            Enumerable.Range(0, 20).Select(i => TestWebRtcClient.RtpPacket((ushort)i, 0xABCD)),
            clientHandler.Rtp
        );
        Assert.True(peer.Egress.Sent >= 20, $"the peer's egress counted {peer.Egress.Sent}");
        Assert.Equal(0, transport.Counters.Egress.DroppedTotal);
        Assert.InRange(transport.Counters.Egress.Syscalls, 1, transport.Counters.Egress.Sent);
    }

    [Fact]
    public async Task A_datagram_larger_than_a_receive_slot_is_dropped_and_counted_as_truncated()
    {
        using var transport = new RtcUdpTransport(new RtcTransportOptions { BindAddress = IPAddress.Loopback });
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var jumbo = new byte[20_000];
        jumbo[0] = 0x80;

        sender.SendTo(jumbo, transport.LocalEndPoint);
        sender.SendTo(new byte[] { 0xFF }, transport.LocalEndPoint);

        await Eventually.WaitUntilAsync(() => transport.Counters.DatagramsReceived == 2, Timeout, "both arrive");
        Assert.Equal(1, transport.Counters.Truncated);
        Assert.Equal(1, transport.Counters.UnknownKind);
    }
}
