using MobZ.Rtc.Rtcp;

namespace MobZ.Rtc.Tests.Rtcp;

public class ReportMathTests
{
    [Theory]
    [InlineData(100, 100, 0)]
    [InlineData(100, 75, 64)]
    [InlineData(100, 50, 128)]
    [InlineData(100, 0, 255)]
    [InlineData(0, 0, 0)]
    [InlineData(10, 12, 0)]
    [InlineData(256, 255, 1)]
    public void Fraction_lost_is_eight_bit_fixed_point(long expected, long received, int fraction)
    {
        Assert.Equal(fraction, ReportMath.FractionLost(expected, received));
    }

    [Theory]
    [InlineData(1000, 990, 10)]
    [InlineData(1000, 1005, -5)]
    [InlineData(100_000_000, 0, 0x7FFFFF)]
    [InlineData(0, 100_000_000, -0x800000)]
    public void Cumulative_lost_is_clamped_to_signed_24_bits(long expected, long received, int lost)
    {
        Assert.Equal(lost, ReportMath.CumulativeLost(expected, received));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, -1)]
    [InlineData(0x7FFFFF, 0x7FFFFF)]
    [InlineData(-0x800000, -0x800000)]
    [InlineData(12345, 12345)]
    public void Int24_round_trips_with_sign(int value, int expected)
    {
        byte[] buffer = new byte[3];
        ReportMath.WriteInt24(buffer, value);
        Assert.Equal(expected, ReportMath.ReadInt24(buffer));
    }

    [Theory]
    [InlineData(0u, (ushort)500, 500u)]
    [InlineData(1u, (ushort)0, 65536u)]
    [InlineData(3u, (ushort)65535, 262143u)]
    public void Extended_highest_sequence_combines_cycles_and_seq(uint cycles, ushort seq, uint extended)
    {
        Assert.Equal(extended, ReportMath.ExtendedHighestSequence(cycles, seq));
    }

    [Fact]
    public void Jitter_converges_to_the_constant_transit_difference()
    {
        uint scaled = 0;
        int transit = 0;
        for (int i = 0; i < 500; i++)
        {
            int next = transit + (i % 2 == 0 ? 160 : -160);
            scaled = ReportMath.UpdateJitter(scaled, next, transit);
            transit = next;
        }

        Assert.InRange(ReportMath.JitterFromScaled(scaled), 155u, 160u);
    }

    [Fact]
    public void Jitter_first_step_is_one_sixteenth_of_the_difference()
    {
        Assert.Equal(100u, ReportMath.JitterFromScaled(ReportMath.UpdateJitter(0, 1600, 0)));
    }

    [Fact]
    public void Ntp_middle_32_bits_take_low_16_of_seconds_and_high_16_of_fraction()
    {
        Assert.Equal(0x5678ABCDu, ReportMath.NtpMiddle32(0x12345678_ABCDEF01ul));
    }

    [Theory]
    [InlineData(0, 0u)]
    [InlineData(1000, 65536u)]
    [InlineData(500, 32768u)]
    public void Dlsr_is_in_1_65536_seconds(int milliseconds, uint dlsr)
    {
        Assert.Equal(dlsr, ReportMath.DelaySinceLastSenderReport(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Round_trip_time_subtracts_lsr_and_dlsr()
    {
        // SR sent at 10.0 s (middle32 = 10<<16), receiver held it 0.5 s, report arrives at 10.6 s => RTT 100 ms.
        uint lsr = 10u << 16;
        uint dlsr = 32768;
        uint now = (10u << 16) + (uint)(0.6 * 65536);
        TimeSpan? rtt = ReportMath.RoundTripTime(now, lsr, dlsr);
        Assert.NotNull(rtt);
        Assert.InRange(rtt.Value.TotalMilliseconds, 99, 101);
        Assert.Null(ReportMath.RoundTripTime(now, 0, 0));
        Assert.Null(ReportMath.RoundTripTime(lsr, lsr, dlsr));
    }

    [Fact]
    public void Ntp_time_of_the_unix_epoch_is_2208988800_seconds_and_half_a_second_is_half_the_fraction()
    {
        ulong ntp = NtpTime.FromDateTime(DateTime.UnixEpoch.AddMilliseconds(500));
        Assert.Equal(2_208_988_800ul, ntp >> 32);
        Assert.Equal(0x8000_0000ul, ntp & 0xFFFF_FFFF);
    }

    [Fact]
    public void Ntp_time_round_trips_a_date_to_the_microsecond()
    {
        var when = new DateTime(2026, 11, 21, 12, 0, 0, 123, DateTimeKind.Utc).AddTicks(4567);
        Assert.InRange((NtpTime.ToDateTime(NtpTime.FromDateTime(when)) - when).Duration().Ticks, 0, 10);
    }
}
