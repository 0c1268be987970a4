using Microsoft.Extensions.Time.Testing;
using MobZ.Munit.Routing;
using MobZ.Munit.Rtp;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Tests.Routing;

/// <summary>Every media timer, the NTP time of sender reports and abs-send-time read the engine's one clock.</summary>
public sealed class MediaClockTests
{
    [Fact]
    public void The_engine_clock_moves_only_with_its_time_provider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var engine = new MediaEngine(time: time);
        long start = engine.NowMs;
        Assert.Equal(NtpTime.FromDateTime(time.GetUtcNow().UtcDateTime), engine.NtpNow);

        time.Advance(TimeSpan.FromMilliseconds(1500));

        Assert.Equal(start + 1500, engine.NowMs);
        Assert.Equal(NtpTime.FromDateTime(new DateTime(2030, 1, 2, 3, 4, 6, 500, DateTimeKind.Utc)), engine.NtpNow);
    }

    [Fact]
    public void Abs_send_time_advances_by_one_second_in_6_18_fixed_point_per_second_of_the_clock()
    {
        var time = new FakeTimeProvider();
        uint before = AbsSendTime.Now(time);

        time.Advance(TimeSpan.FromSeconds(1));

        uint after = AbsSendTime.Now(time);
        Assert.Equal(1u << 18, (after - before) & 0xFF_FFFF & ~1u);
    }
}
