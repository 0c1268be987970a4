using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Source description (RFC 3550 §6.5): chunks of an SSRC followed by items, each chunk ended by a zero octet and padded
/// to 32 bits.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|    SC   |  PT=SDES=202  |             length            |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                          SSRC/CSRC_1                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    CNAME=1    |     length    | user and domain name        ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  END=0 | pad to 32 bits ...   | next chunk ...
/// </code>
/// </remarks>
public readonly ref struct SourceDescription
{
    public const byte CnameItem = 1;

    private readonly ReadOnlySpan<byte> _body;

    private SourceDescription(ReadOnlySpan<byte> body, int chunkCount)
    {
        _body = body;
        ChunkCount = chunkCount;
    }

    /// <summary>Parses the packet and checks every chunk is complete and terminated.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out SourceDescription sdes)
    {
        sdes = default;
        if (!RtcpPacket.TryRead(packet, RtcpPacketType.SourceDescription, -1, out RtcpPacket rtcp))
        {
            return false;
        }

        var candidate = new SourceDescription(rtcp.Body, rtcp.Count);
        int seen = 0;
        var chunks = candidate.Chunks;
        while (chunks.MoveNext())
        {
            seen++;
        }

        if (chunks.IsMalformed || seen != rtcp.Count)
        {
            return false;
        }

        sdes = candidate;
        return true;
    }

    public int ChunkCount { get; }

    public SdesChunkEnumerator Chunks => new(_body, ChunkCount);

    /// <summary>The CNAME of the first chunk that has one.</summary>
    public bool TryGetCname(out uint ssrc, out ReadOnlySpan<byte> cname)
    {
        foreach (SdesChunk chunk in Chunks)
        {
            if (chunk.TryGetItem(CnameItem, out cname))
            {
                ssrc = chunk.Ssrc;
                return true;
            }
        }

        ssrc = 0;
        cname = default;
        return false;
    }
}

/// <summary>One SDES chunk: an SSRC and its raw item list.</summary>
public readonly ref struct SdesChunk
{
    public SdesChunk(uint ssrc, ReadOnlySpan<byte> items)
    {
        Ssrc = ssrc;
        Items = items;
    }

    public uint Ssrc { get; }

    /// <summary>Items up to (not including) the END octet.</summary>
    public ReadOnlySpan<byte> Items { get; }

    public bool TryGetItem(byte type, out ReadOnlySpan<byte> value)
    {
        ReadOnlySpan<byte> items = Items;
        int position = 0;
        while (position + 2 <= items.Length)
        {
            int length = items[position + 1];
            if (position + 2 + length > items.Length)
            {
                break;
            }

            if (items[position] == type)
            {
                value = items.Slice(position + 2, length);
                return true;
            }

            position += 2 + length;
        }

        value = default;
        return false;
    }
}

public ref struct SdesChunkEnumerator
{
    private readonly ReadOnlySpan<byte> _body;
    private int _remainingChunks;
    private int _position;
    private SdesChunk _current;

    public SdesChunkEnumerator(ReadOnlySpan<byte> body, int chunkCount)
    {
        _body = body;
        _remainingChunks = chunkCount;
        _position = 0;
        _current = default;
        IsMalformed = false;
    }

    public readonly SdesChunk Current => _current;

    public bool IsMalformed { get; private set; }

    public readonly SdesChunkEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remainingChunks == 0 || IsMalformed)
        {
            return false;
        }

        if (_position + 4 > _body.Length)
        {
            IsMalformed = true;
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(_position));
        int itemsStart = _position + 4;
        int cursor = itemsStart;
        while (true)
        {
            if (cursor >= _body.Length)
            {
                IsMalformed = true;
                return false;
            }

            if (_body[cursor] == 0)
            {
                break;
            }

            if (cursor + 2 > _body.Length || cursor + 2 + _body[cursor + 1] > _body.Length)
            {
                IsMalformed = true;
                return false;
            }

            cursor += 2 + _body[cursor + 1];
        }

        _current = new SdesChunk(ssrc, _body[itemsStart..cursor]);
        // The END octet plus zero padding brings the chunk to a 32-bit boundary.
        _position = Math.Min(_body.Length, (cursor + 1 + 3) & ~3);
        _remainingChunks--;
        return true;
    }
}

/// <summary>Writes an SDES packet with one chunk holding a CNAME item (what WebRTC endpoints send).</summary>
public ref struct SourceDescriptionWriter
{
    public uint Ssrc { get; set; }

    /// <summary>UTF-8 CNAME, at most 255 bytes.</summary>
    public ReadOnlySpan<byte> Cname { get; set; }

    private readonly int ChunkSize => (4 + 2 + Cname.Length + 1 + 3) & ~3;

    public readonly int GetSize() => RtcpHeader.Size + ChunkSize;

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int size = GetSize();
        if (Cname.Length > 255 || destination.Length < size)
        {
            return false;
        }

        RtcpHeader.Write(destination, 1, RtcpPacketType.SourceDescription, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), Ssrc);
        destination[8] = SourceDescription.CnameItem;
        destination[9] = (byte)Cname.Length;
        Cname.CopyTo(destination.Slice(10));
        destination[(10 + Cname.Length)..size].Clear();
        written = size;
        return true;
    }
}
