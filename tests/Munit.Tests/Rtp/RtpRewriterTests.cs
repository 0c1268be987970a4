using MobZ.Munit.Rtp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Rtp;

public class RtpRewriterTests
{
    private const uint VideoClock = 90000;

    [Fact]
    public void First_source_keeps_its_numbers()
    {
        var r = new RtpRewriter(VideoClock);
        Assert.True(r.Rewrite(1000, 5000, 0, out var seq, out var ts));
        Assert.Equal((ushort)1000, seq);
        Assert.Equal(5000u, ts);
    }

    [Fact]
    public void Sequence_and_timestamp_continue_across_a_layer_switch()
    {
        var r = new RtpRewriter(VideoClock);
        // Layer 0: seq 100.., ts step 3000 (30 fps), one packet per frame, every 33 ms.
        ushort lastSeq = 0;
        uint lastTs = 0;
        for (int i = 0; i < 10; i++)
            Assert.True(r.Rewrite((ushort)(100 + i), (uint)(1_000_000 + i * 3000), i * 33, out lastSeq, out lastTs));

        // Switch to layer 2 with unrelated numbers, 33 ms after the last frame.
        r.RequestResync();
        Assert.True(r.Rewrite(40000, 7_000_000, 10 * 33, out var seq, out var ts));
        Assert.Equal((ushort)(lastSeq + 1), seq);
        Assert.Equal(lastTs + 33 * 90, ts);
        Assert.True(r.Rewrite(40001, 7_003_000, 11 * 33, out var seq2, out var ts2));
        Assert.Equal((ushort)(seq + 1), seq2);
        Assert.Equal(ts + 3000, ts2);
    }

    [Fact]
    public void Publisher_restart_with_lower_numbers_still_moves_forward()
    {
        var r = new RtpRewriter(48000);
        r.Rewrite(60000, 4_000_000_000, 0, out var s1, out var t1);
        r.Rewrite(60001, 4_000_000_960, 20, out var s2, out var t2);
        // Restart: new SSRC, random low numbers, 2 s of silence.
        r.RequestResync();
        r.Rewrite(3, 17, 2020, out var s3, out var t3);
        Assert.Equal((ushort)(s2 + 1), s3);
        Assert.Equal(t2 + 2000u * 48, t3);
        Assert.True(SequenceNumbers.IsNewer(t3, t2));
    }

    [Fact]
    public void Resync_within_the_same_millisecond_still_advances_the_timestamp()
    {
        var r = new RtpRewriter(VideoClock);
        r.Rewrite(1, 100, 50, out _, out var t1);
        r.RequestResync();
        r.Rewrite(900, 5, 50, out _, out var t2);
        Assert.True(SequenceNumbers.IsNewer(t2, t1));
    }

    [Fact]
    public void Reordered_packet_after_a_switch_keeps_its_relative_timestamp()
    {
        var r = new RtpRewriter(VideoClock);
        r.Rewrite(10, 1000, 0, out _, out _);
        r.RequestResync();
        r.Rewrite(500, 90_000, 100, out var a, out var ta);
        r.Rewrite(502, 93_000, 133, out var c, out var tc);
        r.Rewrite(501, 90_000, 134, out var b, out var tb);
        Assert.Equal((ushort)(a + 1), b);
        Assert.Equal((ushort)(a + 2), c);
        Assert.Equal(ta, tb);
        Assert.Equal(ta + 3000, tc);
    }
}
