using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Tests.Rtp;

public class RtpPacketWriterTests
{
    [Theory]
    [InlineData(false, 0, false, 0)]
    [InlineData(true, 3, false, 0)]
    [InlineData(false, 0, true, 0)]
    [InlineData(true, 15, true, 7)]
    [InlineData(false, 1, true, 255)]
    public void Written_packets_read_back_identically(bool marker, int csrcCount, bool twoByte, int padding)
    {
        uint[] csrcs = Enumerable.Range(1, csrcCount).Select(i => (uint)(i * 1000)).ToArray();
        byte[] payload = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        Span<byte> ext = stackalloc byte[64];
        var extensions = new RtpHeaderExtensionWriter(ext, twoByte);
        Assert.True(extensions.TryAdd(3, new byte[] { 1, 2, 3 }));
        Assert.True(extensions.TryAdd(5, new byte[] { 0x12, 0x34 }));

        var writer = new RtpPacketWriter
        {
            Marker = marker,
            PayloadType = 111,
            SequenceNumber = 65535,
            Timestamp = 0xFFFFFFF0,
            Ssrc = 0xCAFEBABE,
            Csrcs = csrcs,
            ExtensionProfile = extensions.Profile,
            ExtensionData = extensions.Written,
            Payload = payload,
            PaddingSize = (byte)padding,
        };
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out int written));
        Assert.Equal(buffer.Length, written);

        Assert.True(RtpPacket.TryRead(buffer, out RtpPacket rtp));
        Assert.Equal(marker, rtp.Marker);
        Assert.Equal(111, rtp.PayloadType);
        Assert.Equal(65535, rtp.SequenceNumber);
        Assert.Equal(0xFFFFFFF0u, rtp.Timestamp);
        Assert.Equal(0xCAFEBABEu, rtp.Ssrc);
        Assert.Equal(csrcCount, rtp.CsrcCount);
        for (int i = 0; i < csrcCount; i++)
        {
            Assert.Equal(csrcs[i], rtp.GetCsrc(i));
        }

        Assert.Equal(padding, rtp.PaddingSize);
        Assert.Equal(payload, rtp.Payload.ToArray());
        Assert.True(rtp.TryGetExtension(3, out ReadOnlySpan<byte> three));
        Assert.Equal(new byte[] { 1, 2, 3 }, three.ToArray());
        Assert.True(rtp.TryGetExtension(5, out ReadOnlySpan<byte> five));
        Assert.Equal(new byte[] { 0x12, 0x34 }, five.ToArray());
        Assert.Equal(0, (rtp.HeaderSize - 12 - (4 * csrcCount)) % 4);
    }

    [Fact]
    public void Writing_into_a_short_buffer_fails_without_writing()
    {
        var writer = new RtpPacketWriter { PayloadType = 96, Payload = new byte[10] };
        byte[] buffer = new byte[writer.GetSize() - 1];
        Assert.False(writer.TryWrite(buffer, out int written));
        Assert.Equal(0, written);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(0, 1, false)]
    [InlineData(15, 1, false)]
    [InlineData(1, 17, false)]
    [InlineData(14, 16, true)]
    [InlineData(1, 0, false)]
    public void One_byte_form_accepts_only_ids_1_to_14_and_lengths_1_to_16(int id, int length, bool accepted)
    {
        var writer = new RtpHeaderExtensionWriter(new byte[64]);
        Assert.Equal(accepted, writer.TryAdd(id, new byte[length]));
        Assert.Equal(accepted, RtpHeaderExtensionWriter.FitsOneByte(id, length));
    }

    [Fact]
    public void Two_byte_form_accepts_ids_up_to_255_and_empty_values()
    {
        var writer = new RtpHeaderExtensionWriter(new byte[300], twoByte: true);
        Assert.True(writer.TryAdd(255, ReadOnlySpan<byte>.Empty));
        Assert.True(writer.TryAdd(16, new byte[255]));
        Assert.False(writer.TryAdd(0, new byte[1]));
        Assert.Equal(2 + 2 + 255, writer.Length);
    }
}
