using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Transport;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>Runs alone: parallel tests would run on the same pool threads between two frames.</summary>
[CollectionDefinition(nameof(AllocationMeasurement), DisableParallelization = true)]
public sealed class AllocationMeasurement;

/// <summary>ICE-TCP keeps the packet path allocation-free like the UDP one: receiving frames and sending
/// media.</summary>
[Collection(nameof(AllocationMeasurement))]
public sealed class IceTcpAllocationTests(ITestOutputHelper output) : IDisposable
{
    private const int Packets = 5000;

    /// <summary>Frames sent back to back before waiting for the client: about 9 KB, which any loopback socket buffer
    /// takes at once.</summary>
    private const int Batch = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly RtcUdpTransport _transport = new(
        new RtcTransportOptions { BindAddress = IPAddress.Loopback, Tcp = new IceTcpOptions() }
    );

    public void Dispose() => _transport.Dispose();

    /// <summary>RFC 7983 demultiplexing: RTP and RTCP start with 128..191; RTCP's packet types are 192..223.</summary>
    private static bool IsRtp(ReadOnlySpan<byte> packet) =>
        packet[0] is >= 128 and <= 191 && (packet[1] & 0x7F) is < 64 or > 95;

    private sealed class CountingHandler : IRtcPeerHandler
    {
        // This thread's allocated bytes when it handed over its previous frame, plus one (0: none yet).
        [ThreadStatic]
        private static long t_mark;

        public long Rtp;

        /// <summary>Set by the packet that makes <see cref="Expected"/>: waiting on it allocates nothing, where polling
        /// would allocate more the slower a busy machine is, inside the measured window.</summary>
        public readonly ManualResetEventSlim AllArrived = new();
        public long Expected = long.MaxValue;

        /// <summary>Bytes allocated between two frames handed over by the same thread: the receive path's own work
        /// (read, framing, SRTP, demultiplexing). Counted per thread, not process-wide: the client's DTLS (running in
        /// this process) may still answer a retransmitted flight while the frames arrive, which is not the server's
        /// packet path (a clean-clone run at load 12-20 counted 87 KB process-wide for 5,000 frames).</summary>
        public long ReceiveAllocated;

        public void OnRtp(RtcPeer peer, Span<byte> packet)
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (t_mark != 0)
                Interlocked.Add(ref ReceiveAllocated, now - (t_mark - 1));
            t_mark = now + 1;
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
        socket.Send(stream.GetBuffer().AsSpan(0, (int)stream.Length));
        bool arrived = handler.AllArrived.Wait(Timeout);
        long inbound = Interlocked.Read(ref handler.ReceiveAllocated);
        Assert.True(arrived, $"{Interlocked.Read(ref handler.Rtp)} of {Packets} packets reached the handler");

        // Outbound: the client drains its socket on another thread and counts the RTP frames it gets (the DTLS
        // handshake may still retransmit a flight, which must not count as media); sends go in batches the kernel
        // buffer always takes at once (the bounded queue is for clients that fall behind, measured elsewhere), and
        // only the SendRtp calls are measured, on this thread.
        long rtpFrames = 0;
        using var stop = new CancellationTokenSource();
        var drain = Task.Run(() =>
        {
            var buffer = new byte[64 * 1024];
            int held = 0;
            while (!stop.IsCancellationRequested)
            {
                if (!socket.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
                    continue;
                int n = socket.Receive(buffer, held, buffer.Length - held, SocketFlags.None);
                if (n == 0)
                    return;
                held += n;
                int offset = 0;
                while (held - offset >= 2 && held - offset - 2 >= (buffer[offset] << 8 | buffer[offset + 1]))
                {
                    int length = buffer[offset] << 8 | buffer[offset + 1];
                    if (length >= 2 && IsRtp(buffer.AsSpan(offset + 2, length)))
                        Interlocked.Increment(ref rtpFrames);
                    offset += 2 + length;
                }
                buffer.AsSpan(offset, held - offset).CopyTo(buffer);
                held -= offset;
            }
        });
        var packet = TestWebRtcClient.RtpPacket(1, 0x6161, payloadLength: 900);
        Assert.True(peer.SendRtp(packet));
        long expected = 1;
        Func<bool> batchArrived = () => Interlocked.Read(ref rtpFrames) >= expected;
        Assert.True(SpinWait.SpinUntil(batchArrived, Timeout), "the client receives the first frame");
        long outbound = 0;
        for (int batch = 0; batch < Packets / Batch; batch++)
        {
            long sentBefore = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Batch; i++)
                Assert.True(peer.SendRtp(packet));
            outbound += GC.GetAllocatedBytesForCurrentThread() - sentBefore;
            expected += Batch;
            Assert.True(
                SpinWait.SpinUntil(batchArrived, Timeout),
                $"the client receives each batch: {Interlocked.Read(ref rtpFrames)} of {expected} RTP frames"
            );
        }
        stop.Cancel();
        await drain;

        output.WriteLine(
            $"{Packets} frames in: {inbound} bytes allocated on the receiving threads; {Packets} frames out: {outbound} bytes on the sending thread"
        );
        Assert.Equal(0, outbound);
        Assert.True(inbound < Packets * 4, $"{inbound} bytes allocated for {Packets} inbound frames");
    }
}
