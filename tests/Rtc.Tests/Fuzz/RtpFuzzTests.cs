using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Tests.Fuzz;

public class RtpFuzzTests
{
    private static IEnumerable<byte[]> Seeds()
    {
        foreach (bool twoByte in new[] { false, true })
        {
            Span<byte> ext = stackalloc byte[64];
            var extensions = new RtpHeaderExtensionWriter(ext, twoByte);
            extensions.TryAdd(1, new byte[] { 1, 2, 3 });
            extensions.TryAdd(3, new byte[] { 0, 9 });
            extensions.TryAdd(5, new byte[] { 0x80 });
            var writer = new RtpPacketWriter
            {
                PayloadType = 96, SequenceNumber = 1, Timestamp = 2, Ssrc = 3, Csrcs = new uint[] { 7, 8 },
                ExtensionProfile = extensions.Profile, ExtensionData = extensions.Written,
                Payload = new byte[40], PaddingSize = 5,
            };
            byte[] packet = new byte[writer.GetSize()];
            writer.TryWrite(packet, out _);
            yield return packet;
        }
    }

    [Fact]
    public void Rtp_reader_never_throws_and_accessors_stay_inside_the_packet()
    {
        int accepted = 0;
        foreach (byte[] input in Mutations.Of(Seeds(), seed: 1, firstBytes: [0x80, 0x90, 0xA0, 0xB0, 0xB2]))
        {
            if (!RtpPacket.TryRead(input, out RtpPacket rtp))
            {
                continue;
            }

            accepted++;
            Assert.InRange(rtp.HeaderSize + rtp.PaddingSize + rtp.Payload.Length, 12, input.Length);
            for (int i = 0; i < rtp.CsrcCount; i++)
            {
                _ = rtp.GetCsrc(i);
            }

            foreach (RtpHeaderExtension element in rtp.Extensions)
            {
                Assert.InRange(element.Offset + element.Value.Length, 0, rtp.HeaderSize);
            }

            _ = rtp.TryGetExtension(3, out _);
            byte[] copy = (byte[])input.Clone();
            _ = RtpPacketRewriter.TrySetExtension(copy, 3, new byte[] { 1, 2 });
            _ = RtpPacketRewriter.TryRenumberExtension(copy, 1, 2);
            _ = RtpPacketRewriter.TryBlankExtension(copy, 5);
            byte[] map = new byte[256];
            map[1] = 15;
            map[3] = 3;
            byte[] rewritten = new byte[input.Length + 300];
            if (RtpHeaderExtensionRewriter.TryRewrite(input, rewritten, map, 4, "mid-value"u8, out int written))
            {
                Assert.True(RtpPacket.TryRead(rewritten.AsSpan(0, written), out RtpPacket again));
                Assert.Equal(rtp.Payload.Length, again.Payload.Length);
            }

            _ = RtxPacket.TryWrap(input, 97, 9, 9, new byte[input.Length + 2], out _);
            _ = RtxPacket.TryUnwrap(input, 96, 9, new byte[input.Length], out _);
        }

        Assert.True(accepted > 100, $"only {accepted} inputs were valid RTP; the mutations do not reach the accessors");
    }
}
