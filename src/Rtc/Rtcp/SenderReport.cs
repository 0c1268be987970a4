using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Sender report (RFC 3550 §6.4.1).
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|    RC   |   PT=SR=200   |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         SSRC of sender                        |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |              NTP timestamp, most significant word             |
/// |             NTP timestamp, least significant word             |
/// |                         RTP timestamp                         |
/// |                     sender's packet count                     |
/// |                      sender's octet count                     |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                 report block 1 ... RC (24 bytes each)         |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                  profile-specific extensions                  |
/// </code>
/// </remarks>
public readonly ref struct SenderReport
{
    private const int BodyFixedSize = 24;
    private readonly ReadOnlySpan<byte> _body;

    private SenderReport(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        ReportCount = reportCount;
    }

    public static bool TryRead(ReadOnlySpan<byte> packet, out SenderReport report)
    {
        report = default;
        if (
            !RtcpPacket.TryRead(packet, RtcpPacketType.SenderReport, -1, out RtcpPacket rtcp)
            || rtcp.Body.Length < BodyFixedSize + (rtcp.Count * ReportBlock.Size)
        )
        {
            return false;
        }

        report = new SenderReport(rtcp.Body, rtcp.Count);
        return true;
    }

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);
    public ulong NtpTimestamp => BinaryPrimitives.ReadUInt64BigEndian(_body.Slice(4));
    public uint RtpTimestamp => BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(12));
    public uint PacketCount => BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(16));
    public uint OctetCount => BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(20));
    public int ReportCount { get; }

    public ReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ReportCount);
        ReportBlock.TryRead(_body.Slice(BodyFixedSize + (index * ReportBlock.Size)), out ReportBlock block);
        return block;
    }

    public ReadOnlySpan<byte> ProfileExtensions => _body[(BodyFixedSize + (ReportCount * ReportBlock.Size))..];
}

/// <summary>Writes a <see cref="SenderReport"/>.</summary>
public ref struct SenderReportWriter
{
    public uint Ssrc { get; set; }
    public ulong NtpTimestamp { get; set; }
    public uint RtpTimestamp { get; set; }
    public uint PacketCount { get; set; }
    public uint OctetCount { get; set; }

    /// <summary>At most 31 blocks.</summary>
    public ReadOnlySpan<ReportBlock> ReportBlocks { get; set; }

    public readonly int GetSize() => RtcpHeader.Size + 24 + (ReportBlocks.Length * ReportBlock.Size);

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int size = GetSize();
        if (ReportBlocks.Length > 31 || destination.Length < size)
        {
            return false;
        }

        RtcpHeader.Write(destination, (byte)ReportBlocks.Length, RtcpPacketType.SenderReport, size);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), Ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(8), NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(16), RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(20), PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(24), OctetCount);
        for (int i = 0; i < ReportBlocks.Length; i++)
        {
            ReportBlocks[i].TryWrite(destination.Slice(28 + (i * ReportBlock.Size)));
        }

        written = size;
        return true;
    }
}
