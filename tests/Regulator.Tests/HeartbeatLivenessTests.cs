namespace MobZ.Regulator.Tests;

/// <summary>The liveness TTL a Munit writes follows how late its own heartbeats run, within the configured
/// bounds.</summary>
public sealed class HeartbeatLivenessTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<double[], double> Cases =>
        new()
        {
            // gaps between beats (s) → TTL (s)
            { new[] { 2.0, 2.0, 2.0 }, 6.0 }, // on time: the configured TTL
            { new[] { 2.0, 2.5, 2.0 }, 6.0 }, // 0.5 s late: 2 + 1.5 < 6, still the configured TTL
            { new[] { 2.0, 4.0, 2.0 }, 8.0 }, // 2 s late once: 2 + 3 × 2
            { new[] { 5.0, 3.0 }, 11.0 }, // 3 s late: 2 + 9
            { new[] { 12.0 }, 20.0 }, // 10 s late: capped at the ceiling
            { new[] { 1.0, 0.5, 1.9 }, 6.0 }, // early beats count as on time
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ttl_is_the_interval_plus_three_times_the_worst_recent_lateness_within_bounds(
        double[] gaps,
        double expectedTtl
    )
    {
        var liveness = new HeartbeatLiveness(Interval, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(20));
        var at = T0;
        liveness.Beat(at);
        foreach (var gap in gaps)
        {
            at += TimeSpan.FromSeconds(gap);
            liveness.Beat(at);
        }
        Assert.Equal(TimeSpan.FromSeconds(expectedTtl), liveness.Ttl);
    }

    [Fact]
    public void A_late_beat_stretches_the_TTL_until_it_leaves_the_window()
    {
        var liveness = new HeartbeatLiveness(Interval, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(20));
        var at = T0;
        liveness.Beat(at);
        at += TimeSpan.FromSeconds(5);
        Assert.True(liveness.Beat(at));
        Assert.Equal(TimeSpan.FromSeconds(11), liveness.Ttl);

        for (int i = 0; i < HeartbeatLiveness.Window - 1; i++)
        {
            at += Interval;
            Assert.False(liveness.Beat(at));
        }
        at += Interval;
        Assert.True(liveness.Beat(at), "the late beat left the window");
        Assert.Equal(TimeSpan.FromSeconds(6), liveness.Ttl);
    }
}
