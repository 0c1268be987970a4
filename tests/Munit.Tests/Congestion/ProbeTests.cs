using MobZ.Munit.Congestion;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>
/// Probing's two pure parts: <see cref="Prober"/> (when a cluster starts, how much padding it owes, how results
/// back it off) and <see cref="ProbeClusterMeter"/> (what the feedback about a cluster says the link carried).
/// </summary>
public sealed class ProbeTests
{
    [Theory]
    [InlineData(0, 1_000_000, 0)] // no estimate: nothing caps the viewer, nothing to probe for
    [InlineData(500_000, 400_000, 0)] // what it wants fits
    [InlineData(500_000, 500_000, 0)]
    [InlineData(500_000, 550_000, 625_000)] // at least a quarter more than the estimate
    [InlineData(500_000, 800_000, 800_000)] // what it wants
    [InlineData(500_000, 3_000_000, 1_000_000)] // at most twice the estimate
    public void A_cluster_starts_only_when_the_viewer_wants_more_than_its_estimate(
        long estimate,
        long wanted,
        long target
    )
    {
        var prober = new Prober();

        int cluster = prober.TryStart(estimate, wanted, sending: 300_000, nowMs: 1000);

        Assert.Equal(target > 0, cluster != 0);
        if (target > 0)
            Assert.Equal(target, prober.TargetBps);
    }

    [Fact]
    public void A_cluster_owes_the_padding_between_its_target_and_the_media_then_ends_after_200_ms()
    {
        var prober = new Prober();
        int cluster = prober.TryStart(estimate: 500_000, wanted: 1_000_000, sending: 400_000, nowMs: 0);
        long padded = 0;
        int ended = 0;
        for (long now = 0; ended == 0; now += 20)
        {
            int due = prober.PaddingDue(now, out ended);
            prober.OnPaddingSent(due);
            padded += due;
            Assert.Equal(ended == 0 ? cluster : 0, prober.ActiveCluster);
        }

        // 600 kbit/s of padding for 200 ms (plus the tick sent up front) is about 15 kB.
        Assert.InRange(padded, 14_000, 17_000);
        Assert.Equal(cluster, ended);
        Assert.Equal(0, prober.TryStart(500_000, 1_000_000, 400_000, 400)); // its result is awaited
    }

    [Fact]
    public void Clusters_the_link_did_not_carry_back_the_next_off_doubling_up_to_4_s()
    {
        var prober = new Prober();
        long now = 0;
        var gaps = new List<long>();
        long lastStart = 0;
        for (int i = 0; i < 6; i++)
        {
            while (prober.TryStart(300_000, 1_000_000, 300_000, now) == 0)
                now += 10;
            if (i > 0)
                gaps.Add(now - lastStart);
            lastStart = now;
            int cluster = prober.ActiveCluster;
            while (prober.PaddingDue(now, out _) >= 0 && prober.ActiveCluster != 0)
                now += 20;
            Assert.False(prober.OnResult(cluster, 310_000, now)); // the link carried no more than before
        }

        // Each gap is the cluster (200 ms, and the tick it ends on) plus the backoff: 1, 2, 4, 4, 4 s.
        long[] backoffs = [1000, 2000, 4000, 4000, 4000];
        for (int i = 0; i < gaps.Count; i++)
            Assert.InRange(gaps[i] - backoffs[i], Prober.ClusterMs, Prober.ClusterMs + 30);
        Assert.Equal(6, prober.Failed);
    }

    [Fact]
    public void A_carried_cluster_lets_the_next_start_half_a_second_later_and_resets_the_backoff()
    {
        var prober = new Prober();
        int first = prober.TryStart(300_000, 1_000_000, 300_000, 0);
        prober.PaddingDue(200, out _);
        Assert.False(prober.OnResult(first, 100_000, 300)); // failed: backoff 1 s
        Assert.Equal(0, prober.TryStart(300_000, 1_000_000, 300_000, 1200));
        int second = prober.TryStart(300_000, 1_000_000, 300_000, 1300);
        prober.PaddingDue(1500, out _);

        Assert.True(prober.OnResult(second, 590_000, 1600));

        Assert.Equal(0, prober.TryStart(590_000, 1_000_000, 300_000, 2050));
        Assert.NotEqual(0, prober.TryStart(590_000, 1_000_000, 300_000, 2100));
        Assert.Equal(590_000, prober.LastResultBps);
    }

    [Fact]
    public void A_cluster_whose_feedback_never_comes_counts_as_failed()
    {
        var prober = new Prober();
        prober.TryStart(300_000, 1_000_000, 300_000, 0);
        prober.PaddingDue(200, out _);

        prober.Tick(200 + ProbeClusterMeter.SettleMs + 999);
        Assert.Equal(0, prober.Failed);
        prober.Tick(200 + ProbeClusterMeter.SettleMs + 1000);

        Assert.Equal(1, prober.Failed);
    }

    /// <summary>One cluster of 1000-byte packets sent every <paramref name="sendGapUs"/> µs, arriving every
    /// <paramref name="arrivalGapUs"/> µs (a link slower than the cluster spreads it out).</summary>
    [Theory]
    [InlineData(8_000, 8_000, 1_000_000)] // sent at 1 Mbit/s, arrived at 1 Mbit/s
    [InlineData(8_000, 4_000, 1_000_000)] // arrived bunched (a queue drained): no more than was sent
    [InlineData(8_000, 20_000, 380_000)] // arrived at 400 kbit/s: the link is full, a little under it
    [InlineData(8_000, 8_500, 941_176)] // arrived a little slower: that rate
    public void A_clusters_rate_is_the_lower_of_send_and_arrival_rates(long sendGapUs, long arrivalGapUs, long expected)
    {
        var meter = new ProbeClusterMeter();
        for (int i = 0; i < 20; i++)
            meter.OnSent(1);
        meter.End(1, 200);
        for (int i = 0; i < 20; i++)
            meter.OnReceived(1, i * sendGapUs, 50_000 + (i * arrivalGapUs), 1000);

        Assert.True(meter.TryTakeResult(300, out int cluster, out long bps));

        Assert.Equal(1, cluster);
        Assert.InRange(bps, expected * 0.99, expected * 1.01);
        Assert.False(meter.TryTakeResult(300, out _, out _)); // judged once
    }

    [Fact]
    public void A_clusters_result_waits_for_most_of_its_packets_or_for_the_settle_time()
    {
        var meter = new ProbeClusterMeter();
        for (int i = 0; i < 20; i++)
            meter.OnSent(2);
        meter.End(2, 200);
        for (int i = 0; i < 10; i++)
            meter.OnReceived(2, i * 8_000, i * 8_000, 1000);

        Assert.False(meter.TryTakeResult(500, out _, out _)); // half reported: more may come
        Assert.True(meter.TryTakeResult(200 + ProbeClusterMeter.SettleMs, out _, out long bps));
        Assert.InRange(bps, 990_000, 1_010_000); // what did arrive, arrived at the rate sent
    }

    [Fact]
    public void A_cluster_with_too_few_packets_arrived_fails_with_no_rate()
    {
        var meter = new ProbeClusterMeter();
        for (int i = 0; i < 20; i++)
            meter.OnSent(3);
        meter.End(3, 0);
        meter.OnReceived(3, 0, 0, 1000);
        meter.OnReceived(3, 8_000, 8_000, 1000);

        Assert.True(meter.TryTakeResult(ProbeClusterMeter.SettleMs, out int cluster, out long bps));

        Assert.Equal(3, cluster);
        Assert.Equal(0, bps);
    }
}
