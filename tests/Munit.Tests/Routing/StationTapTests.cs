using MobZ.Munit.Tap;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Routing;

public class StationTapTests
{
    private sealed class RecordingTap : IStationTap
    {
        public List<(TapTrack Track, ushort Seq, uint Ts, int Size)> Rtp { get; } = [];
        public List<(TapTrack Track, ulong Ntp, uint Rtp)> Reports { get; } = [];
        public bool Disposed { get; private set; }

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
