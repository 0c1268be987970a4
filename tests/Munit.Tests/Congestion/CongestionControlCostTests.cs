using System.Diagnostics.Metrics;
using MobZ.Munit.Congestion;
using MobZ.Munit.Control;
using MobZ.Munit.Stats;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>What congestion control costs on the packet path (nothing allocated) and what it shows operators.</summary>
public sealed class CongestionControlCostTests
{
    [Fact]
    public void Recording_arrivals_and_writing_feedback_allocate_nothing()
    {
        var recorder = new TransportCcRecorder();
        var estimator = new ReceiveSideEstimator();
        var buffer = new byte[1500];
        void Run(int from)
        {
            for (int i = from; i < from + 5000; i++)
            {
                long arrival = 1_000_000 + (i * 700L);
                if (i % 50 != 0)
                    recorder.Record((ushort)i, arrival, 1);
                estimator.OnPacket(RtpExtensionValues.AbsSendTimeFromMicroseconds(i * 690L), 1200, arrival);
                if (i % 100 == 0)
                {
                    while (recorder.TryWriteFeedback(buffer, 2, out _)) { }
                    estimator.Update(4_000_000, arrival / 1000);
                }
            }
        }
        Run(0); // warm up (JIT, first use)

        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(5000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(recorder.FeedbackCount > 90);
    }

    [Fact]
    public void Numbering_packets_to_a_viewer_and_taking_its_feedback_allocate_nothing()
    {
        var path = new ViewerPath(linkBps: 300_000, demandBps: 2_500_000);
        path.Run(TimeSpan.FromSeconds(3)); // warm up (JIT, first use), and congestion is seen
        var sender = new TransportCcSender(3);
        var viewer = new TransportCcRecorder();
        var packet = new byte[1300];
        var feedback = new byte[1500];
        var writer = new RtpPacketWriter
        {
            PayloadType = 96,
            Ssrc = 1,
            Payload = new byte[1100],
        };
        Assert.True(writer.TryWrite(packet, out int length));
        void Run(int from)
        {
            for (int i = from; i < from + 5000; i++)
            {
                long sendUs = 1_000_000 + (i * 1000L);
                sender.Stamp(packet, length, sendUs);
                if (i % 20 != 0)
                    viewer.Record((ushort)i, sendUs + 20_000 + (i % 7 * 300), 1);
                if (i % 100 == 0)
                {
                    while (viewer.TryWriteFeedback(feedback, 2, out int n))
                        sender.OnFeedback(feedback.AsSpan(0, n), sendUs / 1000);
                }
            }
        }
        Run(0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(5000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sender.FeedbackReceived > 90);
    }

    [Fact]
    public void Feedback_sent_REMB_sent_and_the_REMB_estimate_are_published_on_the_MobZ_Munit_meter()
    {
        var totals = new MediaTotals
        {
            TransportCcFeedbackSent = 42,
            RembSent = 3,
            RembEstimate = 750_000,
            ViewerEstimate = 420_000,
            ViewersEstimated = 2,
            ViewerTransportCcFeedback = 77,
            ViewerTransportCcFeedbackMalformed = 1,
        };
        using var metrics = new MunitMetrics("munit-cc", totals, new RtcTransportCounters(), () => 0, () => default);
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MunitMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>(
            (instrument, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "munit" && (string?)tag.Value == "munit-cc")
                        seen[instrument.Name] = value;
                }
            }
        );
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(42, seen["mobz.munit.transport_cc.feedback.sent"]);
        Assert.Equal(3, seen["mobz.munit.remb.sent"]);
        Assert.Equal(750_000, seen["mobz.munit.remb.estimate"]);
        Assert.Equal(420_000, seen["mobz.munit.viewer.estimate"]);
        Assert.Equal(2, seen["mobz.munit.viewer.estimated"]);
        Assert.Equal(77, seen["mobz.munit.viewer.transport_cc.feedback"]);
        Assert.Equal(1, seen["mobz.munit.viewer.transport_cc.feedback.malformed"]);
    }
}
