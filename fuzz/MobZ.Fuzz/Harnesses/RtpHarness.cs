using MobZ.Rtc.Rtp;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>Everything the media path does to an RTP packet from the network: read, walk extensions, rewrite in place,
/// RTX wrap/unwrap.</summary>
internal static class RtpHarness
{
    public static void Run(byte[] input)
    {
        if (!RtpPacket.TryRead(input, out RtpPacket rtp))
            return;

        Check(
            rtp.HeaderSize + rtp.PaddingSize + rtp.Payload.Length is >= RtpPacket.FixedHeaderSize
                && rtp.HeaderSize + rtp.PaddingSize + rtp.Payload.Length <= input.Length,
            "header, payload and padding fit in the packet"
        );
        for (int i = 0; i < rtp.CsrcCount; i++)
            _ = rtp.GetCsrc(i);
        foreach (RtpHeaderExtension element in rtp.Extensions)
        {
            Check(
                element.Offset >= 0 && element.Offset + element.Value.Length <= rtp.HeaderSize,
                "an extension element lies inside the header"
            );
        }

        _ = rtp.TryGetExtension(3, out _);

        byte[] copy = (byte[])input.Clone();
        _ = RtpPacketRewriter.TrySetExtension(copy, 3, [1, 2]);
        _ = RtpPacketRewriter.TryRenumberExtension(copy, 1, 2);
        _ = RtpPacketRewriter.TryBlankExtension(copy, 5);

        byte[] wrapped = new byte[input.Length + 2];
        if (RtxPacket.TryWrap(input, 97, 9, 9, wrapped, out int wrappedLength))
        {
            byte[] restored = new byte[wrappedLength];
            Check(
                RtxPacket.TryUnwrap(
                    wrapped.AsSpan(0, wrappedLength),
                    rtp.PayloadType,
                    rtp.Ssrc,
                    restored,
                    out int restoredLength
                ),
                "an RTX packet we wrapped unwraps"
            );
            Check(
                RtpPacket.TryRead(restored.AsSpan(0, restoredLength), out RtpPacket original),
                "an unwrapped packet reads"
            );
            Check(
                original.SequenceNumber == rtp.SequenceNumber
                    && original.Ssrc == rtp.Ssrc
                    && original.Payload.SequenceEqual(rtp.Payload),
                "RTX unwrap restores the sequence number, SSRC and payload it wrapped"
            );
        }

        _ = RtxPacket.TryUnwrap(input, 96, 9, new byte[input.Length], out _);
    }
}
