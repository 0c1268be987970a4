using System.Buffers.Binary;

namespace MobZ.Rtc.Rtp;

/// <summary>
/// Zero-copy view of one RTP packet (RFC 3550 §5.1, header extensions RFC 8285).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           timestamp                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           synchronization source (SSRC) identifier            |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |            contributing source (CSRC) identifiers             |
/// |                             ....                              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      defined by profile       |           length              |  (X=1)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        header extension                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      payload ...  | padding ... | pad count   |  (P=1)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Every accessor reads the wire bytes directly; the payload is a slice of the input.
/// </remarks>
public readonly ref struct RtpPacket
{
    public const int FixedHeaderSize = 12;
    public const int Version2 = 2;

    private readonly ReadOnlySpan<byte> _packet;
    private readonly int _extensionOffset; // offset of the 4-byte extension header, -1 when X=0
    private readonly int _headerSize;
    private readonly int _paddingSize;

    private RtpPacket(ReadOnlySpan<byte> packet, int extensionOffset, int headerSize, int paddingSize)
    {
        _packet = packet;
        _extensionOffset = extensionOffset;
        _headerSize = headerSize;
        _paddingSize = paddingSize;
    }

    /// <summary>Parses <paramref name="packet"/>; false when it is shorter than its header claims or not version
    /// 2.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpPacket rtp)
    {
        rtp = default;
        if (packet.Length < FixedHeaderSize || packet[0] >> 6 != Version2)
        {
            return false;
        }

        int offset = FixedHeaderSize + ((packet[0] & 0x0F) * 4);
        if (packet.Length < offset)
        {
            return false;
        }

        int extensionOffset = -1;
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < offset + 4)
            {
                return false;
            }

            extensionOffset = offset;
            int words = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset + 2));
            offset += 4 + (words * 4);
            if (packet.Length < offset)
            {
                return false;
            }
        }

        int paddingSize = 0;
        if ((packet[0] & 0x20) != 0)
        {
            // The count includes itself, so zero is malformed; it may not eat into the header.
            paddingSize = packet[^1];
            if (paddingSize == 0 || paddingSize > packet.Length - offset)
            {
                return false;
            }
        }

        rtp = new RtpPacket(packet, extensionOffset, offset, paddingSize);
        return true;
    }

    /// <summary>The whole packet as read.</summary>
    public ReadOnlySpan<byte> Span => _packet;

    public int Version => _packet[0] >> 6;
    public bool HasPadding => (_packet[0] & 0x20) != 0;
    public bool HasExtension => _extensionOffset >= 0;
    public int CsrcCount => _packet[0] & 0x0F;
    public bool Marker => (_packet[1] & 0x80) != 0;
    public byte PayloadType => (byte)(_packet[1] & 0x7F);
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_packet.Slice(2));
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(4));
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(8));

    /// <summary>Bytes before the payload: fixed header, CSRCs and the extension block.</summary>
    public int HeaderSize => _headerSize;

    /// <summary>Trailing padding bytes including the count byte; 0 when P=0.</summary>
    public int PaddingSize => _paddingSize;

    public ReadOnlySpan<byte> Payload => _packet[_headerSize..(_packet.Length - _paddingSize)];

    /// <summary>Offset of the payload from the start of the packet (equals <see cref="HeaderSize"/>).</summary>
    public int PayloadOffset => _headerSize;

    public uint GetCsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(FixedHeaderSize + (index * 4)));
    }

    /// <summary>The 16-bit "defined by profile" field: 0xBEDE for one-byte, 0x100X for two-byte extensions; 0 when
    /// X=0.</summary>
    public ushort ExtensionProfile =>
        _extensionOffset < 0 ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_packet.Slice(_extensionOffset));

    /// <summary>The extension body after its 4-byte header (elements plus padding); empty when X=0.</summary>
    public ReadOnlySpan<byte> ExtensionData =>
        _extensionOffset < 0 ? default : _packet[(_extensionOffset + 4).._headerSize];

    /// <summary>Offset of <see cref="ExtensionData"/> from the start of the packet, or -1 when X=0.</summary>
    public int ExtensionDataOffset => _extensionOffset < 0 ? -1 : _extensionOffset + 4;

    /// <summary>Iterates RFC 8285 elements without allocating. Yields nothing for unknown profiles.</summary>
    public RtpHeaderExtensionEnumerator Extensions => new(ExtensionProfile, ExtensionData, ExtensionDataOffset);

    /// <summary>Finds the element with <paramref name="id"/>; value is a slice of the packet.</summary>
    public bool TryGetExtension(int id, out ReadOnlySpan<byte> value)
    {
        foreach (RtpHeaderExtension element in Extensions)
        {
            if (element.Id == id)
            {
                value = element.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Finds the element with <paramref name="id"/> and reports where its value lies in the packet.</summary>
    public bool TryGetExtensionRange(int id, out int offset, out int length)
    {
        foreach (RtpHeaderExtension element in Extensions)
        {
            if (element.Id == id)
            {
                offset = element.Offset;
                length = element.Value.Length;
                return true;
            }
        }

        offset = 0;
        length = 0;
        return false;
    }
}
