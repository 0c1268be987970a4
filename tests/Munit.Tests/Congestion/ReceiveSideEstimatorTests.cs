using MobZ.Munit.Congestion;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>
/// The Munit's estimate of a publisher without transport-cc, driven by synthetic arrival sequences: a sender of
/// 30 frames a second whose packets cross a bottleneck link with a FIFO queue, on a simulated clock (the tick
/// every 20 ms, as the media engine runs it).
/// </summary>
public sealed class ReceiveSideEstimatorTests
{
    private const long UpperBound = 4_000_000;
    private const int PacketBytes = 1200;

    /// <summary>A sender and a link. <paramref name="followEstimate"/>: the sender sets its rate to the estimate
    /// (as a browser does with REMB) from the first one on.</summary>
    private sealed class Path(long senderBps, long linkBps, long sendClockStartUs = 0, bool followEstimate = false)
    {
        public ReceiveSideEstimator Estimator { get; } = new();
        public long SenderBps { get; private set; } = senderBps;
        public long LinkBps { get; set; } = linkBps;
        public List<BandwidthUsage> Usages { get; } = [];
        private long _nowUs;
        private long _linkFreeUs;
        private long _nextTickUs;
        private long _budgetBytes;

        public long Run(TimeSpan duration)
        {
            long end = _nowUs + (long)duration.TotalMicroseconds;
            for (; _nowUs < end; _nowUs += 33_333)
            {
                _budgetBytes += SenderBps / 30 / 8;
                for (int i = 0; _budgetBytes >= PacketBytes; i++, _budgetBytes -= PacketBytes)
                {
                    long send = _nowUs + (i * 500); // the sender's pacer spreads a frame's packets
                    long arrival = Math.Max(send + 20_000, _linkFreeUs + (PacketBytes * 8 * 1_000_000L / LinkBps));
                    _linkFreeUs = arrival;
                    TickUntil(arrival);
                    uint abs = RtpExtensionValues.AbsSendTimeFromMicroseconds(sendClockStartUs + send);
                    Estimator.OnPacket(abs, PacketBytes, arrival);
                    Usages.Add(Estimator.Usage);
                }
            }

            TickUntil(end);
            return Estimator.Estimate;
        }

        private void TickUntil(long us)
        {
            while (_nextTickUs <= us)
            {
                long estimate = Estimator.Update(UpperBound, _nextTickUs / 1000);
                if (followEstimate && estimate > 0)
                    SenderBps = estimate;
                _nextTickUs += 20_000;
            }
        }
    }

    [Fact]
    public void There_is_no_estimate_before_the_first_seconds_of_traffic()
    {
        var path = new Path(senderBps: 1_000_000, linkBps: 10_000_000);
        Assert.Equal(0, path.Run(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void On_an_open_path_the_estimate_grows_beyond_what_arrives_but_not_past_half_again()
    {
        var path = new Path(senderBps: 1_000_000, linkBps: 20_000_000);
        long estimate = path.Run(TimeSpan.FromSeconds(12));
        Assert.DoesNotContain(BandwidthUsage.Overusing, path.Usages);
        Assert.InRange(estimate, 1_050_000, 1_520_000);
    }

    [Fact]
    public void A_sender_above_the_link_rate_is_told_less_than_the_link_carries()
    {
        var path = new Path(senderBps: 1_000_000, linkBps: 500_000);
        long estimate = path.Run(TimeSpan.FromSeconds(3));
        Assert.Contains(BandwidthUsage.Overusing, path.Usages);
        Assert.InRange(estimate, 250_000, 500_000);
    }

    [Fact]
    public void A_sender_that_follows_the_estimate_settles_near_a_500_kbit_link_and_climbs_back_when_it_widens()
    {
        var path = new Path(senderBps: 1_500_000, linkBps: 500_000, followEstimate: true);
        path.Run(TimeSpan.FromSeconds(10));
        Assert.InRange(path.SenderBps, 300_000, 550_000);

        path.LinkBps = 5_000_000;
        path.Run(TimeSpan.FromSeconds(20));
        Assert.True(path.SenderBps > 900_000, $"sender at {path.SenderBps} bit/s 20 s after the link widened");
    }

    [Fact]
    public void The_24_bit_abs_send_time_wrapping_every_64_seconds_reads_as_no_delay_change()
    {
        // The sender's clock starts 2 s before abs-send-time wraps.
        var path = new Path(senderBps: 1_000_000, linkBps: 20_000_000, sendClockStartUs: 62_000_000);
        long estimate = path.Run(TimeSpan.FromSeconds(8));
        Assert.DoesNotContain(BandwidthUsage.Overusing, path.Usages);
        Assert.DoesNotContain(BandwidthUsage.Underusing, path.Usages);
        Assert.InRange(estimate, 1_000_000, 1_520_000);
    }
}
