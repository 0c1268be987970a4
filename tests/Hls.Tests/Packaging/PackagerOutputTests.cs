using System.Buffers.Binary;
using MobZ.Hls.Tests.Fixtures;

namespace MobZ.Hls.Tests.Packaging;

[Collection(CapturedStreamCollection.Name)]
public sealed class PackagerOutputTests(CapturedStreamFixture capture)
{
    [Fact]
    public async Task ffprobe_reads_init_plus_fragments_as_H264_and_Opus_with_the_source_size_and_duration()
    {
        var (output, _, _) = await PackagerRun.RunAsync(capture.Packets);

        Assert.Single(output.Inits);
        Ffprobe.Report report = await Ffprobe.ProbeAsync(output.File());

        Assert.Equal("", report.Errors);
        Ffprobe.Stream video = Assert.Single(report.Streams, s => s.CodecType == "video");
        Ffprobe.Stream audio = Assert.Single(report.Streams, s => s.CodecType == "audio");
        Assert.Equal("h264", video.CodecName);
        Assert.Equal((320, 240), (video.Width, video.Height));
        Assert.Equal("opus", audio.CodecName);
        Assert.InRange(report.Duration, 3.6, 4.3);
    }

    [Fact]
    public async Task Own_box_checker_finds_no_problem_and_every_video_frame_is_present()
    {
        var (output, packager, _) = await PackagerRun.RunAsync(capture.Packets);

        Mp4Checker.Result result = Mp4Checker.Check(output.File());

        Assert.True(result.Problems.Count == 0, result.ToString());
        Assert.Equal(output.Parts.Count, result.Fragments);
        Assert.Equal(0, packager.Stats.DroppedAccessUnits);
        Assert.InRange(result.VideoSamples, 118, 120); // 4 s at 30 fps
        Assert.Equal(4, result.SyncSamples); // one keyframe a second
        Assert.InRange(result.AudioDuration / 48000.0, 3.5, 4.1);
    }

    [Fact]
    public async Task Parts_never_exceed_part_target_and_only_last_or_independent_parts_are_shorter_than_85_percent()
    {
        var options = new HlsOptions();
        var (output, _, _) = await PackagerRun.RunAsync(capture.Packets, options);
        double target = options.PartTarget.TotalSeconds;

        foreach (var segment in output.Segments)
        {
            var parts = segment.ToList();
            for (int i = 0; i < parts.Count; i++)
            {
                double duration = parts[i].Info.Duration.TotalSeconds;
                Assert.True(duration <= target + 1e-9, $"part {segment.Key}.{i} lasts {duration}");
                bool exempt = i == parts.Count - 1 || parts[i].Info.Independent;
                Assert.True(exempt || duration >= 0.85 * target, $"part {segment.Key}.{i} lasts only {duration}");
            }
        }
    }

    [Fact]
    public async Task Jittery_frame_timestamps_still_give_parts_between_85_and_100_percent_of_the_target()
    {
        // Capture-clock timestamps as Chrome sends them: each frame up to ±4 ms off the 30 fps grid.
        var random = new Random(5);
        var jitter = new Dictionary<uint, uint>();
        var jittery = capture
            .Packets.Select(p =>
            {
                if (!RtpEdit.IsVideoRtp(p))
                {
                    return p.IsRtcp && p.Track == HlsTrack.Video ? null : p;
                }

                uint ts = RtpEdit.Timestamp(p.Data);
                if (!jitter.TryGetValue(ts, out uint moved))
                {
                    jitter[ts] = moved = unchecked(ts + (uint)random.Next(-360, 361));
                }

                return p with
                {
                    Data = RtpEdit.WithTimestamp(p.Data, moved),
                };
            })
            .OfType<CapturedPacket>()
            .ToList();
        var options = new HlsOptions();

        var (output, _, _) = await PackagerRun.RunAsync(jittery, options);

        double target = options.PartTarget.TotalSeconds;
        foreach (var segment in output.Segments)
        {
            var parts = segment.ToList();
            for (int i = 0; i < parts.Count; i++)
            {
                double duration = parts[i].Info.Duration.TotalSeconds;
                Assert.True(duration <= target + 1e-9, $"part {segment.Key}.{i} lasts {duration}");
                Assert.True(
                    i == parts.Count - 1 || duration >= 0.85 * target,
                    $"part {segment.Key}.{i} lasts only {duration}"
                );
            }
        }

        Mp4Checker.Result check = Mp4Checker.Check(output.File());
        Assert.True(check.Problems.Count == 0, check.ToString());
        Assert.Equal("", (await Ffprobe.ProbeAsync(output.File())).Errors);
    }

    [Fact]
    public async Task Part_is_independent_exactly_when_its_first_frame_is_an_IDR_and_segments_start_with_one()
    {
        var (output, _, _) = await PackagerRun.RunAsync(capture.Packets);

        foreach (MemoryOutput.Part part in output.Parts)
        {
            var fragment = new MemoryStream();
            fragment.Write(output.Inits[0].Data);
            fragment.Write(part.Data);
            Assert.Equal(FirstVideoSampleIsSync(part.Data), part.Info.Independent);
        }

        Assert.All(output.Segments, s => Assert.True(s.First().Info.Independent));
        // Keyframes every second, segment target 2 s: segments of two seconds.
        Assert.All(output.Segments.SkipLast(1), s =>
            Assert.InRange(s.Sum(p => p.Info.Duration.TotalSeconds), 1.9, 2.1)
        );
    }

    [Fact]
    public async Task Codec_string_comes_from_the_SPS_profile_constraints_and_level()
    {
        var (output, _, _) = await PackagerRun.RunAsync(capture.Packets);

        byte[] init = output.Inits[0].Data;
        int avcC = init.AsSpan().IndexOf("avcC"u8) + 4;
        string expected = $"avc1.{init[avcC + 1]:x2}{init[avcC + 2]:x2}{init[avcC + 3]:x2}";
        Assert.Equal(expected, output.Inits[0].Info.VideoCodec);
        Assert.StartsWith("avc1.42", expected); // baseline
        Assert.Equal((320, 240), (output.Inits[0].Info.Width, output.Inits[0].Info.Height));
    }

    [Fact]
    public async Task Program_date_time_of_parts_advances_with_their_durations()
    {
        var (output, _, _) = await PackagerRun.RunAsync(capture.Packets);

        for (int i = 1; i < output.Parts.Count; i++)
        {
            TimeSpan gap = output.Parts[i].Info.ProgramDateTime - output.Parts[i - 1].Info.ProgramDateTime;
            Assert.Equal(output.Parts[i - 1].Info.Duration.TotalMilliseconds, gap.TotalMilliseconds, 1.0);
        }

        // ffmpeg's sender reports carry the wall clock: the first part is stamped about now.
        Assert.InRange((DateTimeOffset.UtcNow - output.Parts[0].Info.ProgramDateTime).TotalSeconds, 0, 120);
    }

    /// <summary>Reads the first video trun's first sample flags straight from the bytes.</summary>
    private static bool FirstVideoSampleIsSync(byte[] fragment)
    {
        int trun = fragment.AsSpan().IndexOf("trun"u8) - 4;
        uint flags = BinaryPrimitives.ReadUInt32BigEndian(fragment.AsSpan(trun + 8)) & 0xFFFFFF;
        int p = trun + 16 + ((flags & 1) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 4 : 0);
        p += (flags & 0x100) != 0 ? 4 : 0;
        p += (flags & 0x200) != 0 ? 4 : 0;
        uint sampleFlags = BinaryPrimitives.ReadUInt32BigEndian(fragment.AsSpan(p));
        return (sampleFlags & 0x00010000) == 0;
    }
}
