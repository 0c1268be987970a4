using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Receiver report (RFC 3550 §6.4.2).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|    RC   |   PT=RR=201   |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     SSRC of packet sender                     |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                 report block 1 ... RC (24 bytes each)         |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                  profile-specific extensions                  |
/// </code>
/// </remarks>
public readonly ref struct ReceiverReport
{
    private readonly ReadOnlySpan<byte> _body;

    private ReceiverReport(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        ReportCount = reportCount;
    }

    public static bool TryRead(ReadOnlySpan<byte> packet, out ReceiverReport report)
    {
        report = default;
        if (
            !RtcpPacket.TryRead(packet, RtcpPacketType.ReceiverReport, -1, out RtcpPacket rtcp)
            || rtcp.Body.Length < 4 + (rtcp.Count * ReportBlock.Size)
        )
        {
            return false;
        }

        report = new ReceiverReport(rtcp.Body, rtcp.Count);
        return true;
    }

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    public int ReportCount { get; }

    public ReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ReportCount);
        ReportBlock.TryRead(_body.Slice(4 + (index * ReportBlock.Size)), out ReportBlock block);
        return block;
    }

    public ReadOnlySpan<byte> ProfileExtensions => _body[(4 + (ReportCount * ReportBlock.Size))..];
}

/// <summary>Writes a <see cref="ReceiverReport"/>; an empty block list is the usual lead packet of a compound with only
/// feedback.</summary>
public ref struct ReceiverReportWriter
{
    public uint Ssrc { get; set; }

    /// <summary>At most 31 blocks.</summary>
    public ReadOnlySpan<ReportBlock> ReportBlocks { get; set; }

    public readonly int GetSize() => RtcpHeader.Size + 4 + (ReportBlocks.Length * ReportBlock.Size);

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int size = GetSize();
        if (ReportBlocks.Length > 31 || destination.Length < size)
        {
            return false;
        }

        RtcpHeader.Write(destination, (byte)ReportBlocks.Length, RtcpPacketType.ReceiverReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), Ssrc);
        for (int i = 0; i < ReportBlocks.Length; i++)
        {
            ReportBlocks[i].TryWrite(destination.Slice(8 + (i * ReportBlock.Size)));
        }

        written = size;
        return true;
    }
}
