using System.Buffers.Binary;

namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>
/// One handshake message fragment (RFC 6347 §4.2.2); a record may carry several:
/// <code>
/// +------+----------------+---------+------------------+------------------+-----------
/// | type | length (24)    | msg_seq | fragment_offset  | fragment_length  | fragment…
/// +------+----------------+---------+------------------+------------------+-----------
///    0     1..3             4..5      6..8               9..11              12
/// </code>
/// </summary>
internal readonly ref struct HandshakeFragment
{
    public const int HeaderLength = 12;

    public HandshakeFragment(byte type, int length, ushort sequence, int offset, ReadOnlySpan<byte> body)
    {
        Type = type;
        MessageLength = length;
        Sequence = sequence;
        Offset = offset;
        Body = body;
    }

    public byte Type { get; }

    /// <summary>Length of the whole message, not of this fragment.</summary>
    public int MessageLength { get; }

    public ushort Sequence { get; }

    public int Offset { get; }

    public ReadOnlySpan<byte> Body { get; }

    /// <summary>Reads the fragment at <paramref name="position"/> of a record's plaintext; false when truncated or
    /// inconsistent.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, ref int position, out HandshakeFragment fragment)
    {
        fragment = default;
        var rest = data[position..];
        if (rest.Length < HeaderLength)
            return false;
        int length = ReadUInt24(rest[1..]);
        int offset = ReadUInt24(rest[6..]);
        int fragmentLength = ReadUInt24(rest[9..]);
        if (rest.Length - HeaderLength < fragmentLength || offset + fragmentLength > length)
            return false;
        fragment = new HandshakeFragment(
            rest[0],
            length,
            BinaryPrimitives.ReadUInt16BigEndian(rest[4..]),
            offset,
            rest.Slice(HeaderLength, fragmentLength)
        );
        position += HeaderLength + fragmentLength;
        return true;
    }

    /// <summary>Writes a fragment header; the transcript form of a whole message is offset 0, fragment length =
    /// length.</summary>
    public static void WriteHeader(
        Span<byte> destination,
        byte type,
        int length,
        ushort sequence,
        int offset,
        int fragmentLength
    )
    {
        destination[0] = type;
        WriteUInt24(destination[1..], length);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], sequence);
        WriteUInt24(destination[6..], offset);
        WriteUInt24(destination[9..], fragmentLength);
    }

    public static int ReadUInt24(ReadOnlySpan<byte> source) => source[0] << 16 | source[1] << 8 | source[2];

    public static void WriteUInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
