namespace MobZ.Munit.Rtcp;

/// <summary>
/// NTP timestamps as RTCP uses them (RFC 3550 §4): 32.32 fixed-point seconds since 1900-01-01 UTC, and the
/// "middle 32 bits" (16.16) that receiver reports echo as LSR and measure DLSR in.
/// </summary>
public static class NtpTime
{
    /// <summary>Seconds from 1900-01-01 to 1970-01-01.</summary>
    public const ulong UnixEpochOffsetSeconds = 2_208_988_800UL;

    public static ulong FromUnixMilliseconds(long unixMs)
    {
        ulong seconds = (ulong)(unixMs / 1000) + UnixEpochOffsetSeconds;
        ulong fraction = ((ulong)(unixMs % 1000) << 32) / 1000;
        return (seconds << 32) | fraction;
    }

    public static long ToUnixMilliseconds(ulong ntp)
    {
        long seconds = (long)((ntp >> 32) - UnixEpochOffsetSeconds);
        long ms = (long)(((ntp & 0xFFFF_FFFFUL) * 1000 + 0x8000_0000UL) >> 32);
        return seconds * 1000 + ms;
    }

    /// <summary>The middle 32 bits (16 bits of seconds, 16 of fraction): the compact form LSR/DLSR use.</summary>
    public static uint Middle32(ulong ntp) => (uint)(ntp >> 16);

    /// <summary>A duration in milliseconds as 1/65536-second units (DLSR).</summary>
    public static uint MillisecondsToCompact(long ms) => (uint)Math.Clamp(ms * 65536 / 1000, 0, uint.MaxValue);

    /// <summary>1/65536-second units to milliseconds.</summary>
    public static long CompactToMilliseconds(uint compact) => (long)compact * 1000 / 65536;
}
