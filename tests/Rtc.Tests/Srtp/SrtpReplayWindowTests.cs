using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Tests.Srtp;

public class SrtpReplayWindowTests
{
    [Theory]
    [InlineData(new ulong[] { }, 5, SrtpStatus.Ok)]
    [InlineData(new ulong[] { 5 }, 5, SrtpStatus.ReplayDuplicate)]
    [InlineData(new ulong[] { 5 }, 4, SrtpStatus.Ok)]
    [InlineData(new ulong[] { 5, 4 }, 4, SrtpStatus.ReplayDuplicate)]
    [InlineData(new ulong[] { 200 }, 73, SrtpStatus.Ok)] // 127 behind: inside
    [InlineData(new ulong[] { 200 }, 72, SrtpStatus.ReplayTooOld)] // 128 behind: outside
    [InlineData(new ulong[] { 1, 1000 }, 1, SrtpStatus.ReplayTooOld)]
    [InlineData(new ulong[] { 1, 100 }, 1, SrtpStatus.ReplayDuplicate)]
    [InlineData(new ulong[] { 1, 100, 300 }, 200, SrtpStatus.Ok)]
    [InlineData(new ulong[] { 1, 100, 300 }, 301, SrtpStatus.Ok)]
    [InlineData(new ulong[] { 0x1_0000_0005 }, 0x1_0000_0005, SrtpStatus.ReplayDuplicate)]
    public void Check_reports_duplicates_and_packets_behind_the_window(
        ulong[] accepted,
        ulong index,
        SrtpStatus expected
    )
    {
        var window = new SrtpReplayWindow();
        foreach (var a in accepted)
            window.Accept(a);

        Assert.Equal(expected, window.Check(index));
    }

    [Fact]
    public void Check_does_not_change_the_window()
    {
        var window = new SrtpReplayWindow();
        window.Accept(10);
        window.Check(1000);

        Assert.Equal(10ul, window.Highest);
        Assert.Equal(SrtpStatus.Ok, window.Check(9));
    }
}
