using System.Buffers.Binary;
using MobZ.Hls.Codecs;
using MobZ.Rtc.Rtp;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>
/// A publisher's H.264 RTP stream into the LL-HLS packager's depacketizer, as <c>HlsPackager</c> feeds it. The input is
/// a run of RTP packets, each behind a 2-byte big-endian length (RFC 4571 framing), so one input is a whole stream:
/// gaps, reordering, fragments across packets. Every emitted access unit must be well-formed AVCC.
/// </summary>
internal static class H264Harness
{
    public static void Run(byte[] input)
    {
        var sink = new Sink();
        using var depacketizer = new H264Depacketizer(sink);
        ReadOnlySpan<byte> rest = input;
        while (rest.Length >= 2)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(rest);
            rest = rest[2..];
            ReadOnlySpan<byte> packet = rest[..Math.Min(length, rest.Length)];
            rest = rest[packet.Length..];
            if (RtpPacket.TryRead(packet, out RtpPacket rtp))
                depacketizer.Push(rtp.Payload, rtp.SequenceNumber, rtp.Timestamp, rtp.Marker);
        }

        depacketizer.Flush();
        Check(depacketizer.Sps.IsEmpty || (depacketizer.Sps[0] & 0x1F) == 7, "the kept SPS is an SPS");
        Check(depacketizer.Pps.IsEmpty || (depacketizer.Pps[0] & 0x1F) == 8, "the kept PPS is a PPS");
    }

    private sealed class Sink : IH264AccessUnitSink
    {
        public void OnAccessUnit(ReadOnlySpan<byte> avcc, uint rtpTimestamp, bool isIdr)
        {
            bool sawIdr = false;
            bool sawSlice = false;
            while (!avcc.IsEmpty)
            {
                Check(avcc.Length >= 5, "an AVCC NAL unit has a length and a header");
                uint length = BinaryPrimitives.ReadUInt32BigEndian(avcc);
                Check(
                    length >= 1 && length <= avcc.Length - 4,
                    "an AVCC length covers a NAL unit inside the access unit"
                );
                int type = avcc[4] & 0x1F;
                Check(
                    type is >= 1 and <= 23 and not (7 or 8 or 9 or 10 or 11 or 12),
                    "an access unit holds only plain NAL units, parameter sets lifted out"
                );
                sawIdr |= type == 5;
                sawSlice |= type is >= 1 and <= 5;
                avcc = avcc[(4 + (int)length)..];
            }

            Check(sawSlice, "an emitted access unit has a slice");
            Check(sawIdr == isIdr, "isIdr says whether the access unit has an IDR slice");
        }

        public void OnAccessUnitDropped(H264DropReason reason) =>
            Check(Enum.IsDefined(reason), "a drop names a reason");
    }
}
