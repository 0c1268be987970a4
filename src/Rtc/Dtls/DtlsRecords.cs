using System.Buffers.Binary;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// Splits a datagram into DTLS records (RFC 6347 §4.1; one datagram may carry several):
/// <code>
///  0      1  2      3  4      5 .. 10             11 12
/// +------+--------+--------+-------------------+-------+----------------+
/// | type | version| epoch  | sequence (48 bit) | length| fragment ...   |
/// +------+--------+--------+-------------------+-------+----------------+
/// </code>
/// </summary>
internal static class DtlsRecords
{
    public const int HeaderLength = 13;
    public const byte ChangeCipherSpec = 20;
    public const byte Alert = 21;
    public const byte Handshake = 22;
    public const byte ApplicationData = 23;

    /// <summary>DTLS 1.2 on the wire (RFC 6347 §4.1: the ones' complement of 1.2).</summary>
    public const ushort Version12 = 0xFEFD;

    /// <summary>The record's 64-bit sequence number as the AEAD nonce and additional data use it: epoch (16) then
    /// sequence (48).</summary>
    public static ulong EpochAndSequence(ReadOnlySpan<byte> record) =>
        BinaryPrimitives.ReadUInt64BigEndian(record[3..]);

    /// <summary>Writes a record header for <paramref name="length"/> bytes of fragment; <paramref name="sequence"/> is
    /// 48 bits.</summary>
    public static void WriteHeader(Span<byte> destination, byte type, ushort epoch, ulong sequence, int length)
    {
        destination[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], Version12);
        BinaryPrimitives.WriteUInt64BigEndian(destination[3..], ((ulong)epoch << 48) | (sequence & 0xFFFF_FFFF_FFFF));
        BinaryPrimitives.WriteUInt16BigEndian(destination[11..], (ushort)length);
    }

    /// <summary>The next whole record at <paramref name="offset"/>; false at the end or on a truncated one.</summary>
    public static bool TryReadNext(ReadOnlySpan<byte> datagram, ref int offset, out int start, out int length)
    {
        start = offset;
        length = 0;
        if (datagram.Length - offset < HeaderLength)
            return false;
        int fragment = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 11)..]);
        if (datagram.Length - offset - HeaderLength < fragment)
            return false;
        length = HeaderLength + fragment;
        offset += length;
        return true;
    }

    public static int Epoch(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt16BigEndian(record[3..]);
}
