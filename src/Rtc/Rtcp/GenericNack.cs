using System.Buffers.Binary;
using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Generic NACK (RFC 4585 §6.2.1): RTPFB FMT=1; each FCI entry names a lost packet (PID) and a bitmask of the
/// 16 following ones (BLP, bit i = PID+i+1 lost).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=1   |    PT=205     |          length               |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            PID                |             BLP               |  repeated
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly ref struct GenericNack
{
    public const int EntrySize = 4;
    private readonly ReadOnlySpan<byte> _fci;

    private GenericNack(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _fci = fci;
    }

    public static bool TryRead(ReadOnlySpan<byte> packet, out GenericNack nack)
    {
        nack = default;
        if (
            !FeedbackHeader.TryRead(
                packet,
                RtcpPacketType.TransportFeedback,
                RtcpFeedbackFormat.GenericNack,
                out uint sender,
                out uint media,
                out ReadOnlySpan<byte> fci
            )
            || fci.Length < EntrySize
        )
        {
            return false;
        }

        nack = new GenericNack(sender, media, fci[..(fci.Length / EntrySize * EntrySize)]);
        return true;
    }

    public uint SenderSsrc { get; }
    public uint MediaSsrc { get; }
    public int EntryCount => _fci.Length / EntrySize;

    public (ushort Pid, ushort Blp) GetEntry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, EntryCount);
        ReadOnlySpan<byte> entry = _fci.Slice(index * EntrySize);
        return (BinaryPrimitives.ReadUInt16BigEndian(entry), BinaryPrimitives.ReadUInt16BigEndian(entry.Slice(2)));
    }

    /// <summary>Every sequence number the packet reports lost, in wire order, without allocating.</summary>
    public NackSequenceEnumerator LostSequenceNumbers => new(_fci);
}

/// <summary>Expands PID+BLP entries into sequence numbers.</summary>
public ref struct NackSequenceEnumerator
{
    private readonly ReadOnlySpan<byte> _fci;
    private int _entry;
    private int _bit; // -1 = the PID itself, 0..15 = BLP bits
    private ushort _pid;
    private ushort _blp;

    public NackSequenceEnumerator(ReadOnlySpan<byte> fci)
    {
        _fci = fci;
        _entry = -1;
        _bit = 16;
        _pid = 0;
        _blp = 0;
        Current = 0;
    }

    public ushort Current { get; private set; }

    public readonly NackSequenceEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (true)
        {
            while (_bit < 16)
            {
                int bit = _bit++;
                if (bit < 0)
                {
                    Current = _pid;
                    return true;
                }

                if ((_blp & (1 << bit)) != 0)
                {
                    Current = (ushort)(_pid + bit + 1);
                    return true;
                }
            }

            _entry++;
            if ((_entry + 1) * GenericNack.EntrySize > _fci.Length)
            {
                return false;
            }

            ReadOnlySpan<byte> entry = _fci.Slice(_entry * GenericNack.EntrySize);
            _pid = BinaryPrimitives.ReadUInt16BigEndian(entry);
            _blp = BinaryPrimitives.ReadUInt16BigEndian(entry.Slice(2));
            _bit = -1;
        }
    }
}

/// <summary>
/// Writes a generic NACK from lost sequence numbers given in ascending (wrap-aware) order; numbers within 16 of an
/// entry's PID share its BLP.
/// </summary>
public ref struct GenericNackWriter
{
    public uint SenderSsrc { get; set; }
    public uint MediaSsrc { get; set; }
    public ReadOnlySpan<ushort> LostSequenceNumbers { get; set; }

    public readonly int GetEntryCount()
    {
        int entries = 0;
        int i = 0;
        while (i < LostSequenceNumbers.Length)
        {
            ushort pid = LostSequenceNumbers[i++];
            while (i < LostSequenceNumbers.Length && InBlp(pid, LostSequenceNumbers[i]))
            {
                i++;
            }

            entries++;
        }

        return entries;
    }

    public readonly int GetSize() => FeedbackHeader.Size + (GetEntryCount() * GenericNack.EntrySize);

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int size = GetSize();
        if (LostSequenceNumbers.IsEmpty || destination.Length < size)
        {
            return false;
        }

        FeedbackHeader.Write(
            destination,
            RtcpPacketType.TransportFeedback,
            RtcpFeedbackFormat.GenericNack,
            size,
            SenderSsrc,
            MediaSsrc
        );
        int offset = FeedbackHeader.Size;
        int i = 0;
        while (i < LostSequenceNumbers.Length)
        {
            ushort pid = LostSequenceNumbers[i++];
            ushort blp = 0;
            while (i < LostSequenceNumbers.Length && InBlp(pid, LostSequenceNumbers[i]))
            {
                blp |= (ushort)(1 << (ushort)(LostSequenceNumbers[i] - pid - 1));
                i++;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset), pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset + 2), blp);
            offset += GenericNack.EntrySize;
        }

        written = size;
        return true;
    }

    private static bool InBlp(ushort pid, ushort sequence)
    {
        int distance = SequenceNumbers.Distance(pid, sequence);
        return distance is >= 1 and <= 16;
    }
}
