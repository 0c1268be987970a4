namespace MobZ.Rtc.Rtcp;

/// <summary>
/// Picture loss indication (RFC 4585 §6.3.1): PSFB with FMT=1 and no FCI; asks the sender of the media SSRC for a key
/// frame.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=1   |    PT=206     |          length=2             |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly record struct PictureLossIndication(uint SenderSsrc, uint MediaSsrc)
{
    public const int Size = FeedbackHeader.Size;

    public static bool TryRead(ReadOnlySpan<byte> packet, out PictureLossIndication pli)
    {
        if (
            FeedbackHeader.TryRead(
                packet,
                RtcpPacketType.PayloadFeedback,
                RtcpFeedbackFormat.PictureLossIndication,
                out uint sender,
                out uint media,
                out _
            )
        )
        {
            pli = new PictureLossIndication(sender, media);
            return true;
        }

        pli = default;
        return false;
    }

    public int GetSize() => Size;

    public bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Size)
        {
            return false;
        }

        FeedbackHeader.Write(
            destination,
            RtcpPacketType.PayloadFeedback,
            RtcpFeedbackFormat.PictureLossIndication,
            Size,
            SenderSsrc,
            MediaSsrc
        );
        written = Size;
        return true;
    }
}
