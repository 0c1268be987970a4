using MobZ.Munit.Rtcp;
using MobZ.Munit.Rtp;

namespace MobZ.Munit.Tests.Rtcp;

public class RtcpMathTests
{
    [Theory]
    [InlineData(0L, 0x83AA7E80_00000000UL)]            // 1970-01-01 is NTP second 2208988800
    [InlineData(500L, 0x83AA7E80_80000000UL)]          // half a second is fraction 2^31
    [InlineData(1_700_000_000_250L, 0xE8FE6F80_40000000UL)]
    public void UnixMillisecondsConvertToNtp(long unixMs, ulong ntp)
    {
        Assert.Equal(ntp, NtpTime.FromUnixMilliseconds(unixMs));
        Assert.Equal(unixMs, NtpTime.ToUnixMilliseconds(ntp));
    }

    [Fact]
    public void MiddleBitsAreTheLowSecondsAndHighFraction() =>
        Assert.Equal(0x7E80_8000u, NtpTime.Middle32(0x83AA7E80_80000000UL));

    [Theory]
    [InlineData(1000L, 65536u)]
    [InlineData(500L, 32768u)]
    [InlineData(0L, 0u)]
    public void DelaySinceLastSrIsIn65536thsOfASecond(long ms, uint compact)
    {
        Assert.Equal(compact, NtpTime.MillisecondsToCompact(ms));
        Assert.Equal(ms, NtpTime.CompactToMilliseconds(compact));
    }

    [Fact]
    public void RoundTripTimeFollowsRfc3550Example()
    {
        // RFC 3550 §6.4.1 example: A=0xb710:8000 (46864.500 s), LSR=0xb705:2000 (46853.125 s),
        // DLSR=0x0005:4000 (5.250 s) → RTT 6.125 s.
        Assert.Equal(6125, RoundTripTime.FromReportBlock(0xB710_8000, 0xB705_2000, 0x0005_4000));
    }

    [Fact]
    public void RoundTripTimeIsUnknownWithoutASenderReportOrWhenNegative()
    {
        Assert.Null(RoundTripTime.FromReportBlock(0xB710_8000, 0, 0));
        Assert.Null(RoundTripTime.FromReportBlock(0x0000_1000, 0x0000_2000, 0));
    }

    [Fact]
    public void ReceiverReportCountsLossFractionAndCumulative()
    {
        var s = new RtpStreamRecv(0x1234, 90000);
        for (ushort seq = 0; seq < 100; seq++)
            if (seq % 10 != 5) s.Receive(seq, seq * 3000u, 1000, seq * 33);
        var r = s.BuildReport(4000);
        Assert.Equal(0x1234u, r.Ssrc);
        Assert.Equal(10, r.CumulativeLost);
        Assert.Equal(99u, r.ExtendedHighestSeq);
        Assert.Equal((byte)(10 * 256 / 100), r.FractionLost);

        // Next interval without loss: fraction back to 0, cumulative stays.
        for (ushort seq = 100; seq < 150; seq++) s.Receive(seq, seq * 3000u, 1000, seq * 33);
        var r2 = s.BuildReport(6000);
        Assert.Equal(0, r2.FractionLost);
        Assert.Equal(10, r2.CumulativeLost);
    }

    [Fact]
    public void ExtendedHighestSequenceCountsWrapCycles()
    {
        var s = new RtpStreamRecv(1, 48000);
        for (int i = 0; i < 10; i++) s.Receive((ushort)(65530 + i), 0, 100, i);
        var r = s.BuildReport(100);
        Assert.Equal(0x1_0003u, r.ExtendedHighestSeq);
        Assert.Equal(0, r.CumulativeLost);
    }

    [Fact]
    public void DuplicatesMakeCumulativeLossNegativeAsTheRfcAllows()
    {
        var s = new RtpStreamRecv(1, 48000);
        for (ushort seq = 0; seq < 10; seq++) s.Receive(seq, 0, 100, seq);
        s.Receive(5, 0, 100, 20);
        Assert.Equal(-1, s.BuildReport(100).CumulativeLost);
    }

    [Fact]
    public void ReportEchoesTheLastSenderReport()
    {
        var s = new RtpStreamRecv(1, 90000);
        s.Receive(1, 0, 100, 1000);
        ulong ntp = 0x83AA7E80_80000000UL;
        s.OnSenderReport(ntp, 12345, 2000);
        var r = s.BuildReport(2500);
        Assert.Equal(NtpTime.Middle32(ntp), r.LastSr);
        Assert.Equal(32768u, r.DelaySinceLastSr);
    }

    [Fact]
    public void JitterIsZeroForPerfectlyPacedPacketsAndGrowsWithVariation()
    {
        var paced = new RtpStreamRecv(1, 90000);
        for (int i = 0; i < 100; i++) paced.Receive((ushort)i, (uint)(i * 3000), 100, i * 1000 / 30 * 1 + 0);
        Assert.True(paced.JitterClockUnits < 100, $"paced jitter {paced.JitterClockUnits}");

        var jittery = new RtpStreamRecv(1, 90000);
        for (int i = 0; i < 100; i++) jittery.Receive((ushort)i, (uint)(i * 3000), 100, i * 33 + (i % 2 == 0 ? 0 : 20));
        Assert.True(jittery.JitterClockUnits > 900, $"jittery {jittery.JitterClockUnits}");
    }

    [Fact]
    public void NtpToRtpMappingUsesTheSenderReport()
    {
        var s = new RtpStreamRecv(1, 90000);
        ulong srNtp = NtpTime.FromUnixMilliseconds(1_700_000_000_000);
        s.OnSenderReport(srNtp, 1_000_000, 5);
        Assert.True(s.TryMapNtpToRtp(NtpTime.FromUnixMilliseconds(1_700_000_000_500), out uint rtp));
        Assert.Equal(1_000_000u + 45_000u, rtp);
    }
}
