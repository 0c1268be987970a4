using System.Buffers.Binary;

namespace MobZ.Rtc.Rtp;

/// <summary>
/// RFC 4588 retransmission payload: the original sequence number precedes the original payload.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         RTP Header                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            OSN                |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
/// |                  Original RTP Packet Payload                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Both conversions accept a destination that starts at the source (in-place) because payload bytes move with memmove
/// semantics.
/// </remarks>
public static class RtxPacket
{
    public const int OsnSize = 2;

    /// <summary>Reads the OSN from an RTX packet's payload; an empty payload (padding-only probe) has none.</summary>
    public static bool TryReadOriginalSequenceNumber(
        ReadOnlySpan<byte> rtxPayload,
        out ushort originalSequenceNumber
    ) => BinaryPrimitives.TryReadUInt16BigEndian(rtxPayload, out originalSequenceNumber);

    public static int GetWrappedSize(in RtpPacket original) => original.HeaderSize + OsnSize + original.Payload.Length;

    /// <summary>Builds the RTX packet for <paramref name="original"/> (padding dropped).</summary>
    public static bool TryWrap(
        ReadOnlySpan<byte> original,
        byte rtxPayloadType,
        uint rtxSsrc,
        ushort rtxSequenceNumber,
        Span<byte> destination,
        out int written
    )
    {
        written = 0;
        if (!RtpPacket.TryRead(original, out RtpPacket rtp) || destination.Length < GetWrappedSize(rtp))
        {
            return false;
        }

        int header = rtp.HeaderSize;
        int payloadLength = rtp.Payload.Length;
        ushort osn = rtp.SequenceNumber;
        // Move the payload first: with an in-place destination it shifts right over bytes not yet needed.
        original.Slice(header, payloadLength).CopyTo(destination.Slice(header + OsnSize));
        original[..header].CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(header), osn);
        destination[0] &= 0xDF;
        RtpPacketRewriter.SetPayloadType(destination, rtxPayloadType);
        RtpPacketRewriter.SetSequenceNumber(destination, rtxSequenceNumber);
        RtpPacketRewriter.SetSsrc(destination, rtxSsrc);
        written = header + OsnSize + payloadLength;
        return true;
    }

    /// <summary>Restores the original packet from an RTX packet (padding dropped).</summary>
    public static bool TryUnwrap(
        ReadOnlySpan<byte> rtxPacket,
        byte originalPayloadType,
        uint originalSsrc,
        Span<byte> destination,
        out int written
    )
    {
        written = 0;
        if (
            !RtpPacket.TryRead(rtxPacket, out RtpPacket rtp)
            || !TryReadOriginalSequenceNumber(rtp.Payload, out ushort osn)
        )
        {
            return false;
        }

        int header = rtp.HeaderSize;
        int payloadLength = rtp.Payload.Length - OsnSize;
        if (destination.Length < header + payloadLength)
        {
            return false;
        }

        rtxPacket[..header].CopyTo(destination);
        rtxPacket.Slice(header + OsnSize, payloadLength).CopyTo(destination.Slice(header));
        destination[0] &= 0xDF;
        RtpPacketRewriter.SetPayloadType(destination, originalPayloadType);
        RtpPacketRewriter.SetSequenceNumber(destination, osn);
        RtpPacketRewriter.SetSsrc(destination, originalSsrc);
        written = header + payloadLength;
        return true;
    }
}
