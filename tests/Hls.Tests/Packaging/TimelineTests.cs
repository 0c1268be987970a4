using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Hls.Serving.Storage;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State.InProcess;

namespace MobZ.Hls.Tests.Packaging;

/// <summary>
/// Issue 12 (3) and (5): what a player sees of the timeline. Inside a segment the video decode times run on
/// without a hole; a hole (frames lost upstream) is where a segment ends and the next one starts with
/// EXT-X-DISCONTINUITY; PROGRAM-DATE-TIME advances by EXTINF between segments that are not discontinuous;
/// and parts other than a segment's last are 85–100 % of PART-TARGET, at 15 fps as at 30.
/// </summary>
[Collection(CapturedStreamCollection.Name)]
public sealed class TimelineTests(CapturedStreamFixture capture)
{
    private sealed record Packaged(PlaylistDocument Doc, byte[] Init, Dictionary<(long Msn, int Part), byte[]> Parts);

    /// <summary>The packager's output through the real store writer, read back as a server would.</summary>
    private static async Task<Packaged> PackageAsync(IEnumerable<CapturedPacket> packets, HlsOptions options)
    {
        await using var backend = new InProcessBackend(NullLoggerFactory.Instance);
        var writer = new HlsStreamWriter("timeline", backend.Store, backend.Bus, options, NullLogger.Instance);
        var packager = new HlsPackager("timeline", writer, options);
        FfmpegRtpCapture.Replay(packets, packager);
        await packager.DisposeAsync();

        var keys = new HlsKeys(HlsServingOptions.DefaultKeyPrefix);
        PlaylistDocument doc = JsonSerializer.Deserialize(
            (await backend.Store.GetAsync(keys.Playlist("timeline")))!,
            HlsJsonContext.Default.PlaylistDocument
        )!;
        Assert.Single(doc.Segments.Select(s => s.Session).Distinct());
        byte[] init = (await backend.Store.GetAsync(keys.Init("timeline", doc.Segments[0].Session)))!;
        var parts = new Dictionary<(long, int), byte[]>();
        foreach (SegmentRecord segment in doc.Segments)
        {
            Assert.NotNull(segment.Parts);
            for (int p = 0; p < segment.Parts.Count; p++)
            {
                parts[(segment.Msn, p)] = (
                    await backend.Store.GetAsync(keys.Part("timeline", segment.Session, segment.Msn, p))
                )!;
            }
        }

        return new Packaged(doc, init, parts);
    }

    private static void AssertNoHiddenHole(Packaged packaged)
    {
        ulong? previousEnd = null;
        SegmentRecord? previous = null;
        foreach (SegmentRecord segment in packaged.Doc.Segments)
        {
            if (previous is not null && !segment.Discontinuity)
            {
                double pdtStep = (segment.ProgramDateTime - previous.ProgramDateTime).TotalSeconds;
                Assert.True(
                    Math.Abs(pdtStep - previous.Duration) < 0.002,
                    $"segment {segment.Msn}: PROGRAM-DATE-TIME moved {pdtStep:F3} s after an EXTINF of {previous.Duration:F3} s, with no discontinuity"
                );
            }

            for (int p = 0; p < segment.Parts!.Count; p++)
            {
                Mp4Checker.Result check = Mp4Checker.Check([.. packaged.Init, .. packaged.Parts[(segment.Msn, p)]]);
                Assert.True(check.Problems.Count == 0, check.ToString());
                ulong start = check.VideoBaseTimes[0];
                if (previousEnd is ulong end && !(p == 0 && segment.Discontinuity))
                {
                    Assert.True(
                        start == end,
                        $"part {segment.Msn}.{p}: video starts at {start}, {(long)start - (long)end} ticks after the previous part ended, with no discontinuity"
                    );
                }

                Assert.Equal(segment.Parts[p].Duration, check.VideoDuration / 90000.0, 4);
                previousEnd = start + (ulong)check.VideoDuration;
            }

            previous = segment;
        }
    }

    [Fact]
    public async Task Frames_lost_upstream_end_the_segment_and_the_next_starts_with_a_discontinuity()
    {
        // Every video packet of frames 40 to 44 (1.33 s in, mid-GOP): the packager drops up to the keyframe at 2 s.
        var timestamps = capture
            .Packets.Where(RtpEdit.IsVideoRtp)
            .Select(p => RtpEdit.Timestamp(p.Data))
            .Distinct()
            .ToList();
        var lost = timestamps.Skip(40).Take(5).ToHashSet();
        var lossy = capture
            .Packets.Where(p => !(RtpEdit.IsVideoRtp(p) && lost.Contains(RtpEdit.Timestamp(p.Data))))
            .ToList();

        Packaged packaged = await PackageAsync(lossy, new HlsOptions { PlaylistSegments = 50 });

        AssertNoHiddenHole(packaged);
        Assert.Contains(packaged.Doc.Segments.Skip(1), s => s.Discontinuity);
    }

    [Fact]
    public async Task After_a_pause_mid_GOP_the_discontinuous_segment_starts_with_a_keyframe()
    {
        // The sender sends no video for 300 ms (frames 40 to 48, mid-GOP), with no sequence number missing: nothing
        // is lost, but the frames are further apart than a part. The segment after the hole is discontinuous, and a
        // player may start decoding afresh there (VHS resets its transmuxer), so it must not start with a P-frame.
        var timestamps = capture
            .Packets.Where(RtpEdit.IsVideoRtp)
            .Select(p => RtpEdit.Timestamp(p.Data))
            .Distinct()
            .ToList();
        var paused = timestamps.Skip(40).Take(9).ToHashSet();
        ushort removed = 0;
        var pausing = new List<CapturedPacket>();
        foreach (CapturedPacket p in capture.Packets)
        {
            if (RtpEdit.IsVideoRtp(p) && paused.Contains(RtpEdit.Timestamp(p.Data)))
            {
                removed++;
            }
            else
            {
                pausing.Add(
                    RtpEdit.IsVideoRtp(p)
                        ? p with
                        {
                            Data = RtpEdit.WithSequence(p.Data, (ushort)(RtpEdit.Sequence(p.Data) - removed)),
                        }
                        : p
                );
            }
        }

        Packaged packaged = await PackageAsync(pausing, new HlsOptions { PlaylistSegments = 50 });

        AssertNoHiddenHole(packaged);
        SegmentRecord[] discontinuous = [.. packaged.Doc.Segments.Skip(1).Where(s => s.Discontinuity)];
        Assert.NotEmpty(discontinuous);
        Assert.All(discontinuous, s =>
            Assert.True(s.Parts![0].Independent, $"segment {s.Msn} follows a hole and starts without a keyframe")
        );
    }

    [Fact]
    public async Task A_stream_without_loss_has_no_discontinuity()
    {
        Packaged packaged = await PackageAsync(capture.Packets, new HlsOptions { PlaylistSegments = 50 });

        AssertNoHiddenHole(packaged);
        Assert.DoesNotContain(packaged.Doc.Segments, s => s.Discontinuity);
    }

    [Fact]
    public async Task At_fifteen_frames_a_second_with_capture_jitter_parts_are_85_to_100_percent_of_the_target()
    {
        IReadOnlyList<CapturedPacket> fifteen = await FfmpegRtpCapture.CaptureAsync(6, fps: 15, gop: 15);
        // Capture-clock timestamps as Chrome sends them: each frame up to ±8 ms off the 15 fps grid.
        var random = new Random(15);
        var jitter = new Dictionary<uint, uint>();
        var jittery = fifteen
            .Select(p =>
            {
                if (!RtpEdit.IsVideoRtp(p))
                {
                    return p;
                }

                uint ts = RtpEdit.Timestamp(p.Data);
                if (!jitter.TryGetValue(ts, out uint moved))
                {
                    jitter[ts] = moved = unchecked(ts + (uint)random.Next(-720, 721));
                }

                return p with
                {
                    Data = RtpEdit.WithTimestamp(p.Data, moved),
                };
            })
            .ToList();
        var options = new HlsOptions { PlaylistSegments = 50 };

        Packaged packaged = await PackageAsync(jittery, options);

        double target = options.PartTarget.TotalSeconds;
        var shortParts = new List<string>();
        foreach (SegmentRecord segment in packaged.Doc.Segments)
        {
            for (int p = 0; p < segment.Parts!.Count; p++)
            {
                double duration = segment.Parts[p].Duration;
                Assert.True(duration <= target + 1e-9, $"part {segment.Msn}.{p} lasts {duration}");
                if (p < segment.Parts.Count - 1 && duration < 0.85 * target)
                {
                    shortParts.Add($"{segment.Msn}.{p} ({duration:F3} s)");
                }
            }
        }

        Assert.True(shortParts.Count == 0, $"parts under 85 % of PART-TARGET: {string.Join(", ", shortParts)}");
        AssertNoHiddenHole(packaged);
    }
}
