using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Tests.Srtp;

public class SrtpIndexTests
{
    [Theory]
    // highest, roc, incoming -> estimated roc
    [InlineData(100, 0, 101, 0u)]
    [InlineData(100, 0, 50, 0u)]
    [InlineData(65535, 0, 0, 1u)] // wrapped forward
    [InlineData(65000, 3, 10, 4u)]
    [InlineData(10, 4, 65000, 3u)] // late packet from before the wrap
    [InlineData(10, 0, 65000, 0u)] // no earlier cycle to belong to
    [InlineData(40000, 2, 7232, 2u)] // exactly 2^15 behind: still this cycle
    [InlineData(40000, 2, 7231, 3u)] // more than 2^15 behind: the next cycle
    [InlineData(40000, 2, 7000, 3u)]
    [InlineData(0x7FFF, 1, 0xFFFF, 1u)]
    [InlineData(0, 1, 0x8001, 0u)]
    public void Rollover_counter_is_estimated_per_rfc3711_appendix_a(int highest, int roc, int incoming, uint expected)
    {
        Assert.Equal(expected, SrtpIndex.EstimateRoc((ushort)highest, (uint)roc, (ushort)incoming));
    }
}
