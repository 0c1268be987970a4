namespace MobZ.Rtc.Rtcp;

/// <summary>64-bit NTP timestamps (seconds since 1900 in the high word, binary fraction in the low word) as used by
/// SR.</summary>
public static class NtpTime
{
    private static readonly DateTime Epoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static ulong FromDateTime(DateTime utc)
    {
        long ticks = utc.ToUniversalTime().Ticks - Epoch.Ticks;
        ulong seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        ulong fraction = (ulong)((ticks % TimeSpan.TicksPerSecond) << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    public static DateTime ToDateTime(ulong ntp)
    {
        long seconds = (long)(ntp >> 32);
        long fractionTicks = (long)(((ntp & 0xFFFF_FFFF) * TimeSpan.TicksPerSecond) >> 32);
        return Epoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + fractionTicks);
    }
}
