using MobZ.Munit.Routing;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Routing;

public class ForwardingTests
{
    private const uint VideoSsrcA = 0xBEEF01,
        AudioSsrcA = 0xBEEF02,
        VideoSsrcB = 0xCAFE01,
        AudioSsrcB = 0xCAFE02;

    [Fact]
    public void Audio_reaches_every_viewer_with_its_own_SSRC_and_payload_type_and_continuous_numbers()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        var (_, b) = rig.AddViewer("b", AudioSsrcB, VideoSsrcB);
        for (int i = 0; i < 50; i++)
            rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, (ushort)(65500 + i), (uint)(i * 960)), i * 20);

        foreach (var (output, ssrc) in new[] { (a, AudioSsrcA), (b, AudioSsrcB) })
        {
            var packets = output.Packets().ToList();
            Assert.Equal(50, packets.Count);
            Assert.All(packets, p => Assert.Equal(ssrc, p.Ssrc));
            Assert.All(packets, p => Assert.Equal(109, p.Pt));
            for (int i = 1; i < packets.Count; i++)
            {
                Assert.Equal((ushort)(packets[i - 1].Seq + 1), packets[i].Seq);
                Assert.Equal(packets[i - 1].Ts + 960, packets[i].Ts);
            }
            Assert.Equal(unchecked((byte)(65500 + 49)), packets[^1].Payload[^1]); // payload untouched
        }
        Assert.Equal(100, rig.Engine.Forwarder.Forwarded);
    }

    [Fact]
    public void Video_viewer_starts_on_a_key_frame_and_the_Munit_asks_for_one_once()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        for (int i = 0; i < 5; i++)
        {
            rig.Send(
                Packets.Vp8(ForwardingRig.SingleSsrc, (ushort)(100 + i), (uint)(i * 3000), keyFrame: false),
                i * 33
            );
        }

        Assert.Empty(a.Packets(VideoSsrcA));
        Assert.Equal(1, rig.PublisherOut.Plis(ForwardingRig.SingleSsrc));

        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 105, 15000, keyFrame: true), 200);
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 106, 15000, keyFrame: false), 201);
        var video = a.Packets(VideoSsrcA).ToList();
        Assert.Equal(2, video.Count);
        Assert.Equal(120, video[0].Pt);
        Assert.Equal((ushort)(video[0].Seq + 1), video[1].Seq);
    }

    [Fact]
    public void Simulcast_viewer_switches_layers_only_at_a_key_frame_with_continuous_numbers()
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        var sim = new SimulcastStream(rig);

        sim.Frames(0, 10, keyFrameAt: 0); // starts on what flows first, then aims at the best layer
        rig.Engine.Tick(sim.Now, 0);
        Assert.Equal(1, rig.PublisherOut.Plis(ForwardingRig.HighSsrc));
        sim.Frames(10, 20, keyFrameAt: 10, onlyLayer: 2);
        a.Rtp.Clear();
        sim.Frames(20, 21, keyFrameAt: -1);
        var first = a.Packets(VideoSsrcA).ToList();
        Assert.NotEmpty(first);
        Assert.All(first, p => Assert.Equal(1100, p.Payload.Length)); // the high layer's size

        rig.Station.SetPreferredLayer("a", 0);
        rig.Engine.Tick(sim.Now, 0);
        int plisBefore = rig.PublisherOut.Plis(ForwardingRig.LowSsrc);
        Assert.Equal(1, plisBefore); // the switch asked for a low-layer key frame
        sim.Frames(21, 25, keyFrameAt: -1); // no key frame yet: still high
        Assert.All(a.Packets(VideoSsrcA), p => Assert.Equal(1100, p.Payload.Length));
        sim.Frames(25, 40, keyFrameAt: 25, onlyLayer: 0); // low layer key frame at frame 25

        var all = a.Packets(VideoSsrcA).ToList();
        Assert.Contains(all, p => p.Payload.Length == 200);
        int switchAt = all.FindIndex(p => p.Payload.Length == 200);
        Assert.All(all.Skip(switchAt), p => Assert.Equal(200, p.Payload.Length));
        AssertContinuous(all);
    }

    [Fact]
    public void Numbers_stay_continuous_when_the_publisher_restarts_with_new_ssrcs_and_numbers()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        for (int i = 0; i < 30; i++)
        {
            rig.Send(
                Packets.Vp8(
                    ForwardingRig.SingleSsrc,
                    (ushort)(40000 + i),
                    (uint)(500_000 + i * 3000),
                    keyFrame: i == 0
                ),
                i * 33
            );
            rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, (ushort)(7 + i), (uint)(9_000_000 + i * 1584)), i * 33);
        }

        rig.Station.DetachPublisher();
        rig.Attach("pub-1-again");
        const uint newVideo = 0x77,
            newAudio = 0x78;
        for (int i = 0; i < 30; i++)
        {
            long t = 5000 + i * 33;
            rig.Send(Packets.Vp8(newVideo, (ushort)(3 + i), (uint)(12 + i * 3000), keyFrame: i == 0), t);
            rig.Send(Packets.Opus(newAudio, (ushort)(60000 + i), (uint)(100 + i * 1584)), t);
        }

        var video = a.Packets(VideoSsrcA).ToList();
        var audio = a.Packets(AudioSsrcA).ToList();
        Assert.Equal(60, video.Count);
        Assert.Equal(60, audio.Count);
        AssertContinuous(video);
        AssertContinuous(audio);
        // The pause of the restart shows in the timestamps (~4 s), not as a jump backwards.
        long gap = video[30].Ts - (long)video[29].Ts;
        Assert.InRange(gap, 4000 * 90, 5100 * 90);
    }

    [Fact]
    public void Stopped_layer_falls_back_to_the_next_layer_at_its_key_frame()
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        var sim = new SimulcastStream(rig);
        sim.Frames(0, 10, keyFrameAt: 0);
        rig.Engine.Tick(sim.Now, 0);
        sim.Frames(10, 12, keyFrameAt: 10, onlyLayer: 2);
        Assert.Equal(1100, a.Packets(VideoSsrcA).Last().Payload.Length);

        // The high layer stops (browser under CPU load); the others continue.
        sim.Frames(12, 30, keyFrameAt: -1, skipLayer: 2);
        rig.Engine.Tick(sim.Now, 0);
        Assert.Equal(1, rig.PublisherOut.Plis(ForwardingRig.MidSsrc));
        sim.Frames(30, 40, keyFrameAt: 30, skipLayer: 2);
        var packets = a.Packets(VideoSsrcA).ToList();
        Assert.Equal(600, packets[^1].Payload.Length);
        AssertContinuous(packets);
    }

    [Fact]
    public void REMB_caps_the_viewer_to_a_layer_that_fits()
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (viewer, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        var sim = new SimulcastStream(rig);
        sim.Frames(0, 40, keyFrameAt: 0); // ~1.3 s: bitrates are measured
        rig.Engine.Tick(sim.Now, 0);
        var consumer = rig.Station.ViewerConsumers("a").OfType<SimulcastConsumer>().Single();
        // Layer bitrates at 30 fps: 200 B ≈ 50 kbps, 600 B ≈ 150 kbps, 1100 B ≈ 270 kbps; audio's share
        // (64 kbps) comes off the estimate first.
        rig.Engine.OnSubscriberRtcp(viewer, Packets.Remb(1, 300_000, VideoSsrcA), sim.Now, 0);
        rig.Engine.Tick(sim.Now, 0);
        Assert.Equal(1, consumer.TargetLayer);
        Assert.Equal(1, viewer.RembReceived);
    }

    [Fact]
    public void REMB_from_a_viewer_that_did_not_negotiate_it_does_not_cap_its_layer()
    {
        // Chromium sends REMB from its receive-side estimate even when its answer dropped goog-remb; taken as an
        // estimate, one from while the viewer got q (~255 kbit/s) pinned it to q whatever it asked for.
        using var rig = new ForwardingRig(simulcast: true);
        var (viewer, _) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        viewer.RembNegotiated = false;
        var sim = new SimulcastStream(rig);
        sim.Frames(0, 40, keyFrameAt: 0);
        rig.Engine.Tick(sim.Now, 0);
        var consumer = rig.Station.ViewerConsumers("a").OfType<SimulcastConsumer>().Single();

        rig.Engine.OnSubscriberRtcp(viewer, Packets.Remb(1, 100_000, VideoSsrcA), sim.Now, 0);
        rig.Engine.Tick(sim.Now, 0);

        Assert.Equal(2, consumer.TargetLayer);
        Assert.Equal(1, viewer.RembReceived); // it arrived and is counted, but is no estimate
        Assert.Equal(0, viewer.BandwidthBps);
    }

    [Fact]
    public void A_viewer_that_stops_negotiating_REMB_loses_the_cap_its_earlier_estimate_set()
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (viewer, _) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        var sim = new SimulcastStream(rig);
        sim.Frames(0, 40, keyFrameAt: 0);
        rig.Engine.Tick(sim.Now, 0);
        var consumer = rig.Station.ViewerConsumers("a").OfType<SimulcastConsumer>().Single();
        rig.Engine.OnSubscriberRtcp(viewer, Packets.Remb(1, 100_000, VideoSsrcA), sim.Now, 0);
        rig.Engine.Tick(sim.Now, 0);
        Assert.Equal(0, consumer.TargetLayer);

        viewer.RembNegotiated = false; // a new answer without goog-remb
        rig.Engine.Tick(sim.Now, 0);

        Assert.Equal(2, consumer.TargetLayer);
        Assert.Equal(0, viewer.BandwidthBps);
    }

    [Fact]
    public void Viewer_NACK_is_answered_from_the_cache_with_its_original_numbers()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (viewer, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        for (int i = 0; i < 10; i++)
            rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, (ushort)(1000 + i), (uint)(i * 3000), i == 0), i * 33);
        var sent = a.Packets(VideoSsrcA).ToList();
        a.Rtp.Clear();

        rig.Engine.OnSubscriberRtcp(viewer, Packets.Nack(1, VideoSsrcA, sent[3].Seq, sent[5].Seq), 400, 0);

        var again = a.Packets().ToList();
        Assert.Equal(2, again.Count);
        Assert.Equal(sent[3], again[0], new PacketComparer());
        Assert.Equal(sent[5], again[1], new PacketComparer());
    }

    [Fact]
    public void Viewer_NACK_is_answered_as_RTX_when_negotiated()
    {
        using var rig = new ForwardingRig(simulcast: false);
        const uint rtx = 0xBEEF99;
        var (viewer, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA, rtx);
        for (int i = 0; i < 10; i++)
            rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, (ushort)(1000 + i), (uint)(i * 3000), i == 0), i * 33);
        var original = a.Packets(VideoSsrcA).ToList()[4];
        a.Rtp.Clear();

        rig.Engine.OnSubscriberRtcp(viewer, Packets.Nack(1, VideoSsrcA, original.Seq), 400, 0);

        var retransmission = Assert.Single(a.Rtp);
        Assert.True(RtpPacket.TryRead(retransmission, out var r));
        Assert.Equal(rtx, r.Ssrc);
        Assert.Equal(121, r.PayloadType);
        Assert.True(RtxPacket.TryReadOriginalSequenceNumber(r.Payload, out ushort osn));
        Assert.Equal(original.Seq, osn);
        Assert.Equal(original.Payload, r.Payload[2..].ToArray());
        Assert.Equal(original.Ts, r.Timestamp);
    }

    [Fact]
    public void NACK_for_a_packet_no_longer_cached_is_counted_not_answered()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (viewer, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 1, 0, true), 0);
        a.Rtp.Clear();
        rig.Engine.OnSubscriberRtcp(viewer, Packets.Nack(1, VideoSsrcA, 9999), 10, 0);
        Assert.Empty(a.Rtp);
        Assert.Equal(1, rig.Station.ViewerConsumers("a")[1].Send.NackedPacketsMissing);
    }

    [Fact]
    public void Packets_lost_upstream_are_nacked_to_the_publisher()
    {
        using var rig = new ForwardingRig(simulcast: false);
        rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 10, 0, true), 0);
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 14, 3000, false), 33);
        rig.Engine.Tick(40, 0);

        var nack = rig.PublisherOut.RtcpPackets().Single(p => p.Type == RtcpPacketType.TransportFeedback);
        Assert.True(GenericNack.TryRead(nack.Bytes, out var n));
        Assert.Equal(ForwardingRig.SingleSsrc, n.MediaSsrc);
        var lost = new List<ushort>();
        foreach (var s in n.LostSequenceNumbers)
            lost.Add(s);
        Assert.Equal([11, 12, 13], lost);
    }

    [Fact]
    public void Retransmission_from_the_publisher_fills_the_gap_for_viewers()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        const uint rtxSsrc = 0x4001;
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 10, 0, true), 0);
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 12, 3000, false), 33);
        // RTX of 11: OSN then the original payload.
        var original = Packets.Vp8(ForwardingRig.SingleSsrc, 11, 0, false);
        Assert.True(RtpPacket.TryRead(original, out var o));
        var rtxPayload = new byte[o.Payload.Length + 2];
        rtxPayload[1] = 11;
        o.Payload.CopyTo(rtxPayload.AsSpan(2));
        rig.Send(Packets.Rtp(rtxSsrc, 500, 0, ForwardingRig.Vp8RtxPt, rtxPayload), 60);

        var seqs = a.Packets(VideoSsrcA).Select(p => p.Seq).ToList();
        Assert.Equal(3, seqs.Count);
        Assert.Equal((ushort)(seqs[0] + 1), seqs[2]); // the repaired packet took its place between 10 and 12
        Assert.Equal((ushort)(seqs[0] + 2), seqs[1]);
    }

    [Fact]
    public void Viewer_key_frame_requests_are_throttled_toward_the_publisher()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var viewers = Enumerable
            .Range(0, 20)
            .Select(i => rig.AddViewer($"v{i}", (uint)(100 + i), (uint)(200 + i)))
            .ToList();
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 1, 0, true), 0);
        int before = rig.PublisherOut.Plis(ForwardingRig.SingleSsrc);
        for (int i = 0; i < viewers.Count; i++)
            rig.Engine.OnSubscriberRtcp(viewers[i].Viewer, Packets.Pli(1, (uint)(200 + i)), 100 + i, 0);
        Assert.Equal(before + 1, rig.PublisherOut.Plis(ForwardingRig.SingleSsrc));
        Assert.True(rig.Station.GetStats(200).KeyFrameRequestsAsked >= 20);
    }

    [Fact]
    public void Sender_report_carries_the_publishers_clock_mapping_into_the_viewers_numbering()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        for (int i = 0; i < 10; i++)
            rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, (ushort)i, (uint)(1_000_000 + i * 960)), i * 20);
        var firstOut = a.Packets(AudioSsrcA).First();
        uint offset = firstOut.Ts - 1_000_000;

        ulong publisherNtp = NtpTime.FromDateTime(new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc));
        rig.Engine.OnPublisherRtcp(
            rig.Publisher,
            Packets.SenderReport(ForwardingRig.AudioSsrc, publisherNtp, 1_004_800),
            700
        );
        ulong ntpNow = NtpTime.FromDateTime(new DateTime(2026, 11, 21, 12, 0, 5, DateTimeKind.Utc));
        rig.Engine.Tick(1200, ntpNow); // 500 ms after the SR arrived

        var sr = a.RtcpPackets()
            .Where(p => p.Type == RtcpPacketType.SenderReport)
            .Select(p =>
            {
                Assert.True(SenderReport.TryRead(p.Bytes, out var s));
                return (s.Ssrc, s.NtpTimestamp, s.RtpTimestamp, s.PacketCount);
            })
            .Single(s => s.Ssrc == AudioSsrcA);
        Assert.Equal(ntpNow, sr.NtpTimestamp);
        Assert.Equal(1_004_800u + offset + 500 * 48, sr.RtpTimestamp);
        Assert.Equal(10u, sr.PacketCount);
    }

    [Fact]
    public void Receiver_report_to_the_publisher_counts_upstream_loss_and_no_REMB_before_there_is_an_estimate()
    {
        using var rig = new ForwardingRig(simulcast: false);
        for (int i = 0; i < 100; i++)
        {
            if (i % 4 != 1)
                rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, (ushort)i, (uint)(i * 3000), i == 0), i * 10);
        }

        rig.Engine.Tick(1500, 0);
        var rrBytes = rig.PublisherOut.RtcpPackets().First(p => p.Type == RtcpPacketType.ReceiverReport).Bytes;
        Assert.True(ReceiverReport.TryRead(rrBytes, out var rr));
        var blocks = new List<ReportBlock>();
        for (int i = 0; i < rr.ReportCount; i++)
            blocks.Add(rr.GetReportBlock(i));
        var block = blocks.Single(b => b.Ssrc == ForwardingRig.SingleSsrc);
        Assert.Equal(25, block.CumulativeLost);
        Assert.Equal(64, block.FractionLost);
        // One second of traffic is too little for the Munit's estimate (PublisherCongestionFeedbackTests): no REMB.
        Assert.DoesNotContain(rig.PublisherOut.RtcpPackets(), p =>
            p.Type == RtcpPacketType.PayloadFeedback && ReceiverEstimatedMaxBitrate.TryRead(p.Bytes, out _)
        );
    }

    [Fact]
    public void Padding_only_packets_are_dropped_without_leaving_a_gap()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 1, 0, true), 0);
        rig.Send(Packets.Rtp(ForwardingRig.SingleSsrc, 2, 0, ForwardingRig.Vp8Pt, [], padding: 200), 5);
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 3, 3000, false), 33);
        var seqs = a.Packets(VideoSsrcA).Select(p => p.Seq).ToList();
        Assert.Equal(2, seqs.Count);
        Assert.Equal((ushort)(seqs[0] + 1), seqs[1]);
        Assert.Equal(1, rig.Publisher.Drops(DropReason.PaddingOnly));
    }

    [Fact]
    public void Malformed_and_random_packets_are_dropped_and_never_reach_a_viewer()
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (viewer, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        var rng = new Random(5);
        var buffer = new byte[1600];
        for (int i = 0; i < 20_000; i++)
        {
            rng.NextBytes(buffer);
            if (i % 2 == 0)
                buffer[0] = (byte)(0x80 | buffer[0] & 0x3F); // version 2 half the time
            int length = rng.Next(buffer.Length);
            rig.Engine.OnPublisherRtp(rig.Publisher, buffer.AsSpan(0, length), i);
            rig.Engine.OnSubscriberRtcp(viewer, buffer.AsSpan(0, rng.Next(200)), i, 0);
            rig.Engine.OnPublisherRtcp(rig.Publisher, buffer.AsSpan(0, rng.Next(200)), i);
        }
        Assert.All(a.Packets(), p => Assert.True(p.Ssrc is AudioSsrcA or VideoSsrcA));
        Assert.True(rig.Publisher.Drops(DropReason.Malformed) + rig.Publisher.Drops(DropReason.UnknownSsrc) > 10_000);
    }

    [Fact]
    public void Viewer_that_leaves_gets_nothing_more()
    {
        using var rig = new ForwardingRig(simulcast: false);
        var (_, a) = rig.AddViewer("a", AudioSsrcA, VideoSsrcA);
        rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, 1, 0), 0);
        Assert.True(rig.Station.RemoveViewer("a"));
        rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, 2, 960), 20);
        Assert.Single(a.Rtp);
    }

    internal static void AssertContinuous(
        IReadOnlyList<(uint Ssrc, ushort Seq, uint Ts, byte Pt, byte[] Payload)> packets
    )
    {
        for (int i = 1; i < packets.Count; i++)
        {
            Assert.True(
                (ushort)(packets[i - 1].Seq + 1) == packets[i].Seq,
                $"sequence gap at {i}: {packets[i - 1].Seq} → {packets[i].Seq}"
            );
            Assert.True(
                SequenceNumbers.IsNewerOrEqual(packets[i].Ts, packets[i - 1].Ts),
                $"timestamp went back at {i}"
            );
        }
    }

    private sealed class PacketComparer : IEqualityComparer<(uint, ushort, uint, byte, byte[])>
    {
        public bool Equals((uint, ushort, uint, byte, byte[]) x, (uint, ushort, uint, byte, byte[]) y) =>
            x.Item1 == y.Item1
            && x.Item2 == y.Item2
            && x.Item3 == y.Item3
            && x.Item4 == y.Item4
            && x.Item5.AsSpan().SequenceEqual(y.Item5);

        public int GetHashCode((uint, ushort, uint, byte, byte[]) obj) => obj.Item2;
    }
}

/// <summary>A browser's three simulcast layers at 30 fps: 200, 600 and 1100-byte frames, one packet each; with
/// <paramref name="pictureIds"/>, each layer numbers its pictures (15-bit PictureID, TL0PICIDX) on its own, as
/// libvpx does.</summary>
internal sealed class SimulcastStream(ForwardingRig rig, bool pictureIds = false)
{
    public static readonly int[] FirstPictureId = [100, 9000, 32760];
    public static readonly int[] FirstTl0PicIdx = [10, 100, 250];

    private static readonly uint[] Ssrcs = [ForwardingRig.LowSsrc, ForwardingRig.MidSsrc, ForwardingRig.HighSsrc];
    private static readonly string[] Rids = ["q", "h", "f"];
    private static readonly int[] Sizes = [200, 600, 1100];
    private static readonly ushort[] FirstSeq = [100, 20000, 65000];

    public long Now { get; private set; }

    /// <param name="keyFrameAt">the frame that is a key frame on the layers sent, -1 for none.</param>
    public void Frames(int from, int to, int keyFrameAt, int onlyLayer = -1, int skipLayer = -1)
    {
        for (int f = from; f < to; f++)
        {
            Now = 1000 + f * 33L;
            for (int l = 0; l < 3; l++)
            {
                if (onlyLayer >= 0 && l != onlyLayer && f == keyFrameAt)
                { /* other layers send a delta frame */
                }
                if (l == skipLayer)
                    continue;
                bool key = f == keyFrameAt && (onlyLayer < 0 || onlyLayer == l);
                rig.Send(
                    Packets.Vp8(
                        Ssrcs[l],
                        (ushort)(FirstSeq[l] + f),
                        (uint)(l * 1_000_000 + f * 3000),
                        key,
                        Rids[l],
                        Sizes[l],
                        pictureId: pictureIds ? (FirstPictureId[l] + f) & 0x7FFF : -1,
                        tl0PicIdx: pictureIds ? (FirstTl0PicIdx[l] + f) & 0xFF : -1
                    ),
                    Now
                );
            }
        }
    }
}
