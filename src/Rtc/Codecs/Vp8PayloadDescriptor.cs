namespace MobZ.Rtc.Codecs;

/// <summary>
/// Reader of the VP8 RTP payload descriptor (RFC 7741 §4.2) and the first byte of the VP8 payload header.
/// <code>
///       0 1 2 3 4 5 6 7
///      +-+-+-+-+-+-+-+-+
///      |X|R|N|S|R| PID | (REQUIRED)
///      +-+-+-+-+-+-+-+-+
/// X:   |I|L|T|K| RSV   | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// I:   |M| PictureID   | (OPTIONAL, M=1: 15-bit PictureID, one more byte)
///      +-+-+-+-+-+-+-+-+
/// L:   |   TL0PICIDX   | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// T/K: |TID|Y| KEYIDX  | (OPTIONAL)
///      +-+-+-+-+-+-+-+-+
/// </code>
/// The VP8 payload header follows; its lowest bit (P) is 0 for a key frame (RFC 6386 §9.1).
/// </summary>
public readonly ref struct Vp8PayloadDescriptor
{
    public bool StartOfPartition { get; init; }
    public int PartitionIndex { get; init; }
    public bool HasPictureId { get; init; }
    public int PictureId { get; init; }
    public bool HasTl0PicIdx { get; init; }
    public byte Tl0PicIdx { get; init; }
    public bool HasTid { get; init; }
    public int TemporalLayer { get; init; }

    /// <summary>Bytes of descriptor before the VP8 payload.</summary>
    public int Size { get; init; }
    public ReadOnlySpan<byte> Payload { get; init; }

    /// <summary>The packet starts a VP8 key frame: first packet of partition 0 and the P bit clear.</summary>
    public bool IsKeyFrameStart =>
        StartOfPartition && PartitionIndex == 0 && Payload.Length > 0 && (Payload[0] & 0x01) == 0;

    public static bool TryRead(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.Length < 1)
            return false;
        byte b0 = payload[0];
        int offset = 1;
        bool x = (b0 & 0x80) != 0;
        bool hasPid = false,
            hasTl0 = false,
            hasTid = false;
        int pictureId = 0,
            tid = 0;
        byte tl0 = 0;
        if (x)
        {
            if (payload.Length < offset + 1)
                return false;
            byte ext = payload[offset++];
            bool i = (ext & 0x80) != 0,
                l = (ext & 0x40) != 0,
                t = (ext & 0x20) != 0,
                k = (ext & 0x10) != 0;
            if (i)
            {
                if (payload.Length < offset + 1)
                    return false;
                hasPid = true;
                if ((payload[offset] & 0x80) != 0)
                {
                    if (payload.Length < offset + 2)
                        return false;
                    pictureId = ((payload[offset] & 0x7F) << 8) | payload[offset + 1];
                    offset += 2;
                }
                else
                {
                    pictureId = payload[offset] & 0x7F;
                    offset += 1;
                }
            }
            if (l)
            {
                if (payload.Length < offset + 1)
                    return false;
                hasTl0 = true;
                tl0 = payload[offset++];
            }
            if (t || k)
            {
                if (payload.Length < offset + 1)
                    return false;
                hasTid = t;
                tid = payload[offset] >> 6;
                offset++;
            }
        }
        descriptor = new Vp8PayloadDescriptor
        {
            StartOfPartition = (b0 & 0x10) != 0,
            PartitionIndex = b0 & 0x07,
            HasPictureId = hasPid,
            PictureId = pictureId,
            HasTl0PicIdx = hasTl0,
            Tl0PicIdx = tl0,
            HasTid = hasTid,
            TemporalLayer = tid,
            Size = offset,
            Payload = payload[offset..],
        };
        return true;
    }
}
