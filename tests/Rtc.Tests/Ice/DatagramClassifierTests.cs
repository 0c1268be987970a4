using MobZ.Rtc.Ice;

namespace MobZ.Rtc.Tests.Ice;

public class DatagramClassifierTests
{
    [Theory]
    [InlineData(0x00, 0x01, 20, DatagramKind.Stun)]
    [InlineData(0x01, 0x01, 20, DatagramKind.Stun)]
    [InlineData(0x00, 0x01, 19, DatagramKind.Unknown)]
    [InlineData(0x10, 0x00, 40, DatagramKind.Unknown)]
    [InlineData(0x14, 0xFE, 20, DatagramKind.Dtls)]
    [InlineData(0x16, 0xFE, 100, DatagramKind.Dtls)]
    [InlineData(0x17, 0xFE, 100, DatagramKind.Dtls)]
    [InlineData(0x40, 0x00, 100, DatagramKind.Unknown)]
    [InlineData(0x80, 0x60, 100, DatagramKind.Rtp)]
    [InlineData(0x90, 0xE0, 100, DatagramKind.Rtp)]
    [InlineData(0x80, 0xC8, 28, DatagramKind.Rtcp)]
    [InlineData(0x81, 0xC9, 8, DatagramKind.Rtcp)]
    [InlineData(0x8F, 0xCD, 20, DatagramKind.Rtcp)]
    [InlineData(0x81, 0xCE, 12, DatagramKind.Rtcp)]
    [InlineData(0x80, 0xDF, 12, DatagramKind.Rtcp)]
    [InlineData(0x80, 0xE0, 12, DatagramKind.Rtp)]
    [InlineData(0x80, 0x60, 11, DatagramKind.Unknown)]
    [InlineData(0xC0, 0x60, 100, DatagramKind.Unknown)]
    public void First_byte_and_payload_type_pick_the_protocol(int first, int second, int length, DatagramKind expected)
    {
        byte[] datagram = new byte[length];
        datagram[0] = (byte)first;
        datagram[1] = (byte)second;
        Assert.Equal(expected, DatagramClassifier.Classify(datagram));
    }

    [Fact]
    public void Empty_datagram_is_unknown()
    {
        Assert.Equal(DatagramKind.Unknown, DatagramClassifier.Classify(ReadOnlySpan<byte>.Empty));
    }
}
