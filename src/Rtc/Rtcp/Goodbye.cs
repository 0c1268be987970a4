using System.Buffers.Binary;

namespace MobZ.Rtc.Rtcp;

/// <summary>
/// BYE (RFC 3550 §6.6): the sources leaving, with an optional reason.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|    SC   |   PT=BYE=203  |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           SSRC/CSRC                           |
/// :                              ...                              :
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |     length    |               reason for leaving            ... (opt)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly ref struct Goodbye
{
    private readonly ReadOnlySpan<byte> _body;

    private Goodbye(ReadOnlySpan<byte> body, int sourceCount, ReadOnlySpan<byte> reason)
    {
        _body = body;
        SourceCount = sourceCount;
        Reason = reason;
    }

    public static bool TryRead(ReadOnlySpan<byte> packet, out Goodbye bye)
    {
        bye = default;
        if (!RtcpPacket.TryRead(packet, RtcpPacketType.Goodbye, -1, out RtcpPacket rtcp))
        {
            return false;
        }

        int end = rtcp.Count * 4;
        if (rtcp.Body.Length < end)
        {
            return false;
        }

        ReadOnlySpan<byte> reason = default;
        if (rtcp.Body.Length > end)
        {
            int length = rtcp.Body[end];
            if (end + 1 + length > rtcp.Body.Length)
            {
                return false;
            }

            reason = rtcp.Body.Slice(end + 1, length);
        }

        bye = new Goodbye(rtcp.Body, rtcp.Count, reason);
        return true;
    }

    public int SourceCount { get; }

    /// <summary>UTF-8 reason text; empty when absent.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SourceCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(index * 4));
    }
}

public ref struct GoodbyeWriter
{
    /// <summary>At most 31 sources.</summary>
    public ReadOnlySpan<uint> Ssrcs { get; set; }

    /// <summary>Optional UTF-8 reason, at most 255 bytes.</summary>
    public ReadOnlySpan<byte> Reason { get; set; }

    public readonly int GetSize() =>
        RtcpHeader.Size + (Ssrcs.Length * 4) + (Reason.IsEmpty ? 0 : (1 + Reason.Length + 3) & ~3);

    public readonly bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        int size = GetSize();
        if (Ssrcs.Length > 31 || Reason.Length > 255 || destination.Length < size)
        {
            return false;
        }

        RtcpHeader.Write(destination, (byte)Ssrcs.Length, RtcpPacketType.Goodbye, size);
        int offset = RtcpHeader.Size;
        foreach (uint ssrc in Ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(offset), ssrc);
            offset += 4;
        }

        if (!Reason.IsEmpty)
        {
            destination[offset] = (byte)Reason.Length;
            Reason.CopyTo(destination.Slice(offset + 1));
            destination[(offset + 1 + Reason.Length)..size].Clear();
        }

        written = size;
        return true;
    }
}
