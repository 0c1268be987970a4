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
    public bool HasKeyIdx { get; init; }
    public byte KeyIdx { get; init; }

    /// <summary>Where PictureID starts in the payload (-1 without one); an SFU that renumbers writes there.</summary>
    public int PictureIdOffset { get; init; }

    /// <summary>PictureID is 15 bits wide (M=1), else 7.</summary>
    public bool HasLongPictureId { get; init; }

    /// <summary>Where TL0PICIDX is in the payload (-1 without one).</summary>
    public int Tl0PicIdxOffset { get; init; }

    /// <summary>Where the TID/Y/KEYIDX byte is in the payload (-1 without one).</summary>
    public int TidKeyIdxOffset { get; init; }

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
            longPid = false,
            hasTl0 = false,
            hasTid = false,
            hasKeyIdx = false;
        int pictureId = 0,
            tid = 0,
            pidOffset = -1,
            tl0Offset = -1,
            tkOffset = -1;
        byte tl0 = 0,
            keyIdx = 0;
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
                pidOffset = offset;
                if ((payload[offset] & 0x80) != 0)
                {
                    if (payload.Length < offset + 2)
                        return false;
                    longPid = true;
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
                tl0Offset = offset;
                tl0 = payload[offset++];
            }
            if (t || k)
            {
                if (payload.Length < offset + 1)
                    return false;
                hasTid = t;
                hasKeyIdx = k;
                tkOffset = offset;
                tid = payload[offset] >> 6;
                keyIdx = (byte)(payload[offset] & 0x1F);
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
            HasKeyIdx = hasKeyIdx,
            KeyIdx = keyIdx,
            PictureIdOffset = pidOffset,
            HasLongPictureId = longPid,
            Tl0PicIdxOffset = tl0Offset,
            TidKeyIdxOffset = tkOffset,
            Size = offset,
            Payload = payload[offset..],
        };
        return true;
    }

    /// <summary>
    /// Writes new PictureID, TL0PICIDX and KEYIDX over the fields <paramref name="descriptor"/> found in
    /// <paramref name="payload"/> (the same bytes it was read from). Each is written only where present and in the
    /// width it has (a 7-bit PictureID stays 7 bits), so the packet's size never changes.
    /// </summary>
    public static void Rewrite(
        Span<byte> payload,
        in Vp8PayloadDescriptor descriptor,
        int pictureId,
        byte tl0,
        int keyIdx
    )
    {
        if (descriptor.HasPictureId)
        {
            int at = descriptor.PictureIdOffset;
            if (descriptor.HasLongPictureId)
            {
                payload[at] = (byte)(0x80 | ((pictureId >> 8) & 0x7F));
                payload[at + 1] = (byte)pictureId;
            }
            else
            {
                payload[at] = (byte)(pictureId & 0x7F);
            }
        }
        if (descriptor.HasTl0PicIdx)
            payload[descriptor.Tl0PicIdxOffset] = tl0;
        if (descriptor.HasKeyIdx)
        {
            int at = descriptor.TidKeyIdxOffset;
            payload[at] = (byte)((payload[at] & 0xE0) | (keyIdx & 0x1F));
        }
    }
}
