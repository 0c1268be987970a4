using MobZ.Hls.Tests.Fixtures;

namespace MobZ.Hls.Tests.Packaging;

/// <summary>A publisher without simulcast goes through a ladder of one rendition (the tap always makes a ladder):
/// what it packages must be exactly what a lone packager makes, part for part.</summary>
[Collection(CapturedStreamCollection.Name)]
public sealed class LadderSingleRenditionTests(CapturedStreamFixture capture)
{
    [Fact]
    public async Task A_ladder_of_one_rendition_packages_exactly_as_a_lone_packager()
    {
        var (alone, _, _) = await PackagerRun.RunAsync(capture.Packets);

        var output = new MemoryLadderOutput();
        await using (var ladder = new HlsLadder("test", output, new HlsOptions()))
        {
            foreach (CapturedPacket packet in capture.Packets)
            {
                if (packet.IsRtcp && FfmpegRtpCapture.TryReadSenderReport(packet.Data, out ulong ntp, out uint rtp))
                {
                    ladder.OnSenderReport(packet.Track, 0, ntp, rtp);
                }
                else if (!packet.IsRtcp && packet.Track == HlsTrack.Video)
                {
                    ladder.OnVideoRtp(0, packet.Data);
                }
                else if (!packet.IsRtcp)
                {
                    ladder.OnAudioRtp(packet.Data);
                }
            }
        }

        MemoryOutput laddered = Assert.Single(output.Renditions);
        Assert.True(output.Ended);
        Assert.Equal(alone.Inits.Select(i => i.Data), laddered.Inits.Select(i => i.Data));
        Assert.Equal(alone.SegmentsEnded, laddered.SegmentsEnded);
        Assert.Equal(alone.Parts.Count, laddered.Parts.Count);
        DateTimeOffset aloneStart = alone.Parts[0].Info.ProgramDateTime;
        DateTimeOffset ladderStart = laddered.Parts[0].Info.ProgramDateTime;
        for (int i = 0; i < alone.Parts.Count; i++)
        {
            MemoryOutput.Part a = alone.Parts[i];
            MemoryOutput.Part b = laddered.Parts[i];
            Assert.Equal(a.Info with { ProgramDateTime = default }, b.Info with { ProgramDateTime = default });
            Assert.Equal(a.Info.ProgramDateTime - aloneStart, b.Info.ProgramDateTime - ladderStart);
            Assert.Equal(a.Segment, b.Segment);
            Assert.Equal(a.Data, b.Data);
        }
    }
}
