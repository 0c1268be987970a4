using System.Buffers.Binary;

namespace MobZ.Hls.Rtp;

/// <summary>
/// The few RTP header fields the packager needs (RFC 3550 §5.1): marker, sequence number, timestamp and
/// the payload with CSRCs, header extension and padding removed.
/// </summary>
/// <remarks>
/// Kept to this one file so it can be swapped for <c>MobZ.Rtc.Rtp.RtpPacket</c> without touching the
/// depacketizers, which only see the payload.
/// </remarks>
internal readonly ref struct RtpView
{
    private const int FixedHeaderSize = 12;

    public readonly bool Marker;
    public readonly ushort SequenceNumber;
    public readonly uint Timestamp;
    public readonly ReadOnlySpan<byte> Payload;

    private RtpView(bool marker, ushort sequenceNumber, uint timestamp, ReadOnlySpan<byte> payload)
    {
        Marker = marker;
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
        Payload = payload;
    }

    /// <returns>false for anything that is not a well-formed version-2 RTP packet.</returns>
    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpView view)
    {
        view = default;
        if (packet.Length < FixedHeaderSize || packet[0] >> 6 != 2)
        {
            return false;
        }

        int offset = FixedHeaderSize + ((packet[0] & 0x0F) * 4);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < offset + 4)
            {
                return false;
            }

            offset += 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) * 4);
        }

        int end = packet.Length;
        if ((packet[0] & 0x20) != 0)
        {
            int padding = packet[^1];
            if (padding == 0)
            {
                return false;
            }

            end -= padding;
        }

        if (end < offset)
        {
            return false;
        }

        view = new RtpView(
            (packet[1] & 0x80) != 0,
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            packet[offset..end]);
        return true;
    }
}
