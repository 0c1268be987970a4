using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// The 4-byte header shared by every RTCP packet (RFC 3550 §6.4).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| RC/FMT  |      PT       |  length (32-bit words - 1)    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly record struct RtcpHeader(bool Padding, byte Count, byte PacketType, ushort LengthWords)
{
    public const int Size = 4;

    /// <summary>Size of the whole packet including this header, in bytes.</summary>
    public int PacketSize => (LengthWords + 1) * 4;

    public static bool TryRead(ReadOnlySpan<byte> buffer, out RtcpHeader header)
    {
        if (buffer.Length < Size || buffer[0] >> 6 != 2)
        {
            header = default;
            return false;
        }

        header = new RtcpHeader(
            (buffer[0] & 0x20) != 0,
            (byte)(buffer[0] & 0x1F),
            buffer[1],
            BinaryPrimitives.ReadUInt16BigEndian(buffer.Slice(2))
        );
        return true;
    }

    /// <summary>Writes a header for a packet of <paramref name="packetSize"/> bytes (a multiple of 4).</summary>
    public static void Write(Span<byte> destination, byte count, byte packetType, int packetSize, bool padding = false)
    {
        destination[0] = (byte)(0x80 | (padding ? 0x20 : 0) | (count & 0x1F));
        destination[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)((packetSize / 4) - 1));
    }
}
