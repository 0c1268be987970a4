using MobZ.Hls.Tests.Fixtures;

namespace MobZ.Hls.Tests.Packaging;

/// <summary>What the Munit's tap does on a simulcast layer switch or a publisher that changes resolution.</summary>
[Collection(CapturedStreamCollection.Name)]
public sealed class StreamChangeTests(CapturedStreamFixture capture)
{
    [Fact]
    public async Task A_new_SPS_mid_stream_starts_a_new_init_segment_at_a_segment_boundary()
    {
        var bigger = await FfmpegRtpCapture.CaptureAsync(2, size: "640x360");
        // Continue numbering and timestamps as the tap does across a layer switch.
        var first = capture.Packets.Where(p => !p.IsRtcp).ToList();
        var last = first.Last(RtpEdit.IsVideoRtp).Data;
        ushort seq = (ushort)(RtpEdit.Sequence(last) + 1);
        uint videoTs = RtpEdit.Timestamp(last) + 3000;
        uint videoBase = RtpEdit.Timestamp(bigger.First(RtpEdit.IsVideoRtp).Data);
        var lastAudio = first.Last(RtpEdit.IsAudioRtp).Data;
        ushort audioSeq = (ushort)(RtpEdit.Sequence(lastAudio) + 1);
        uint audioTs = RtpEdit.Timestamp(lastAudio) + 960;
        uint audioBase = RtpEdit.Timestamp(bigger.First(RtpEdit.IsAudioRtp).Data);
        var second = bigger
            .Where(p => !p.IsRtcp)
            .Select(p =>
                RtpEdit.IsVideoRtp(p)
                    ? p with
                    {
                        Data = RtpEdit.WithSequence(
                            RtpEdit.WithTimestamp(p.Data, videoTs + (RtpEdit.Timestamp(p.Data) - videoBase)),
                            seq++
                        ),
                    }
                    : p with
                    {
                        Data = RtpEdit.WithSequence(
                            RtpEdit.WithTimestamp(p.Data, audioTs + (RtpEdit.Timestamp(p.Data) - audioBase)),
                            audioSeq++
                        ),
                    }
            );

        var (output, packager, _) = await PackagerRun.RunAsync(first.Concat(second));

        Assert.Equal(2, output.Inits.Count);
        Assert.Equal((320, 240), (output.Inits[0].Info.Width, output.Inits[0].Info.Height));
        Assert.Equal((640, 360), (output.Inits[1].Info.Width, output.Inits[1].Info.Height));
        MemoryOutput.Part firstOfNew = output.Parts.First(p => p.Session == 1);
        Assert.True(firstOfNew.Info.Independent);
        // a new segment
        Assert.NotEqual(output.Parts[output.Parts.IndexOf(firstOfNew) - 1].Segment, firstOfNew.Segment);
        Assert.Equal(0, packager.Stats.DroppedAccessUnits);
        for (int session = 0; session < 2; session++)
        {
            Mp4Checker.Result check = Mp4Checker.Check(output.File(session));
            Assert.True(check.Problems.Count == 0, check.ToString());
            Ffprobe.Report report = await Ffprobe.ProbeAsync(output.File(session));
            Assert.Equal("", report.Errors);
            Assert.Contains(report.Streams, s => s.CodecName == "h264" && s.Width == (session == 0 ? 320 : 640));
        }
    }

    [Fact]
    public async Task Audio_is_placed_by_sender_reports_whatever_its_RTP_timestamp_base()
    {
        var (reference, _, _) = await PackagerRun.RunAsync(capture.Packets);
        // Another random base for the audio RTP clock, in the packets and in the reports alike.
        const uint shift = 0x9E3779B9;
        var shifted = capture
            .Packets.Select(p =>
                p.Track != HlsTrack.Audio ? p
                : p.IsRtcp ? p with { Data = ShiftReport(p.Data, shift) }
                : p with { Data = RtpEdit.WithTimestamp(p.Data, unchecked(RtpEdit.Timestamp(p.Data) + shift)) }
            )
            .ToList();

        var (output, _, _) = await PackagerRun.RunAsync(shifted);

        Assert.Equal(reference.File(), output.File());
    }

    [Fact]
    public async Task Audio_reported_half_a_second_later_lands_half_a_second_later_on_the_video_timeline()
    {
        // Placement by sender reports alone: with the default 300 ms allowance, a capture whose audio arrives in
        // bursts (ffmpeg on a busy machine) gets silence filled before the shifted audio and the move is clamped.
        var options = new HlsOptions { AudioLagAllowance = TimeSpan.FromSeconds(2) };
        var (reference, _, _) = await PackagerRun.RunAsync(capture.Packets, options);
        ulong halfSecond = 1UL << 31; // NTP fraction of 0.5 s
        var later = capture
            .Packets.Select(p =>
                p.Track == HlsTrack.Audio
                && p.IsRtcp
                && FfmpegRtpCapture.TryReadSenderReport(p.Data, out ulong ntp, out _)
                    ? p with
                    {
                        Data = WithNtp(p.Data, ntp + halfSecond),
                    }
                    : p
            )
            .ToList();

        var (output, _, _) = await PackagerRun.RunAsync(later, options);

        // Silence frames are 3 bytes; the first real Opus packet shows where the audio was placed.
        ulong FirstRealAudio(MemoryOutput o) => Mp4Checker.Check(o.File()).Audio.First(a => a.Size > 3).Dts;
        long moved = (long)FirstRealAudio(output) - (long)FirstRealAudio(reference);
        Assert.InRange(moved, 24000 - 960, 24000 + 960);
    }

    private static byte[] WithNtp(byte[] rtcp, ulong ntp)
    {
        byte[] copy = (byte[])rtcp.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(copy.AsSpan(8), ntp);
        return copy;
    }

    private static byte[] ShiftReport(byte[] rtcp, uint shift)
    {
        if (!FfmpegRtpCapture.TryReadSenderReport(rtcp, out _, out uint rtp))
        {
            return rtcp;
        }

        byte[] copy = (byte[])rtcp.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(16), unchecked(rtp + shift));
        return copy;
    }
}
