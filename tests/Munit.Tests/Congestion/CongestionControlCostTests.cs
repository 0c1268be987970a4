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
    public void Feedback_sent_REMB_sent_and_the_REMB_estimate_are_published_on_the_MobZ_Munit_meter()
    {
        var totals = new MediaTotals
        {
            TransportCcFeedbackSent = 42,
            RembSent = 3,
            RembEstimate = 750_000,
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
    }
}
