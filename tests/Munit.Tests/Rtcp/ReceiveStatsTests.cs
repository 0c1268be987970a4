using MobZ.Munit.Rtp;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Tests.Rtcp;

public class ReceiveStatsTests
{
    [Fact]
    public void Receiver_report_counts_loss_fraction_and_cumulative()
    {
        var s = new RtpStreamRecv(0x1234, 90000);
        for (ushort seq = 0; seq < 100; seq++)
        {
            if (seq % 10 != 5)
                s.Receive(seq, seq * 3000u, 1000, seq * 33);
        }

        var r = s.BuildReport(4000);
        Assert.Equal(0x1234u, r.Ssrc);
        Assert.Equal(10, r.CumulativeLost);
        Assert.Equal(99u, r.ExtendedHighestSequence);
        Assert.Equal((byte)(10 * 256 / 100), r.FractionLost);

        // Next interval without loss: fraction back to 0, cumulative stays.
        for (ushort seq = 100; seq < 150; seq++)
            s.Receive(seq, seq * 3000u, 1000, seq * 33);
        var r2 = s.BuildReport(6000);
        Assert.Equal(0, r2.FractionLost);
        Assert.Equal(10, r2.CumulativeLost);
    }

    [Fact]
    public void Extended_highest_sequence_counts_wrap_cycles()
    {
        var s = new RtpStreamRecv(1, 48000);
        for (int i = 0; i < 10; i++)
            s.Receive((ushort)(65530 + i), 0, 100, i);
        var r = s.BuildReport(100);
        Assert.Equal(0x1_0003u, r.ExtendedHighestSequence);
        Assert.Equal(0, r.CumulativeLost);
    }

    [Fact]
    public void Duplicates_make_cumulative_loss_negative_as_the_rfc_allows()
    {
        var s = new RtpStreamRecv(1, 48000);
        for (ushort seq = 0; seq < 10; seq++)
            s.Receive(seq, 0, 100, seq);
        s.Receive(5, 0, 100, 20);
        Assert.Equal(-1, s.BuildReport(100).CumulativeLost);
    }

    [Fact]
    public void Report_echoes_the_last_sender_report()
    {
        var s = new RtpStreamRecv(1, 90000);
        s.Receive(1, 0, 100, 1000);
        ulong ntp = 0x83AA7E80_80000000UL;
        s.OnSenderReport(ntp, 12345, 2000);
        var r = s.BuildReport(2500);
        Assert.Equal(0x7E80_8000u, r.LastSenderReport);
        Assert.Equal(32768u, r.DelaySinceLastSenderReport);
    }

    [Fact]
    public void Jitter_is_zero_for_perfectly_paced_packets_and_grows_with_variation()
    {
        var paced = new RtpStreamRecv(1, 90000);
        for (int i = 0; i < 100; i++)
            paced.Receive((ushort)i, (uint)(i * 3000), 100, i * 1000 / 30 * 1 + 0);
        Assert.True(paced.JitterClockUnits < 100, $"paced jitter {paced.JitterClockUnits}");

        var jittery = new RtpStreamRecv(1, 90000);
        for (int i = 0; i < 100; i++)
            jittery.Receive((ushort)i, (uint)(i * 3000), 100, i * 33 + (i % 2 == 0 ? 0 : 20));
        Assert.True(jittery.JitterClockUnits > 900, $"jittery {jittery.JitterClockUnits}");
    }

    [Fact]
    public void Ntp_to_RTP_mapping_uses_the_sender_report()
    {
        var s = new RtpStreamRecv(1, 90000);
        var t = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
        s.OnSenderReport(NtpTime.FromDateTime(t), 1_000_000, 5);
        Assert.True(s.TryMapNtpToRtp(NtpTime.FromDateTime(t.AddMilliseconds(500)), out uint rtp));
        Assert.Equal(1_000_000u + 45_000u, rtp);
    }
}
