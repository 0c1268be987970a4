using MobZ.Hls.Tests.Fixtures;

namespace MobZ.Hls.Tests.Packaging;

/// <summary>Whatever the network or the publisher does, the files stay well-formed and decodable.</summary>
[Collection(CapturedStreamCollection.Name)]
public sealed class BadInputTests(CapturedStreamFixture capture)
{
    private static async Task AssertValidAndDecodableAsync(MemoryOutput output)
    {
        for (int session = 0; session < output.Inits.Count; session++)
        {
            byte[] file = output.File(session);
            Mp4Checker.Result check = Mp4Checker.Check(file);
            Assert.True(check.Problems.Count == 0, check.ToString());
            Ffprobe.Report report = await Ffprobe.ProbeAsync(file);
            Assert.Equal("", report.Errors);
            Assert.Contains(report.Streams, s => s.CodecName == "h264");
        }
    }

    [Fact]
    public async Task Lost_packets_drop_frames_until_the_next_keyframe_and_ask_for_one()
    {
        int index = 0;
        var lossy = capture.Packets.Where(p => !(RtpEdit.IsVideoRtp(p) && ++index % 23 == 0)).ToList();

        var (output, packager, requests) = await PackagerRun.RunAsync(lossy);

        Assert.True(packager.Stats.DroppedAccessUnits > 0);
        Assert.True(requests > 0);
        Assert.NotEmpty(output.Parts);
        await AssertValidAndDecodableAsync(output);
    }

    [Fact]
    public async Task Reordered_packets_never_produce_a_half_frame()
    {
        var reordered = capture.Packets.ToList();
        var video = Enumerable.Range(0, reordered.Count).Where(i => RtpEdit.IsVideoRtp(reordered[i])).ToList();
        for (int k = 5; k + 1 < video.Count; k += 17)
        {
            (reordered[video[k]], reordered[video[k + 1]]) = (reordered[video[k + 1]], reordered[video[k]]);
        }

        var (output, packager, _) = await PackagerRun.RunAsync(reordered);

        Assert.True(packager.Stats.DroppedAccessUnits > 0);
        await AssertValidAndDecodableAsync(output);
    }

    [Fact]
    public async Task Without_an_SPS_nothing_is_written_and_keyframes_are_requested()
    {
        var noSps = RtpEdit.Resequence(
            capture.Packets.Where(p => !RtpEdit.IsVideoRtp(p) || !RtpEdit.NalTypes(p.Data).Contains(7))
        );

        var (output, packager, requests) = await PackagerRun.RunAsync(noSps);

        Assert.Empty(output.Inits);
        Assert.Empty(output.Parts);
        Assert.True(packager.Stats.MissingParameterSets > 0);
        Assert.True(requests > 0);
    }

    [Fact]
    public async Task A_publisher_that_never_sends_a_keyframe_gets_throttled_requests_and_no_output()
    {
        var noIdr = RtpEdit.Resequence(
            capture.Packets.Where(p => !RtpEdit.IsVideoRtp(p) || !RtpEdit.NalTypes(p.Data).Contains(5))
        );
        var options = new HlsOptions { KeyframeRequestInterval = TimeSpan.FromHours(1) };

        var (output, _, requests) = await PackagerRun.RunAsync(noIdr, options);

        Assert.Empty(output.Parts);
        Assert.Equal(1, requests); // the replay is instant: one request, then the interval holds the rest back
    }

    [Fact]
    public async Task Timestamp_jumps_keep_decode_times_monotonic_and_the_duration_real()
    {
        int videoIndex = 0;
        int audioIndex = 0;
        var jumpy = capture
            .Packets.Select(p =>
            {
                if (RtpEdit.IsVideoRtp(p) && ++videoIndex > 200)
                {
                    return p with
                    {
                        Data = RtpEdit.WithTimestamp(p.Data, unchecked(RtpEdit.Timestamp(p.Data) + 0x4000_0000u)),
                    };
                }

                if (RtpEdit.IsAudioRtp(p) && ++audioIndex > 100)
                {
                    return p with
                    {
                        Data = RtpEdit.WithTimestamp(p.Data, unchecked(RtpEdit.Timestamp(p.Data) - (5 * 48000u))),
                    };
                }

                return p;
            })
            .ToList();

        var (output, _, _) = await PackagerRun.RunAsync(jumpy);

        await AssertValidAndDecodableAsync(output);
        Mp4Checker.Result check = Mp4Checker.Check(output.File());
        Assert.InRange(check.VideoDuration / 90000.0, 3.6, 4.2);
        Assert.InRange(check.AudioDuration / 48000.0, 3.3, 4.2);
    }

    [Fact]
    public async Task Timestamps_wrapping_past_32_bits_mid_stream_change_nothing()
    {
        uint firstVideo = RtpEdit.Timestamp(capture.Packets.First(RtpEdit.IsVideoRtp).Data);
        uint firstAudio = RtpEdit.Timestamp(capture.Packets.First(RtpEdit.IsAudioRtp).Data);
        uint videoShift = unchecked(0u - firstVideo - (2 * 90000u)); // wraps two seconds in
        uint audioShift = unchecked(0u - firstAudio - (2 * 48000u));
        var wrapped = capture
            .Packets.Select(p =>
                p.IsRtcp
                    ? p
                    : p with
                    {
                        Data = RtpEdit.WithTimestamp(
                            p.Data,
                            unchecked(RtpEdit.Timestamp(p.Data) + (p.Track == HlsTrack.Video ? videoShift : audioShift))
                        ),
                    }
            )
            .Where(p => !p.IsRtcp) // the reports would still carry the old timestamps
            .ToList();

        var (output, packager, _) = await PackagerRun.RunAsync(wrapped);

        Mp4Checker.Result check = Mp4Checker.Check(output.File());
        Assert.True(check.Problems.Count == 0, check.ToString());
        Assert.Equal(0, packager.Stats.DroppedAccessUnits);
        Assert.InRange(check.VideoDuration / 90000.0, 3.8, 4.1);
    }

    [Fact]
    public async Task Garbled_and_truncated_packets_never_break_the_container()
    {
        for (int seed = 1; seed <= 5; seed++)
        {
            var random = new Random(seed);
            var garbled = new List<CapturedPacket>();
            foreach (CapturedPacket p in capture.Packets)
            {
                int roll = random.Next(100);
                if (roll < 3)
                {
                    garbled.Add(p with { Data = p.Data.AsSpan(0, random.Next(p.Data.Length)).ToArray() });
                }
                else if (roll < 6)
                {
                    byte[] noise = new byte[random.Next(0, 200)];
                    random.NextBytes(noise);
                    garbled.Add(p with { Data = noise });
                    garbled.Add(p);
                }
                else if (roll < 8 && p.Data.Length > 14)
                {
                    byte[] flipped = (byte[])p.Data.Clone();
                    flipped[12 + random.Next(Math.Min(4, flipped.Length - 12))] ^= (byte)(1 << random.Next(8));
                    garbled.Add(p with { Data = flipped });
                }
                else
                {
                    garbled.Add(p);
                }
            }

            var (output, _, _) = await PackagerRun.RunAsync(garbled);

            for (int session = 0; session < output.Inits.Count; session++)
            {
                Mp4Checker.Result check = Mp4Checker.Check(output.File(session));
                Assert.True(check.Problems.Count == 0, $"seed {seed}: {check}");
            }
        }
    }
}

/// <summary>A publisher that sends one keyframe and then ignores every request for another.</summary>
public sealed class KeyframeStarvedPublisherTests
{
    [Fact]
    public async Task Segments_are_cut_without_a_keyframe_at_the_target_duration_and_stay_decodable()
    {
        var packets = await FfmpegRtpCapture.CaptureAsync(3.5, gop: 1000);
        var options = new HlsOptions { SegmentTarget = TimeSpan.FromMilliseconds(600) }; // TARGETDURATION 1

        var (output, _, requests) = await PackagerRun.RunAsync(packets, options);

        var segments = output.Segments.ToList();
        Assert.True(segments.Count >= 3);
        Assert.All(segments, s =>
            Assert.True(s.Sum(p => p.Info.Duration.TotalSeconds) <= options.TargetDurationSeconds + 1e-9)
        );
        Assert.True(segments[0].First().Info.Independent);
        Assert.All(segments.Skip(1), s => Assert.False(s.First().Info.Independent));
        Assert.True(requests >= segments.Count - 1); // asked at every segment's cadence
        Mp4Checker.Result check = Mp4Checker.Check(output.File());
        Assert.True(check.Problems.Count == 0, check.ToString());
        Assert.Equal(1, check.SyncSamples);
        Assert.Equal("", (await Ffprobe.ProbeAsync(output.File())).Errors);
    }
}
