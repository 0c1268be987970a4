using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// The common part of RFC 4585 feedback messages (RTPFB 205 / PSFB 206).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|   FMT   |       PT      |          length               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :            Feedback Control Information (FCI)                 :
/// </code>
/// </remarks>
public static class FeedbackHeader
{
    public const int Size = RtcpHeader.Size + 8;

    /// <summary>Reads the packet, checks type and FMT, and returns the FCI.</summary>
    public static bool TryRead(
        ReadOnlySpan<byte> packet,
        byte packetType,
        byte format,
        out uint senderSsrc,
        out uint mediaSsrc,
        out ReadOnlySpan<byte> fci
    )
    {
        if (!RtcpPacket.TryRead(packet, packetType, format, out RtcpPacket rtcp) || rtcp.Body.Length < 8)
        {
            senderSsrc = 0;
            mediaSsrc = 0;
            fci = default;
            return false;
        }

        senderSsrc = BinaryPrimitives.ReadUInt32BigEndian(rtcp.Body);
        mediaSsrc = BinaryPrimitives.ReadUInt32BigEndian(rtcp.Body.Slice(4));
        fci = rtcp.Body[8..];
        return true;
    }

    public static void Write(
        Span<byte> destination,
        byte packetType,
        byte format,
        int packetSize,
        uint senderSsrc,
        uint mediaSsrc,
        bool padding = false
    )
    {
        RtcpHeader.Write(destination, format, packetType, packetSize, padding);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8), mediaSsrc);
    }
}
