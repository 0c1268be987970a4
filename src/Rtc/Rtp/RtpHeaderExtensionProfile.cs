namespace MobZ.Rtc.Rtp;

/// <summary>The "defined by profile" values of RFC 8285.</summary>
public static class RtpHeaderExtensionProfile
{
    /// <summary>One-byte header form: 4-bit id (1-14), 4-bit length-1, values of 1-16 bytes.</summary>
    public const ushort OneByte = 0xBEDE;

    /// <summary>Two-byte header form 0x100 + 4 app bits: 8-bit id (1-255), 8-bit length, values of 0-255
    /// bytes.</summary>
    public const ushort TwoByte = 0x1000;

    public const ushort TwoByteMask = 0xFFF0;

    public static bool IsOneByte(ushort profile) => profile == OneByte;

    public static bool IsTwoByte(ushort profile) => (profile & TwoByteMask) == TwoByte;
}
