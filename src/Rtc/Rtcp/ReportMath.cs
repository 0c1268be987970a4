namespace MobZ.Rtc.Rtcp;

/// <summary>Arithmetic behind reception report fields (RFC 3550 §6.4.1 and Appendix A.3, A.8).</summary>
public static class ReportMath
{
    public const int MaxCumulativeLost = 0x7F_FFFF;
    public const int MinCumulativeLost = -0x80_0000;

    /// <summary>Loss since the last report as a fixed-point fraction with the binary point at the left (0 when none or
    /// negative).</summary>
    public static byte FractionLost(long expectedInInterval, long receivedInInterval)
    {
        long lost = expectedInInterval - receivedInInterval;
        if (expectedInInterval <= 0 || lost <= 0)
        {
            return 0;
        }

        return (byte)Math.Min(255, (lost << 8) / expectedInInterval);
    }

    /// <summary>Packets expected minus received since the start, clamped to the signed 24-bit field.</summary>
    public static int CumulativeLost(long expected, long received) => ClampCumulativeLost(expected - received);

    public static int ClampCumulativeLost(long lost) => (int)Math.Clamp(lost, MinCumulativeLost, MaxCumulativeLost);

    /// <summary>Cycle count in the high 16 bits, highest sequence number in the low 16.</summary>
    public static uint ExtendedHighestSequence(uint cycles, ushort highestSequence) => (cycles << 16) | highestSequence;

    /// <summary>Packets expected from the first and extended highest sequence numbers (RFC 3550 A.3).</summary>
    public static long Expected(uint extendedBase, uint extendedHighest) => (long)extendedHighest - extendedBase + 1;

    /// <summary>
    /// One step of the interarrival jitter estimator J += (|D| - J) / 16, with <paramref name="jitterScaled"/> kept
    /// scaled by 16 as RFC 3550 A.8 suggests to avoid rounding; report <see cref="JitterFromScaled"/>.
    /// </summary>
    /// <param name="transit">Arrival time minus RTP timestamp of this packet, in RTP clock units.</param>
    /// <param name="previousTransit">Same for the previous packet.</param>
    public static uint UpdateJitter(uint jitterScaled, int transit, int previousTransit)
    {
        long d = Math.Abs((long)transit - previousTransit);
        long next = jitterScaled + d - ((jitterScaled + 8) >> 4);
        return (uint)Math.Clamp(next, 0, uint.MaxValue);
    }

    public static uint JitterFromScaled(uint jitterScaled) => jitterScaled >> 4;

    /// <summary>The middle 32 bits of a 64-bit NTP timestamp, as carried in LSR.</summary>
    public static uint NtpMiddle32(ulong ntpTimestamp) => (uint)(ntpTimestamp >> 16);

    /// <summary>Delay since last SR in units of 1/65536 seconds.</summary>
    public static uint DelaySinceLastSenderReport(TimeSpan delay) =>
        delay <= TimeSpan.Zero ? 0u : (uint)Math.Min(uint.MaxValue, delay.Ticks * 65536 / TimeSpan.TicksPerSecond);

    /// <summary>
    /// Round-trip time seen by an SR sender from a report block: now (NTP middle 32) - LSR - DLSR.
    /// Null when the block refers to no SR (LSR = 0) or the result is negative (clock wrap or bogus DLSR).
    /// </summary>
    public static TimeSpan? RoundTripTime(uint nowNtpMiddle32, uint lastSenderReport, uint delaySinceLastSenderReport)
    {
        if (lastSenderReport == 0)
        {
            return null;
        }

        long rtt = (long)(uint)(nowNtpMiddle32 - lastSenderReport) - delaySinceLastSenderReport;
        if (rtt < 0 || rtt > int.MaxValue)
        {
            return null;
        }

        return TimeSpan.FromTicks(rtt * TimeSpan.TicksPerSecond / 65536);
    }

    public static int ReadInt24(ReadOnlySpan<byte> buffer)
    {
        int value = (buffer[0] << 16) | (buffer[1] << 8) | buffer[2];
        return (value << 8) >> 8;
    }

    public static void WriteInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
