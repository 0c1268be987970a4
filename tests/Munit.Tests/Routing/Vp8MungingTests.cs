using MobZ.Rtc.Codecs;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Routing;

/// <summary>What a viewer's VP8 decoder sees of PictureID and TL0PICIDX while the Munit switches its layer.</summary>
public class Vp8MungingTests
{
    private const uint VideoSsrc = 0xBEEF01,
        AudioSsrc = 0xBEEF02,
        RtxSsrc = 0xBEEF03;

    /// <summary>Low → high (whose PictureID wraps at 32768 meanwhile) → low, one picture per packet.</summary>
    private static SimulcastStream SwitchUpAndDown(ForwardingRig rig)
    {
        var sim = new SimulcastStream(rig, pictureIds: true);
        sim.Frames(0, 10, keyFrameAt: 0);
        rig.Engine.Tick(sim.Now, 0);
        sim.Frames(10, 20, keyFrameAt: 10, onlyLayer: 2);
        rig.Station.SetPreferredLayer("a", 0);
        rig.Engine.Tick(sim.Now, 0);
        sim.Frames(20, 40, keyFrameAt: 25, onlyLayer: 0);
        return sim;
    }

    private static List<(ushort Seq, int Layer, int PictureId, int Tl0, byte[] Payload)> Video(
        RecordingOutput output,
        uint ssrc = VideoSsrc
    ) =>
        output
            .Packets(ssrc)
            .Select(p =>
            {
                Assert.True(Vp8PayloadDescriptor.TryRead(p.Payload, out var d));
                Assert.True(d.HasPictureId && d.HasLongPictureId && d.HasTl0PicIdx);
                int layer = p.Payload.Length switch
                {
                    200 => 0,
                    600 => 1,
                    _ => 2,
                };
                return (p.Seq, layer, d.PictureId, (int)d.Tl0PicIdx, p.Payload);
            })
            .ToList();

    [Fact]
    public void PictureID_and_TL0PICIDX_go_up_by_one_across_every_layer_switch()
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (_, a) = rig.AddViewer("a", AudioSsrc, VideoSsrc);
        SwitchUpAndDown(rig);

        var video = Video(a);
        Assert.Contains(video, p => p.Layer == 2);
        Assert.Equal(0, video[^1].Layer); // it did come back down
        int switches = 0;
        for (int i = 1; i < video.Count; i++)
        {
            if (video[i].Layer != video[i - 1].Layer)
                switches++;
            Assert.Equal((video[i - 1].PictureId + 1) & 0x7FFF, video[i].PictureId);
            Assert.Equal((video[i - 1].Tl0 + 1) & 0xFF, video[i].Tl0);
        }
        Assert.True(switches >= 2, $"{switches} switches");
    }

    [Fact]
    public void Two_viewers_on_different_layers_each_get_their_own_continuous_numbering()
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (_, a) = rig.AddViewer("a", AudioSsrc, VideoSsrc);
        var (_, b) = rig.AddViewer("b", 0xCAFE02, 0xCAFE01);
        SwitchUpAndDown(rig);

        var forA = Video(a, VideoSsrc);
        var forB = Video(b, 0xCAFE01);
        Assert.Equal(0, forA[^1].Layer);
        Assert.Equal(2, forB[^1].Layer); // b stayed on the high layer
        foreach (var video in new[] { forA, forB })
        {
            for (int i = 1; i < video.Count; i++)
                Assert.Equal((video[i - 1].PictureId + 1) & 0x7FFF, video[i].PictureId);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_retransmission_carries_the_munged_numbers_the_original_carried(bool rtx)
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (viewer, a) = rig.AddViewer("a", AudioSsrc, VideoSsrc, rtx ? RtxSsrc : 0);
        var sim = SwitchUpAndDown(rig);
        var video = Video(a);
        var lost = video.Where(p => p.Layer == 2).Skip(2).First(); // munged, not the source's own numbers
        var lostAfterSwitchBack = video[^3];
        a.Rtp.Clear();

        rig.Engine.OnSubscriberRtcp(viewer, Packets.Nack(1, VideoSsrc, lost.Seq, lostAfterSwitchBack.Seq), sim.Now, 0);

        var again = a
            .Rtp.Select(p =>
            {
                Assert.True(RtpPacket.TryRead(p, out var r));
                return rtx ? r.Payload[2..].ToArray() : r.Payload.ToArray();
            })
            .ToList();
        Assert.Equal(2, again.Count);
        Assert.Equal(lost.Payload, again[0]);
        Assert.Equal(lostAfterSwitchBack.Payload, again[1]);
    }
}
