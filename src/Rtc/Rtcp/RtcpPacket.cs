namespace MobZ.Rtc.Rtcp;

/// <summary>
/// One packet of a compound RTCP datagram: its header, the full bytes and the body after the header without padding.
/// Typed readers (<see cref="SenderReport"/>, <see cref="GenericNack"/>, ...) take <see cref="Span"/>.
/// </summary>
public readonly ref struct RtcpPacket
{
    private RtcpPacket(RtcpHeader header, ReadOnlySpan<byte> span, ReadOnlySpan<byte> body)
    {
        Header = header;
        Span = span;
        Body = body;
    }

    public RtcpHeader Header { get; }

    /// <summary>The packet including its header and padding.</summary>
    public ReadOnlySpan<byte> Span { get; }

    /// <summary>Bytes after the 4-byte header, padding removed.</summary>
    public ReadOnlySpan<byte> Body { get; }

    public byte PacketType => Header.PacketType;

    /// <summary>RC, SC or FMT depending on the packet type.</summary>
    public byte Count => Header.Count;

    /// <summary>Reads the first packet of <paramref name="buffer"/>; false when its length field or padding is
    /// inconsistent.</summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out RtcpPacket packet)
    {
        packet = default;
        if (!RtcpHeader.TryRead(buffer, out RtcpHeader header) || header.PacketSize > buffer.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> span = buffer[..header.PacketSize];
        int end = span.Length;
        if (header.Padding)
        {
            int padding = span[^1];
            if (padding == 0 || padding > span.Length - RtcpHeader.Size)
            {
                return false;
            }

            end -= padding;
        }

        packet = new RtcpPacket(header, span, span[RtcpHeader.Size..end]);
        return true;
    }

    /// <summary>Reads one packet and checks its type (and FMT when <paramref name="format"/> is not
    /// negative).</summary>
    internal static bool TryRead(ReadOnlySpan<byte> buffer, byte packetType, int format, out RtcpPacket packet) =>
        TryRead(buffer, out packet) && packet.PacketType == packetType && (format < 0 || packet.Count == format);
}
