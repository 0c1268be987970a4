using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using MobZ.Hls.Tests.Fixtures;
using MobZ.Hls.Timing;

namespace MobZ.Hls.Tests.Timing;

/// <summary>
/// Issue 12 (4): EXT-X-PROGRAM-DATE-TIME is the publisher's capture clock from its RTCP sender reports
/// (NTP ↔ RTP), not the server's clock when the first keyframe arrived, and follows the reports when they
/// move. The server clock is a FakeTimeProvider set a second after the capture, as a keyframe that took
/// that long to arrive would leave it.
/// </summary>
[Collection(CapturedStreamCollection.Name)]
public sealed class ProgramDateTimeTests(CapturedStreamFixture capture)
{
    private static uint FirstIdrTimestamp(IEnumerable<CapturedPacket> packets) =>
        RtpEdit.Timestamp(packets.First(p => RtpEdit.IsVideoRtp(p) && RtpEdit.NalTypes(p.Data).Contains(5)).Data);

    /// <summary>The sender's wall clock at video RTP time <paramref name="rtp"/>, from its first video
    /// report.</summary>
    private static DateTimeOffset SenderClock(IEnumerable<CapturedPacket> packets, uint rtp)
    {
        foreach (CapturedPacket p in packets.Where(p => p.IsRtcp && p.Track == HlsTrack.Video))
        {
            if (FfmpegRtpCapture.TryReadSenderReport(p.Data, out ulong ntp, out uint srRtp))
            {
                DateTime at = SenderReportClock
                    .ToDateTime(ntp)
                    .AddTicks((long)((int)(rtp - srRtp) / 90000.0 * TimeSpan.TicksPerSecond));
                return new DateTimeOffset(at, TimeSpan.Zero);
            }
        }

        throw new InvalidOperationException("the capture has no video sender report");
    }

    private static async Task<MemoryOutput> RunAsync(IReadOnlyList<CapturedPacket> packets, DateTimeOffset serverClock)
    {
        var output = new MemoryOutput();
        var packager = new HlsPackager("pdt", output, new HlsOptions(), time: new FakeTimeProvider(serverClock));
        FfmpegRtpCapture.Replay(packets, packager);
        await packager.DisposeAsync();
        return output;
    }

    /// <summary>Video sender reports held back until a second of video has gone by.</summary>
    private List<CapturedPacket> ReportsComeLate()
    {
        int video = 0;
        var held = new List<CapturedPacket>();
        var result = new List<CapturedPacket>();
        foreach (CapturedPacket p in capture.Packets)
        {
            if (RtpEdit.IsVideoRtp(p))
            {
                video++;
            }

            if (p.IsRtcp && p.Track == HlsTrack.Video && video < 100)
            {
                held.Add(p);
                continue;
            }

            result.Add(p);
            if (video >= 100 && held.Count > 0)
            {
                result.AddRange(held);
                held.Clear();
            }
        }

        return result;
    }

    [Fact]
    public async Task Program_date_time_follows_the_sender_reports_that_arrive_after_the_first_keyframe()
    {
        List<CapturedPacket> packets = ReportsComeLate();
        DateTimeOffset captured = SenderClock(capture.Packets, FirstIdrTimestamp(capture.Packets));

        MemoryOutput output = await RunAsync(packets, serverClock: captured + TimeSpan.FromSeconds(1));

        // The last part's first frame was captured this long after the first one.
        MemoryOutput.Part last = output.Parts[^1];
        TimeSpan offset = TimeSpan.FromTicks(output.Parts.SkipLast(1).Sum(p => p.Info.Duration.Ticks));
        double error = (last.Info.ProgramDateTime - (captured + offset)).TotalMilliseconds;
        Assert.InRange(error, -40, 40);
    }

    [Fact]
    public async Task Program_date_time_is_reanchored_when_the_sender_reports_drift()
    {
        // Halfway through, a report puts every frame 300 ms later than the first report did.
        DateTimeOffset captured = SenderClock(capture.Packets, FirstIdrTimestamp(capture.Packets));
        int videoPackets = capture.Packets.Count(RtpEdit.IsVideoRtp);
        int video = 0;
        var drifting = new List<CapturedPacket>();
        foreach (CapturedPacket p in capture.Packets)
        {
            drifting.Add(p);
            if (RtpEdit.IsVideoRtp(p) && ++video == videoPackets / 2)
            {
                uint rtp = RtpEdit.Timestamp(p.Data);
                DateTimeOffset at = SenderClock(capture.Packets, rtp) + TimeSpan.FromMilliseconds(300);
                drifting.Add(
                    new CapturedPacket(
                        HlsTrack.Video,
                        true,
                        SenderReport(SenderReportClock.FromDateTime(at.UtcDateTime), rtp)
                    )
                );
            }
        }

        MemoryOutput output = await RunAsync(drifting, serverClock: captured);

        MemoryOutput.Part last = output.Parts[^1];
        TimeSpan offset = TimeSpan.FromTicks(output.Parts.SkipLast(1).Sum(p => p.Info.Duration.Ticks));
        double error = (
            last.Info.ProgramDateTime - (captured + offset + TimeSpan.FromMilliseconds(300))
        ).TotalMilliseconds;
        Assert.InRange(error, -40, 40);
    }

    private static byte[] SenderReport(ulong ntp, uint rtp)
    {
        byte[] sr = new byte[28];
        sr[0] = 0x80;
        sr[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(sr.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt64BigEndian(sr.AsSpan(8), ntp);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(16), rtp);
        return sr;
    }

    private static byte[] WithNtp(byte[] rtcp, ulong ntp)
    {
        byte[] copy = (byte[])rtcp.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(copy.AsSpan(8), ntp);
        return copy;
    }
}
