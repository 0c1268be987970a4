using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Rtp;

/// <summary>
/// The abs-send-time header extension value (webrtc.org): send time as 6.18 fixed-point seconds in 24 bits.
/// Only differences matter to the receiver's estimator, so a monotonic clock serves.
/// </summary>
public static class AbsSendTime
{
    /// <summary>Now on <paramref name="time"/>'s monotonic clock, never 0 (0 means "do not stamp" to the
    /// forwarder).</summary>
    public static uint Now(TimeProvider time) => FromTicks(time.GetTimestamp(), time.TimestampFrequency) | 1;

    public static uint FromTicks(long timestamp, long frequency) =>
        (uint)((UInt128)(ulong)timestamp * (1u << 18) / (ulong)frequency) & 0xFF_FFFF;

    /// <summary>Overwrites the extension's 3 bytes in place; false when the packet does not carry it under <paramref
    /// name="id"/>.</summary>
    public static bool TryWrite(Span<byte> packet, int id, uint value)
    {
        if (!RtpPacketRewriter.TryGetExtension(packet, id, out var target) || target.Length != 3)
            return false;
        target[0] = (byte)(value >> 16);
        target[1] = (byte)(value >> 8);
        target[2] = (byte)value;
        return true;
    }
}
