using Microsoft.Extensions.Time.Testing;
using MobZ.Hls.Tests.Fixtures;

namespace MobZ.Hls.Tests.Packaging;

/// <summary>
/// Issue 12, the throttled viewer: a keyframe costs several times a delta frame, on every layer, so the packager asks
/// for one keyframe per segment and cuts the segment at it. Before, the per-segment request went out 400 ms before the
/// segment target and an answer arriving before target − 100 ms was too early to cut at: a publisher that answers
/// promptly (Chromium on a short path) sent a second keyframe for every segment, and a viewer on a narrow link had two
/// oversized parts per segment to fetch (each took a second at 260 kbit/s in HlsAbrThrottleInteropTests).
/// </summary>
public sealed class KeyframeCostTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 4)]
    public async Task A_publisher_that_answers_keyframe_requests_at_once_sends_one_keyframe_per_segment(
        int layers,
        int answerFrames
    )
    {
        var time = new FakeTimeProvider(Start);
        var output = new MemoryLadderOutput();
        // Keyframes only when asked (and at the start), answered that many frames after the request.
        var publisher = new SimulcastPublisher(time, layers, ownKeyframes: 0, answerFrames);
        await using (var ladder = new HlsLadder("ladder", output, new HlsOptions(), time: time))
        {
            ladder.KeyframeNeeded += publisher.RequestKeyframe;
            publisher.Send(ladder, 30 * SimulcastPublisher.Fps);
        }

        var rendition = output.Renditions.First();
        var segments = rendition.Parts.GroupBy(p => p.Info.Segment).ToList();
        Assert.All(segments, g => Assert.True(g.First().Info.Independent, $"segment {g.Key} begins with a keyframe"));
        // Every keyframe asked for begins a segment: none is spent on a frame in the middle of one.
        Assert.InRange(publisher.KeyframesOnRequest, segments.Count - 1, segments.Count + 1);
        // And the segments are still about the target long.
        double seconds = segments.Take(segments.Count - 1).Average(g => g.Sum(p => p.Info.Duration.TotalSeconds));
        Assert.InRange(seconds, 1.7, 2.3);
    }
}
