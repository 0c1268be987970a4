using Microsoft.Extensions.Time.Testing;
using MobZ.Hls.Packaging;
using MobZ.Hls.Tests.Fixtures;

namespace MobZ.Hls.Tests.Packaging;

/// <summary>
/// Issue 12, the adaptive ladder from simulcast: renditions (one per layer) are <b>aligned</b>. Defined here: a
/// segment number that two renditions both have begins in each at a program date time within one frame interval of
/// the other's, so a player that switches at any segment boundary finds the next segment where the last one ended.
/// A simulcast publisher's layers do not send keyframes at the same instant on their own, and may start later than
/// the others; packaging each layer on its own (the naive ladder) breaks this, the shared boundaries keep it.
/// </summary>
public sealed class LadderAlignmentTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Where each rendition's segments begin, by segment number: the program date time of each first
    /// part.</summary>
    private static Dictionary<int, Dictionary<long, DateTimeOffset>> SegmentStarts(IEnumerable<MemoryOutput> renditions)
    {
        var starts = new Dictionary<int, Dictionary<long, DateTimeOffset>>();
        int index = 0;
        foreach (MemoryOutput output in renditions)
        {
            starts[index++] = output
                .Parts.GroupBy(p => p.Info.Segment)
                .ToDictionary(g => g.Key, g => g.First().Info.ProgramDateTime);
        }

        return starts;
    }

    /// <summary>Every pair of renditions whose segment of the same number begins more than a frame apart.</summary>
    private static List<string> AlignmentViolations(Dictionary<int, Dictionary<long, DateTimeOffset>> starts)
    {
        var violations = new List<string>();
        foreach ((int a, Dictionary<long, DateTimeOffset> aStarts) in starts)
        {
            foreach ((int b, Dictionary<long, DateTimeOffset> bStarts) in starts.Where(s => s.Key > a))
            {
                foreach ((long segment, DateTimeOffset aStart) in aStarts)
                {
                    if (
                        bStarts.TryGetValue(segment, out DateTimeOffset bStart)
                        && (aStart - bStart).Duration() > SimulcastPublisher.FrameInterval
                    )
                    {
                        violations.Add($"segment {segment}: rendition {a} at {aStart:ss.fff}, {b} at {bStart:ss.fff}");
                    }
                }
            }
        }

        return violations;
    }

    private static SimulcastPublisher Publisher(FakeTimeProvider time)
    {
        var publisher = new SimulcastPublisher(time);
        publisher.Starts(2, atFrame: 20); // the top layer starts two thirds of a second after the others
        return publisher;
    }

    [Fact]
    public async Task Segments_of_the_same_number_begin_within_a_frame_in_every_rendition()
    {
        var time = new FakeTimeProvider(Start);
        var output = new MemoryLadderOutput();
        var publisher = Publisher(time);
        await using (var ladder = new HlsLadder("ladder", output, new HlsOptions(), time: time))
        {
            ladder.KeyframeNeeded += publisher.RequestKeyframe;
            publisher.Send(ladder, 30 * 20);
        }

        var starts = SegmentStarts(output.Renditions);
        Assert.Equal(3, starts.Count);
        Assert.Empty(AlignmentViolations(starts));
        // Every rendition has (nearly) every segment: the boundaries are shared, not each rendition's own.
        // 20 s in segments of 1.8–2.2 s (cut at the keyframe asked for a part before the target), the last one open.
        long segments = starts[0].Count;
        Assert.InRange(segments, 9, 12);
        Assert.All(starts.Values, s => Assert.InRange(s.Count, segments - 1, segments));
        Assert.Equal(starts[0].Keys.Max(), starts[2].Keys.Max());
        // Keyframe-aligned: a segment begins with a keyframe in every rendition (the request reaches every layer).
        foreach (MemoryOutput rendition in output.Renditions)
        {
            Assert.All(rendition.Parts.GroupBy(p => p.Info.Segment), g =>
                Assert.True(g.First().Info.Independent, $"segment {g.Key} begins without a keyframe")
            );
        }
    }

    [Fact]
    public async Task Layers_packaged_each_on_its_own_are_not_aligned()
    {
        // The same publisher through three independent packagers: what the alignment check exists to catch.
        var time = new FakeTimeProvider(Start);
        var output = new MemoryLadderOutput();
        var publisher = Publisher(time);
        var packagers = Enumerable
            .Range(0, 3)
            .Select(i => new HlsPackager("naive", output.Rendition(i), new HlsOptions(), time: time))
            .ToArray();
        foreach (HlsPackager p in packagers)
        {
            p.KeyframeNeeded += publisher.RequestKeyframe;
        }

        publisher.Send(packagers, 30 * 20);
        foreach (HlsPackager p in packagers)
        {
            await p.DisposeAsync();
        }

        Assert.NotEmpty(AlignmentViolations(SegmentStarts(output.Renditions)));
    }

    [Fact]
    public async Task A_layer_that_stops_and_resumes_rejoins_the_shared_boundaries()
    {
        var time = new FakeTimeProvider(Start);
        var output = new MemoryLadderOutput();
        var publisher = new SimulcastPublisher(time);
        publisher.Pauses(2, fromFrame: 150, toFrame: 330); // the top layer is off from 5 s to 11 s
        await using (var ladder = new HlsLadder("ladder", output, new HlsOptions(), time: time))
        {
            ladder.KeyframeNeeded += publisher.RequestKeyframe;
            publisher.Send(ladder, 30 * 20);
        }

        var starts = SegmentStarts(output.Renditions);
        Assert.Empty(AlignmentViolations(starts));
        // It has segments before and after the pause, none of the segments the others made while it was off.
        DateTimeOffset pauseStart = Start + (150 * SimulcastPublisher.FrameInterval);
        DateTimeOffset pauseEnd = Start + (330 * SimulcastPublisher.FrameInterval);
        Assert.Contains(starts[2].Values, s => s < pauseStart);
        Assert.Contains(starts[2].Values, s => s >= pauseEnd);
        Assert.DoesNotContain(starts[2].Values, s => s > pauseStart && s < pauseEnd - SimulcastPublisher.FrameInterval);
        long resumed = starts[2].Where(s => s.Value >= pauseEnd).Min(s => s.Key);
        Assert.True(starts[0].ContainsKey(resumed - 1), "the others went on numbering while it was off");
        Assert.Equal(starts[0].Keys.Max(), starts[2].Keys.Max());
    }

    /// <summary>
    /// Issue 12, the hole policy in a ladder: a hole in one layer (frames lost, or the layer paused for a moment)
    /// begins that rendition's next segment with EXT-X-DISCONTINUITY, and every variant stream must present the same
    /// discontinuities (rfc8216bis §6.2.4): before, only the rendition with the hole had it, so renditions disagreed on
    /// the discontinuity sequence from there on.
    /// </summary>
    [Fact]
    public async Task A_hole_in_one_layer_begins_the_same_segment_discontinuous_in_every_rendition()
    {
        var time = new FakeTimeProvider(Start);
        var output = new MemoryLadderOutput();
        var publisher = new SimulcastPublisher(time);
        publisher.Pauses(1, fromFrame: 200, toFrame: 212); // 400 ms without the middle layer: two parts' worth
        await using (var ladder = new HlsLadder("ladder", output, new HlsOptions(), time: time))
        {
            ladder.KeyframeNeeded += publisher.RequestKeyframe;
            publisher.Send(ladder, 30 * 20);
        }

        var renditions = output.Renditions.ToList();
        var discontinuous = renditions
            .Select(r => r.Parts.Where(p => p.Info.Discontinuity).Select(p => p.Info.Segment).Distinct().ToList())
            .ToList();
        Assert.Single(discontinuous[1]);
        Assert.All(discontinuous, d => Assert.Equal(discontinuous[1], d));
        Assert.Empty(AlignmentViolations(SegmentStarts(renditions)));
        // A player may start decoding afresh at a discontinuity: the segment begins with a keyframe everywhere.
        Assert.All(renditions, r =>
            Assert.True(r.Parts.First(p => p.Info.Segment == discontinuous[1][0]).Info.Independent)
        );
    }
}
