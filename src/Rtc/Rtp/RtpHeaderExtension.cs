namespace MobZ.Rtc.Rtp;

/// <summary>One RFC 8285 header extension element: its local id and value bytes.</summary>
public readonly ref struct RtpHeaderExtension
{
    public RtpHeaderExtension(int id, ReadOnlySpan<byte> value, int offset)
    {
        Id = id;
        Value = value;
        Offset = offset;
    }

    /// <summary>Local identifier negotiated with a=extmap (1-14 one-byte, 1-255 two-byte).</summary>
    public int Id { get; }

    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Offset of <see cref="Value"/> from the start of the RTP packet, for in-place rewrites.</summary>
    public int Offset { get; }
}
