namespace MobZ.Munit.Rtcp;

public static class RoundTripTime
{
    /// <summary>
    /// RFC 3550 §6.4.1: RTT = A − LSR − DLSR, all in compact NTP (1/65536 s), where A is when the report
    /// block arrived. Returns null when the report echoes no sender report (LSR = 0) or the result is
    /// negative (clock noise).
    /// </summary>
    public static long? FromReportBlock(uint arrivalCompactNtp, uint lastSr, uint delaySinceLastSr)
    {
        if (lastSr == 0) return null;
        uint rtt = arrivalCompactNtp - lastSr - delaySinceLastSr;
        // A wrapped (negative) result shows up as a huge number.
        if (rtt > 0x8000_0000u) return null;
        return NtpTime.CompactToMilliseconds(rtt);
    }
}
