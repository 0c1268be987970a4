using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Full intra request (RFC 5104 §4.3.1): PSFB FMT=4; media source SSRC is 0, each FCI entry names a target SSRC
/// and a command sequence number the sender uses to ignore repeats.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=4   |    PT=206     |          length               |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source (unused, 0)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                              SSRC                             |  FCI entry,
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  repeated
/// | Seq nr.       |    Reserved                                   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly ref struct FullIntraRequest
{
    public const int EntrySize = 8;
    private readonly ReadOnlySpan<byte> _fci;

    private FullIntraRequest(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _fci = fci;
    }

    public static bool TryRead(ReadOnlySpan<byte> packet, out FullIntraRequest fir)
    {
        fir = default;
        if (
            !FeedbackHeader.TryRead(
                packet,
                RtcpPacketType.PayloadFeedback,
                RtcpFeedbackFormat.FullIntraRequest,
                out uint sender,
                out uint media,
                out ReadOnlySpan<byte> fci
            )
            || fci.Length < EntrySize
        )
        {
            return false;
        }

        fir = new FullIntraRequest(sender, media, fci[..(fci.Length / EntrySize * EntrySize)]);
        return true;
    }

    public uint SenderSsrc { get; }
    public uint MediaSsrc { get; }
    public int EntryCount => _fci.Length / EntrySize;

    public FirEntry GetEntry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, EntryCount);
        ReadOnlySpan<byte> entry = _fci.Slice(index * EntrySize);
        return new FirEntry(BinaryPrimitives.ReadUInt32BigEndian(entry), entry[4]);
    }
}

/// <summary>One FIR command: the SSRC asked for a key frame and the command sequence number.</summary>
public readonly record struct FirEntry(uint Ssrc, byte SequenceNumber);

public ref struct FullIntraRequestWriter
{
    public uint SenderSsrc { get; set; }
    public ReadOnlySpan<FirEntry> Entries { get; set; }

    public readonly int GetSize() => FeedbackHeader.Size + (Entries.Length * FullIntraRequest.EntrySize);

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int size = GetSize();
        if (Entries.IsEmpty || destination.Length < size)
        {
            return false;
        }

        FeedbackHeader.Write(
            destination,
            RtcpPacketType.PayloadFeedback,
            RtcpFeedbackFormat.FullIntraRequest,
            size,
            SenderSsrc,
            0
        );
        int offset = FeedbackHeader.Size;
        foreach (FirEntry entry in Entries)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(offset), entry.Ssrc);
            destination[offset + 4] = entry.SequenceNumber;
            destination.Slice(offset + 5, 3).Clear();
            offset += FullIntraRequest.EntrySize;
        }

        written = size;
        return true;
    }
}
