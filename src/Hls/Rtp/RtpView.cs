using MobZ.Rtc.Rtp;

namespace MobZ.Hls.Rtp;

/// <summary>
/// The few RTP fields the packager needs, read with <see cref="RtpPacket"/> (src/Rtc): marker, sequence
/// number, timestamp and the payload with CSRCs, header extensions and padding removed. The depacketizers
/// see only these, so nothing else in src/Hls depends on the RTP reader.
/// </summary>
internal readonly ref struct RtpView
{
    public readonly bool Marker;
    public readonly ushort SequenceNumber;
    public readonly uint Timestamp;
    public readonly ReadOnlySpan<byte> Payload;

    private RtpView(bool marker, ushort sequenceNumber, uint timestamp, ReadOnlySpan<byte> payload)
    {
        Marker = marker;
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
        Payload = payload;
    }

    /// <returns>false for anything that is not a well-formed version-2 RTP packet.</returns>
    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpView view)
    {
        if (!RtpPacket.TryRead(packet, out RtpPacket rtp))
        {
            view = default;
            return false;
        }

        view = new RtpView(rtp.Marker, rtp.SequenceNumber, rtp.Timestamp, rtp.Payload);
        return true;
    }
}
