namespace MobZ.Rtc.Rtp;

/// <summary>
/// Wrap-aware comparison of RTP sequence numbers (16-bit) and timestamps / 32-bit counters (RFC 1982 serial
/// arithmetic). Exactly half the number space apart is ambiguous; like libwebrtc the larger raw value counts as newer
/// so the relation stays antisymmetric.
/// </summary>
public static class SequenceNumbers
{
    /// <summary>True when <paramref name="a"/> comes after <paramref name="b"/>.</summary>
    public static bool IsNewer(ushort a, ushort b)
    {
        ushort diff = (ushort)(a - b);
        return diff == 0x8000 ? a > b : diff != 0 && diff < 0x8000;
    }

    public static bool IsNewerOrEqual(ushort a, ushort b) => a == b || IsNewer(a, b);

    /// <summary>Signed steps from <paramref name="from"/> to <paramref name="to"/>, in [-32768, 32767] (+32768 for the
    /// ambiguous half when to &gt; from).</summary>
    public static int Distance(ushort from, ushort to)
    {
        int diff = (ushort)(to - from);
        return IsNewer(to, from) ? diff
            : diff == 0 ? 0
            : diff - 0x10000;
    }

    /// <summary>The later of two sequence numbers.</summary>
    public static ushort Latest(ushort a, ushort b) => IsNewer(a, b) ? a : b;

    public static bool IsNewer(uint a, uint b)
    {
        uint diff = a - b;
        return diff == 0x8000_0000u ? a > b : diff != 0 && diff < 0x8000_0000u;
    }

    public static bool IsNewerOrEqual(uint a, uint b) => a == b || IsNewer(a, b);

    public static long Distance(uint from, uint to)
    {
        long diff = to - from;
        return IsNewer(to, from) ? diff
            : diff == 0 ? 0
            : diff - 0x1_0000_0000L;
    }

    public static uint Latest(uint a, uint b) => IsNewer(a, b) ? a : b;
}
