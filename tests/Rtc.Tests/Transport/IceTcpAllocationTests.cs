using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Transport;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>Runs alone: it reads the process-wide allocation counter, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(AllocationMeasurement), DisableParallelization = true)]
public sealed class AllocationMeasurement;

/// <summary>ICE-TCP keeps the packet path allocation-free like the UDP one: receiving frames and sending
/// media.</summary>
[Collection(nameof(AllocationMeasurement))]
public sealed class IceTcpAllocationTests(ITestOutputHelper output) : IDisposable
{
    private const int Packets = 5000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly RtcUdpTransport _transport = new(
        new RtcTransportOptions { BindAddress = IPAddress.Loopback, Tcp = new IceTcpOptions() }
    );

    public void Dispose() => _transport.Dispose();

    private sealed class CountingHandler : IRtcPeerHandler
    {
        public long Rtp;

        /// <summary>Set by the packet that makes <see cref="Expected"/>: waiting on it allocates nothing, where polling
        /// would allocate more the slower a busy machine is, inside the measured window.</summary>
        public readonly ManualResetEventSlim AllArrived = new();
        public long Expected = long.MaxValue;

        public void OnRtp(RtcPeer peer, Span<byte> packet)
        {
            if (Interlocked.Increment(ref Rtp) == Interlocked.Read(ref Expected))
                AllArrived.Set();
        }

        public void OnRtcp(RtcPeer peer, Span<byte> packet) { }

        public void OnStateChanged(RtcPeer peer, RtcPeerState state) { }
    }

    [Fact]
    public async Task Srtp_frames_in_and_out_over_tcp_allocate_nothing_per_packet()
    {
        using var client = TestWebRtcClient.OverTcp(_transport.TcpEndPoint!);
        var handler = new CountingHandler();
        var peer = _transport.CreatePeer(client.Offer(), handler);
        Assert.True(client.CheckConnectivity(peer.Local, Timeout));
        client.HandshakeDtls();
        await Eventually.WaitUntilAsync(
            () => peer.State == RtcPeerState.Connected,
            Timeout,
            "peer reaches Connected over TCP"
        );

        // Inbound: every frame protected and framed up front, sent in one write; the server's read loop does the rest.
        var stream = new MemoryStream();
        for (int i = 0; i < Packets; i++)
        {
            var protectedPacket = client.ProtectRtp(
                TestWebRtcClient.RtpPacket((ushort)(100 + i), 0x5151, payloadLength: 900)
            );
            stream.WriteByte((byte)(protectedPacket.Length >> 8));
            stream.WriteByte((byte)protectedPacket.Length);
            stream.Write(protectedPacket);
        }
        var socket = ((TcpFrameLink)client.Link).Socket;
        Interlocked.Exchange(ref handler.Expected, Packets);
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        socket.Send(stream.GetBuffer().AsSpan(0, (int)stream.Length));
        bool arrived = handler.AllArrived.Wait(Timeout);
        long inbound = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(arrived, $"{Interlocked.Read(ref handler.Rtp)} of {Packets} packets reached the handler");

        // Outbound: the client drains its socket on another thread; sends go in batches the kernel buffer always
        // takes at once (the bounded queue is for clients that fall behind, measured elsewhere), and only the
        // SendRtp calls are measured, on this thread.
        long received = 0;
        using var stop = new CancellationTokenSource();
        var drain = Task.Run(() =>
        {
            var buffer = new byte[64 * 1024];
            while (!stop.IsCancellationRequested)
            {
                if (!socket.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
                    continue;
                int n = socket.Receive(buffer);
                if (n == 0)
                    return;
                Interlocked.Add(ref received, n);
            }
        });
        var packet = TestWebRtcClient.RtpPacket(1, 0x6161, payloadLength: 900);
        Assert.True(peer.SendRtp(packet));
        Func<bool> firstArrived = () => Interlocked.Read(ref received) > 0;
        Assert.True(SpinWait.SpinUntil(firstArrived, Timeout));
        long frameBytes = Interlocked.Read(ref received);
        long expected = frameBytes;
        Func<bool> batchArrived = () => Interlocked.Read(ref received) >= expected;
        long outbound = 0;
        for (int batch = 0; batch < Packets / 50; batch++)
        {
            long sentBefore = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
                Assert.True(peer.SendRtp(packet));
            outbound += GC.GetAllocatedBytesForCurrentThread() - sentBefore;
            expected += 50 * frameBytes;
            Assert.True(SpinWait.SpinUntil(batchArrived, Timeout), "the client receives each batch");
        }
        stop.Cancel();
        await drain;

        output.WriteLine(
            $"{Packets} frames in: {inbound} bytes allocated in the whole process; {Packets} frames out: {outbound} bytes on the sending thread"
        );
        Assert.Equal(0, outbound);
        Assert.True(inbound < Packets * 4, $"{inbound} bytes allocated for {Packets} inbound frames");
    }
}
