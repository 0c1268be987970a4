using MobZ.Munit.Tap;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Routing;

public class StationTapTests
{
    private sealed class RecordingTap(bool wantsLayers = false) : IStationTap
    {
        public List<(TapTrack Track, ushort Seq, uint Ts, int Size)> Rtp { get; } = [];
        public List<(TapTrack Track, ulong Ntp, uint Rtp)> Reports { get; } = [];
        public List<(int Layer, uint Ssrc, ushort Seq, int Size)> LayerRtp { get; } = [];
        public List<int> LayerReports { get; } = [];
        public bool Disposed { get; private set; }

        public bool WantsLayers => wantsLayers;

        public void OnLayerRtp(int layer, ReadOnlySpan<byte> packet)
        {
            Assert.True(RtpPacket.TryRead(packet, out var r));
            LayerRtp.Add((layer, r.Ssrc, r.SequenceNumber, r.Payload.Length));
        }

        public void OnLayerSenderReport(int layer, ulong ntpTimestamp, uint rtpTimestamp) => LayerReports.Add(layer);

        public void OnRtp(TapTrack track, ReadOnlySpan<byte> packet)
        {
            Assert.True(RtpPacket.TryRead(packet, out var r));
            Rtp.Add((track, r.SequenceNumber, r.Timestamp, r.Payload.Length));
        }

        public void OnSenderReport(TapTrack track, ulong ntpTimestamp, uint rtpTimestamp) =>
            Reports.Add((track, ntpTimestamp, rtpTimestamp));

        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void Tap_gets_audio_and_the_best_video_layer_with_continuous_numbers_and_sender_reports()
    {
        var rig = new ForwardingRig(simulcast: true, tap: true);
        var tap = new RecordingTap();
        rig.Station.AttachTap(tap);
        var sim = new SimulcastStream(rig);
        sim.Frames(0, 10, keyFrameAt: 0);
        rig.Engine.Tick(sim.Now, 0);
        sim.Frames(10, 30, keyFrameAt: 10, onlyLayer: 2);
        for (int i = 0; i < 20; i++)
            rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, (ushort)i, (uint)(i * 960)), sim.Now);
        rig.Engine.OnPublisherRtcp(
            rig.Publisher,
            Packets.SenderReport(ForwardingRig.AudioSsrc, 0x1234_5678_0000_0000, 960),
            sim.Now
        );
        rig.Engine.Tick(sim.Now + 1000, NtpTime.FromDateTime(DateTime.UtcNow));

        var video = tap.Rtp.Where(p => p.Track == TapTrack.Video).ToList();
        Assert.Equal(1100, video[^1].Size); // the high layer once its key frame came
        for (int i = 1; i < video.Count; i++)
            Assert.Equal((ushort)(video[i - 1].Seq + 1), video[i].Seq);
        Assert.Equal(20, tap.Rtp.Count(p => p.Track == TapTrack.Audio));
        Assert.Contains(tap.Reports, r => r.Track == TapTrack.Audio);
        Assert.Contains(tap.Reports, r => r.Track == TapTrack.Video);

        rig.Dispose();
        Assert.True(tap.Disposed);
    }

    [Fact]
    public void Tap_that_wants_layers_gets_every_layer_with_its_own_continuous_numbers_and_sender_reports()
    {
        using var rig = new ForwardingRig(simulcast: true, tap: true);
        var tap = new RecordingTap(wantsLayers: true);
        rig.Station.AttachTap(tap);
        var sim = new SimulcastStream(rig);
        sim.Frames(0, 10, keyFrameAt: 0);
        sim.Frames(10, 20, keyFrameAt: -1, skipLayer: 2); // the top layer pauses
        sim.Frames(20, 30, keyFrameAt: -1);
        rig.Engine.Tick(sim.Now + 1000, NtpTime.FromDateTime(DateTime.UtcNow));

        Assert.DoesNotContain(tap.Rtp, p => p.Track == TapTrack.Video);
        int[] sizes = [200, 600, 1100];
        for (int layer = 0; layer < 3; layer++)
        {
            var packets = tap.LayerRtp.Where(p => p.Layer == layer).ToList();
            Assert.Equal(layer == 2 ? 20 : 30, packets.Count);
            Assert.All(packets, p => Assert.Equal(sizes[layer], p.Size));
            Assert.Single(packets.Select(p => p.Ssrc).Distinct());
            for (int i = 1; i < packets.Count; i++)
            {
                // The paused layer's own numbers skipped the frames it did not send: a gap the tap sees as loss.
                int step = layer == 2 && i == 10 ? 11 : 1;
                Assert.Equal((ushort)(packets[i - 1].Seq + step), packets[i].Seq);
            }

            Assert.Contains(layer, tap.LayerReports);
        }

        Assert.Equal(3, tap.LayerRtp.Select(p => p.Ssrc).Distinct().Count());
    }

    [Fact]
    public void Tap_key_frame_request_asks_every_layer_the_tap_takes()
    {
        using var rig = new ForwardingRig(simulcast: true, tap: true);
        rig.Station.AttachTap(new RecordingTap(wantsLayers: true));
        var sim = new SimulcastStream(rig);
        sim.Frames(0, 3, keyFrameAt: 0);
        uint[] ssrcs = [ForwardingRig.LowSsrc, ForwardingRig.MidSsrc, ForwardingRig.HighSsrc];
        int[] before = ssrcs.Select(rig.PublisherOut.Plis).ToArray();
        rig.Station.RequestKeyFrameForTap();
        for (int i = 0; i < ssrcs.Length; i++)
            Assert.Equal(before[i] + 1, rig.PublisherOut.Plis(ssrcs[i]));
    }

    [Fact]
    public void Tap_key_frame_request_reaches_the_publisher_throttled()
    {
        using var rig = new ForwardingRig(simulcast: false, tap: true);
        var tap = new RecordingTap();
        rig.Station.AttachTap(tap);
        rig.Send(Packets.Vp8(ForwardingRig.SingleSsrc, 1, 0, keyFrame: true), rig.Engine.NowMs);
        int before = rig.PublisherOut.Plis(ForwardingRig.SingleSsrc);
        rig.Station.RequestKeyFrameForTap();
        rig.Station.RequestKeyFrameForTap();
        Assert.Equal(before + 1, rig.PublisherOut.Plis(ForwardingRig.SingleSsrc));
    }
}
