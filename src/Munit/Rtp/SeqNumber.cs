using System.Runtime.CompilerServices;

namespace MobZ.Munit.Rtp;

/// <summary>
/// Wrap-aware comparison of 16-bit RTP sequence numbers (RFC 3550 §A.1 / RFC 1982 serial arithmetic):
/// a is "higher" than b when it lies less than half the number space ahead of it.
/// </summary>
public static class SeqNumber
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHigher(ushort a, ushort b) => a != b && (ushort)(a - b) < 0x8000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLower(ushort a, ushort b) => a != b && (ushort)(b - a) < 0x8000;

    /// <summary>Forward distance from <paramref name="from"/> to <paramref name="to"/> modulo 2^16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Distance(ushort from, ushort to) => (ushort)(to - from);
}

/// <summary>Wrap-aware comparison of 32-bit RTP timestamps.</summary>
public static class RtpTimestamp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHigher(uint a, uint b) => a != b && a - b < 0x8000_0000u;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLower(uint a, uint b) => a != b && b - a < 0x8000_0000u;
}
