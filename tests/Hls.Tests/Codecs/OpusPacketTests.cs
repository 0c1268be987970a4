using MobZ.Hls.Codecs;

namespace MobZ.Hls.Tests.Codecs;

public sealed class OpusPacketTests
{
    // RFC 6716 §3.1: config → frame size, c → frame count.
    [Theory]
    [InlineData(new byte[] { 0x00 << 3 }, 480)] // SILK NB 10 ms
    [InlineData(new byte[] { 0x01 << 3 }, 960)] // SILK NB 20 ms
    [InlineData(new byte[] { 0x02 << 3 }, 1920)] // SILK NB 40 ms
    [InlineData(new byte[] { 0x03 << 3 }, 2880)] // SILK NB 60 ms
    [InlineData(new byte[] { 0x0C << 3 }, 480)] // hybrid SWB 10 ms
    [InlineData(new byte[] { 0x0F << 3 }, 960)] // hybrid FB 20 ms
    [InlineData(new byte[] { 0x10 << 3 }, 120)] // CELT NB 2.5 ms
    [InlineData(new byte[] { 0x1F << 3 }, 960)] // CELT FB 20 ms
    [InlineData(new byte[] { (0x1F << 3) | 1, 0, 0 }, 1920)] // two equal frames
    [InlineData(new byte[] { (0x1F << 3) | 2, 1, 0 }, 1920)] // two different frames
    [InlineData(new byte[] { (0x1F << 3) | 3, 3 }, 2880)] // code 3, three frames
    [InlineData(new byte[] { (0x03 << 3) | 3, 2 }, 5760)] // 2 × 60 ms = 120 ms, the maximum
    public void DurationFollowsTocConfigAndFrameCount(byte[] packet, int samples)
    {
        Assert.True(OpusPacket.TryGetDuration(packet, out int duration));
        Assert.Equal(samples, duration);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (0x1F << 3) | 3 })] // code 3 without the count byte
    [InlineData(new byte[] { (0x1F << 3) | 3, 0 })] // zero frames
    [InlineData(new byte[] { (0x03 << 3) | 3, 3 })] // 180 ms
    public void RejectsPacketsWithoutAValidDuration(byte[] packet)
    {
        Assert.False(OpusPacket.TryGetDuration(packet, out _));
    }

    [Fact]
    public void Silence_frame_is_twenty_milliseconds()
    {
        Assert.True(OpusPacket.TryGetDuration(OpusPacket.Silence20Ms, out int duration));
        Assert.Equal(OpusPacket.SilenceDuration, duration);
    }
}
