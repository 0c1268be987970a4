using System.Buffers.Binary;
using System.Net;
using MobZ.Rtc.Transport;
using MobZ.Rtc.Transport.Egress;
using MobZ.TestKit;
using MobZ.TestKit.Network;

namespace MobZ.Rtc.Tests.Transport.Egress;

/// <summary>
/// A publisher fanned out to viewers through one <see cref="RtcUdpTransport"/>, as the Munit does, with real sockets
/// and real clients (ICE, DTLS, SRTP), while one viewer cannot keep up. The publisher never has more than
/// <see cref="InFlight"/> packets unanswered, so ingress progress is measured by counts: a receive loop that stalls
/// stops the publisher, and the wait for its last packet runs out.
/// </summary>
public class SlowViewerTests
{
    private const int Packets = 2000;
    private const int InFlight = 64;
    private const int PacketSize = 1000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_viewer_that_never_reads_its_socket_costs_the_other_viewers_nothing()
    {
        await using var room = await Room.OpenAsync(create => create(), new RtcTransportOptions());
        var stuck = new ManualResetEventSlim();
        try
        {
            var fast1 = await room.AddViewerAsync(new ClientHandler());
            var fast2 = await room.AddViewerAsync(new ClientHandler());
            // Its receive loop blocks in the handler, so its 4 KiB socket buffer fills and the kernel drops for it.
            var slow = await room.AddViewerAsync(new ClientHandler(stuck), receiveBuffer: 4096);

            await room.PublishAsync(Packets);

            await Eventually.WaitUntilAsync(
                () => fast1.Client.RtpReceived == Packets && fast2.Client.RtpReceived == Packets,
                Timeout,
                $"both other viewers get every packet (got {fast1.Client.RtpReceived}, {fast2.Client.RtpReceived})"
            );
            Assert.True(slow.Client.RtpReceived < Packets / 2, $"the stuck viewer read {slow.Client.RtpReceived}");
            Assert.Equal(0, room.Transport.Counters.Egress.DroppedTotal);
        }
        finally
        {
            stuck.Set();
        }
    }

    [Fact]
    public async Task A_full_send_buffer_drops_and_counts_egress_and_never_stalls_the_publishers_ingress()
    {
        await using var ns = await NetworkNamespace.CreateAsync();
        // Inside the namespace everything talks over its own loopback; one viewer's port is shaped to 200 kbit/s, so
        // the transport's datagrams to it wait in the qdisc, charged to the transport's small send buffer, until it
        // is full: then every send from that socket would wait (blocking) or fail at once (EAGAIN).
        await using var room = await Room.OpenAsync(
            ns.CreateInside,
            new RtcTransportOptions { SocketSendBufferSize = 32 * 1024, SocketReceiveBufferSize = 256 * 1024 }
        );
        var fast = await room.AddViewerAsync(new ClientHandler());
        var slow = await room.AddViewerAsync(new ClientHandler());
        await Tc(ns, "qdisc add dev lo root handle 1: htb default 10");
        await Tc(ns, "class add dev lo parent 1: classid 1:10 htb rate 10gbit");
        await Tc(ns, "class add dev lo parent 1: classid 1:20 htb rate 200kbit");
        int port = slow.Client.LocalEndPoint.Port;
        await Tc(ns, $"filter add dev lo parent 1: protocol ip prio 1 u32 match ip dport {port} 0xffff flowid 1:20");

        await room.PublishAsync(Packets / 2);

        // Counted when the last of the publisher's packets arrived: a receive loop that waits for its sends moves at
        // the slow viewer's pace, and by then that viewer would have been sent nearly all of them.
        long slowReceived = slow.Client.RtpReceived;
        Assert.True(
            slowReceived < Packets / 4,
            $"the transport received the publisher's {Packets / 2} packets while the slow viewer got {slowReceived}"
        );
        var egress = room.Transport.Counters.Egress;
        Assert.True(egress.Dropped(EgressDropReason.SocketFull) > 0, "the full send buffer dropped datagrams");
        Assert.True(slow.Peer.Egress.Dropped(EgressDropReason.SocketFull) > 0, "counted on the slow viewer");
        Assert.True(fast.Client.RtpReceived > 0, $"the other viewer got media ({fast.Client.RtpReceived})");
    }

    private static Task<string> Tc(NetworkNamespace ns, string arguments) =>
        ns.RunInsideAsync(["tc", .. arguments.Split(' ')]);

    /// <summary>One publisher whose RTP the server fans out to every viewer (the Munit's shape, without a
    /// Munit).</summary>
    private sealed class Room : IAsyncDisposable
    {
        private readonly Func<Func<object>, object> _create;
        private readonly FanOut _fanOut = new();
        private readonly List<RtcClientPeer> _clients = [];
        private RtcClientPeer _publisherClient = null!;

        private Room(Func<Func<object>, object> create, RtcUdpTransport transport)
        {
            _create = create;
            Transport = transport;
        }

        public RtcUdpTransport Transport { get; }

        public RtcPeer Publisher { get; private set; } = null!;

        public static async Task<Room> OpenAsync(Func<Func<object>, object> create, RtcTransportOptions options)
        {
            var transport = (RtcUdpTransport)create(() =>
                new RtcUdpTransport(
                    new RtcTransportOptions
                    {
                        BindAddress = IPAddress.Loopback,
                        SocketSendBufferSize = options.SocketSendBufferSize,
                        SocketReceiveBufferSize = options.SocketReceiveBufferSize,
                    }
                )
            );
            var room = new Room(create, transport);
            room._publisherClient = room.Client(new ClientHandler(), null);
            room.Publisher = await room.ConnectAsync(room._publisherClient, room._fanOut);
            return room;
        }

        public async Task<(RtcClientPeer Client, RtcPeer Peer)> AddViewerAsync(
            ClientHandler handler,
            int? receiveBuffer = null
        )
        {
            var client = Client(handler, receiveBuffer);
            var peer = await ConnectAsync(client, new SilentPeerHandler());
            _fanOut.Viewers = [.. _fanOut.Viewers, peer];
            return (client, peer);
        }

        /// <summary>Sends <paramref name="count"/> packets, each only once the server has received all but
        /// <see cref="InFlight"/> of those before it.</summary>
        public async Task PublishAsync(int count)
        {
            var packet = new byte[PacketSize];
            packet[0] = 0x80;
            packet[1] = 96;
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x5EED);
            for (int i = 0; i < count; i++)
            {
                if (Publisher.RtpReceived < i - InFlight)
                {
                    int sent = i;
                    await Eventually.WaitUntilAsync(
                        () => Publisher.RtpReceived >= sent - InFlight / 2,
                        Timeout,
                        $"the transport keeps receiving the publisher (stuck at {Publisher.RtpReceived} of {sent})"
                    );
                }

                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)i);
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), (uint)(i * 3000));
                Assert.True(_publisherClient.SendRtp(packet));
            }

            await Eventually.WaitUntilAsync(
                () => Publisher.RtpReceived == count,
                Timeout,
                $"the transport receives every packet (got {Publisher.RtpReceived} of {count})"
            );
        }

        private RtcClientPeer Client(ClientHandler handler, int? receiveBuffer)
        {
            var client = (RtcClientPeer)_create(() =>
                new RtcClientPeer(
                    handler,
                    new RtcClientPeerOptions
                    {
                        BindAddress = IPAddress.Loopback,
                        SocketReceiveBufferSize = receiveBuffer ?? 1024 * 1024,
                    }
                )
            );
            _clients.Add(client);
            return client;
        }

        private async Task<RtcPeer> ConnectAsync(RtcClientPeer client, IRtcPeerHandler handler)
        {
            var peer = Transport.CreatePeer(client.LocalParameters, handler);
            await client.ConnectAsync(ServerAnswer.Of(peer), Transport.LocalEndPoint).WaitAsync(Timeout);
            await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "server connected");
            return peer;
        }

        public ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
                client.Dispose();
            Transport.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FanOut : IRtcPeerHandler
    {
        public volatile RtcPeer[] Viewers = [];

        public void OnRtp(RtcPeer peer, Span<byte> packet)
        {
            foreach (var viewer in Viewers)
                viewer.SendRtp(packet);
        }

        public void OnRtcp(RtcPeer peer, Span<byte> packet) { }

        public void OnStateChanged(RtcPeer peer, RtcPeerState state) { }
    }

    private sealed class SilentPeerHandler : IRtcPeerHandler
    {
        public void OnRtp(RtcPeer peer, Span<byte> packet) { }

        public void OnRtcp(RtcPeer peer, Span<byte> packet) { }

        public void OnStateChanged(RtcPeer peer, RtcPeerState state) { }
    }

    /// <summary>The client counts what arrives; with <c>stuck</c>, this blocks its receive loop until set.</summary>
    private sealed class ClientHandler(ManualResetEventSlim? stuck = null) : IRtcClientHandler
    {
        public void OnRtp(RtcClientPeer peer, Span<byte> packet) => stuck?.Wait();

        public void OnRtcp(RtcClientPeer peer, Span<byte> packet) { }

        public void OnStateChanged(RtcClientPeer peer, RtcPeerState state) { }
    }
}
