using MobZ.Munit.Congestion;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>
/// The Munit's estimate of the path to a viewer, from that viewer's transport-cc feedback, on synthetic paths
/// (<see cref="ViewerPath"/>): a simulcast viewer whose high layer wants 2.5 Mbit/s.
/// </summary>
public sealed class SendSideEstimatorTests
{
    private const long HighLayerBps = 2_500_000;

    [Fact]
    public void Behind_a_300_kbit_bottleneck_the_estimate_settles_near_it_within_a_few_seconds()
    {
        var path = new ViewerPath(linkBps: 300_000, demandBps: HighLayerBps);

        var first = path.Run(TimeSpan.FromSeconds(4));
        var after = path.Run(TimeSpan.FromSeconds(16));

        Assert.Contains(first, e => e is > 0 and <= 400_000);
        Assert.All(after, e => Assert.InRange(e, 120_000, 420_000));
        Assert.InRange(after.Average(), 180_000, 360_000);
    }

    [Fact]
    public void Once_the_bottleneck_is_lifted_the_estimate_grows_again()
    {
        var path = new ViewerPath(linkBps: 300_000, demandBps: HighLayerBps);
        path.Run(TimeSpan.FromSeconds(10));
        long constrained = path.Estimator.Estimate;
        Assert.InRange(constrained, 120_000, 420_000);

        path.LinkBps = 10_000_000;
        path.Run(TimeSpan.FromSeconds(20));

        Assert.True(
            path.Estimator.Estimate == 0 || path.Estimator.Estimate > 3 * constrained,
            $"{constrained} → {path.Estimator.Estimate}"
        );
    }

    [Fact]
    public void Five_percent_random_loss_alone_does_not_drain_the_estimate()
    {
        // First a bottleneck gives the estimate a value; then the link is wide but loses 5 % at random.
        var path = new ViewerPath(linkBps: 1_000_000, demandBps: 800_000, seed: 7);
        path.Run(TimeSpan.FromSeconds(10));
        path.LinkBps = 10_000_000;
        path.LossRate = 0.05;

        var samples = path.Run(TimeSpan.FromSeconds(30));

        Assert.All(samples.Skip(50), e => Assert.True(e == 0 || e >= 600_000, $"estimate {e}"));
        Assert.InRange(path.Estimator.LossFraction, 0.02, 0.10);
    }

    [Fact]
    public void Heavy_loss_without_a_queue_still_brings_the_estimate_down()
    {
        var path = new ViewerPath(linkBps: 10_000_000, demandBps: 1_000_000, seed: 3) { LossRate = 0.3 };

        path.Run(TimeSpan.FromSeconds(10));

        Assert.InRange(path.Estimator.Estimate, 1, 700_000);
        Assert.True(path.Estimator.LossBased > 0);
    }

    [Fact]
    public void Repeated_and_reordered_feedback_counts_each_packet_once_and_converges_the_same()
    {
        var path = new ViewerPath(linkBps: 300_000, demandBps: HighLayerBps);
        byte[]? held = null;
        path.Deliver = message =>
        {
            // Each message arrives twice, and every other one after the next.
            if (held is null)
            {
                held = message;
                return;
            }
            path.Sender.OnFeedback(message, path.NowMs);
            path.Sender.OnFeedback(held, path.NowMs);
            path.Sender.OnFeedback(message, path.NowMs);
            path.Sender.OnFeedback(held, path.NowMs);
            held = null;
        };

        var after = path.Run(TimeSpan.FromSeconds(20)).Skip(50).ToList();

        Assert.True(path.Sender.DuplicateReports > 0);
        Assert.Equal(0, path.Sender.MalformedFeedback);
        Assert.All(after, e => Assert.InRange(e, 120_000, 420_000));
    }

    [Fact]
    public void Malformed_feedback_is_a_counted_drop_that_changes_nothing()
    {
        var path = new ViewerPath(linkBps: 300_000, demandBps: HighLayerBps);
        path.Run(TimeSpan.FromSeconds(5));
        long before = path.Estimator.Estimate;
        long taken = path.Sender.FeedbackReceived;
        var random = new Random(5);

        var garbage = new byte[40];
        for (int i = 0; i < 200; i++)
        {
            random.NextBytes(garbage);
            path.Sender.OnFeedback(garbage, path.NowMs);
        }
        byte[] truncated = [0x8F, 205, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9]; // FMT 15, status count 9, no chunks
        Assert.False(path.Sender.OnFeedback(truncated, path.NowMs));

        Assert.Equal(201, path.Sender.MalformedFeedback + path.Sender.FeedbackReceived - taken);
        Assert.True(path.Sender.MalformedFeedback >= 190);
        Assert.Equal(before, path.Estimator.Estimate);
    }

    [Fact]
    public void Feedback_about_numbers_never_sent_is_ignored_and_counted()
    {
        var sender = new TransportCcSender(3);
        var recorder = new TransportCcRecorder();
        recorder.Record(500, 1000, 2);
        recorder.Record(501, 2000, 2);
        var buffer = new byte[200];
        Assert.True(recorder.TryWriteFeedback(buffer, 1, out int written));

        Assert.True(sender.OnFeedback(buffer.AsSpan(0, written), 0));

        Assert.Equal(2, sender.UnknownReports);
        Assert.Equal(0, sender.Estimator.Estimate);
    }
}
