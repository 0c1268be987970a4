using MobZ.Hls.Timing;

namespace MobZ.Hls.Tests.Timing;

public sealed class RtpTimelineTests
{
    [Theory]
    [InlineData(0u, 3000u, 3000L)]
    [InlineData(0xFFFF_F000u, 0x0000_0BB8u, 0x1000L + 3000)] // across the 32-bit wrap
    [InlineData(0x7FFF_FFFFu, 0x8000_0BB7u, 3000L)]
    public void ConsecutiveTimestampsAdvanceByTheirDifference(uint first, uint second, long expected)
    {
        var timeline = new RtpTimeline(90000, TimeSpan.FromSeconds(10));
        timeline.Start(first, 0);

        Assert.Equal(expected, timeline.Map(second, 3000));
        Assert.Equal(0, timeline.Rebases);
    }

    [Fact]
    public void Runs_on_across_many_wraps()
    {
        var timeline = new RtpTimeline(90000, TimeSpan.FromSeconds(10));
        uint ts = 0xFFFF_0000;
        timeline.Start(ts, 0);
        long dts = 0;
        for (int i = 0; i < 3 * 1_500_000; i++) // ~3 wraps at 3000 a step
        {
            ts = unchecked(ts + 3000);
            dts = timeline.Map(ts, 3000);
        }

        Assert.Equal(3L * 1_500_000 * 3000, dts);
    }

    [Theory]
    [InlineData(-3000)] // backwards
    [InlineData(0)] // repeated
    [InlineData(90000 * 11)] // more than the allowed forward jump
    [InlineData(int.MinValue)]
    public void AJumpContinuesOneStepAfterThePreviousSample(int jump)
    {
        var timeline = new RtpTimeline(90000, TimeSpan.FromSeconds(10));
        timeline.Start(1000, 0);
        Assert.Equal(3000, timeline.Map(4000, 3000));

        long afterJump = timeline.Map(unchecked((uint)(4000 + jump)), 3000);
        Assert.Equal(6000, afterJump);
        Assert.Equal(1, timeline.Rebases);
        // ...and from there it follows the new timestamps.
        Assert.Equal(9000, timeline.Map(unchecked((uint)(4000 + jump + 3000)), 3000));
    }

    [Fact]
    public void Sender_reports_place_two_clocks_on_one_wall_clock()
    {
        var video = new SenderReportClock(90000);
        var audio = new SenderReportClock(48000);
        DateTime wall = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
        video.Update(SenderReportClock.FromDateTime(wall), 1_000_000);
        audio.Update(SenderReportClock.FromDateTime(wall.AddMilliseconds(500)), 7_000);

        Assert.True(video.TryGetWallClock(1_000_000 + 90000, out DateTime videoAt));
        Assert.True(audio.TryGetRtpTimestamp(videoAt, out uint audioTs));

        Assert.Equal(wall.AddSeconds(1), videoAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal(7_000u + 24_000u, audioTs); // half a second after its report
    }
}
