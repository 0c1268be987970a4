using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Tests.Rtp;

public class SequenceNumbersTests
{
    [Theory]
    [InlineData(1, 0, true)]
    [InlineData(0, 1, false)]
    [InlineData(0, 65535, true)]
    [InlineData(65535, 0, false)]
    [InlineData(5, 5, false)]
    [InlineData(32767, 0, true)]
    [InlineData(32768, 0, true)]
    [InlineData(0, 32768, false)]
    [InlineData(32769, 0, false)]
    [InlineData(100, 65500, true)]
    public void IsNewer_16bit_handles_wrap(int a, int b, bool newer)
    {
        Assert.Equal(newer, SequenceNumbers.IsNewer((ushort)a, (ushort)b));
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, -1)]
    [InlineData(65535, 0, 1)]
    [InlineData(0, 65535, -1)]
    [InlineData(65500, 100, 136)]
    [InlineData(100, 65500, -136)]
    [InlineData(7, 7, 0)]
    [InlineData(0, 32767, 32767)]
    [InlineData(0, 32769, -32767)]
    public void Distance_16bit_is_signed_and_wrap_aware(int from, int to, int expected)
    {
        Assert.Equal(expected, SequenceNumbers.Distance((ushort)from, (ushort)to));
    }

    [Theory]
    [InlineData(1u, 0u, true)]
    [InlineData(0u, 0xFFFFFFFFu, true)]
    [InlineData(0xFFFFFFFFu, 0u, false)]
    [InlineData(0x7FFFFFFFu, 0u, true)]
    [InlineData(0x80000001u, 0u, false)]
    public void IsNewer_32bit_handles_wrap(uint a, uint b, bool newer)
    {
        Assert.Equal(newer, SequenceNumbers.IsNewer(a, b));
    }

    [Theory]
    [InlineData(0xFFFFFF00u, 0x00000100u, 512L)]
    [InlineData(0x00000100u, 0xFFFFFF00u, -512L)]
    [InlineData(90000u, 93000u, 3000L)]
    public void Distance_32bit_is_signed_and_wrap_aware(uint from, uint to, long expected)
    {
        Assert.Equal(expected, SequenceNumbers.Distance(from, to));
    }

    [Fact]
    public void Latest_picks_the_newer_across_the_wrap()
    {
        Assert.Equal(2, SequenceNumbers.Latest((ushort)65534, (ushort)2));
        Assert.Equal(10u, SequenceNumbers.Latest(0xFFFFFFF0u, 10u));
    }
}
