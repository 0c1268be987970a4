using Microsoft.Extensions.Time.Testing;
using MobZ.Munit.Congestion;
using MobZ.Munit.Routing;
using MobZ.Munit.Tests.Routing;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>
/// A viewer that negotiated transport-cc sends no REMB (Chromium), so the Munit's own send-side estimate from its
/// feedback is what caps its simulcast layer: here a viewer behind a 100 kbit/s link, whose browser is a real
/// transport-cc recorder, ends on the lowest layer; the estimate shows in its stats and in the engine's totals.
/// </summary>
public sealed class ViewerEstimateTests
{
    private const uint VideoSsrc = 0xBEEF01,
        AudioSsrc = 0xBEEF02,
        VideoRtxSsrc = 0xBEEF03;
    private static readonly uint[] LayerSsrcs = [ForwardingRig.LowSsrc, ForwardingRig.MidSsrc, ForwardingRig.HighSsrc];
    private static readonly string[] Rids = ["q", "h", "f"];
    private static readonly int[] Sizes = [200, 600, 1100]; // one packet a frame: ~50, ~150, ~270 kbit/s

    private sealed class Rig : IDisposable
    {
        private readonly FakeTimeProvider _time = new();
        private readonly TransportCcRecorder _browser = new();
        private readonly byte[] _feedback = new byte[1500];
        private int _seen;
        private long _linkFreeUs;
        private int _frame;

        public Rig(bool transportCc, uint rtxSsrc = 0)
        {
            Forwarding = new ForwardingRig(simulcast: true, time: _time);
            (Viewer, Out) = Forwarding.AddViewer("a", AudioSsrc, VideoSsrc, rtxSsrc);
            if (transportCc)
                Forwarding.Engine.SetTransportCc(Viewer, 3, feedback: true);
        }

        public ForwardingRig Forwarding { get; }
        public Subscriber Viewer { get; }
        public RecordingOutput Out { get; }
        public long LinkBps { get; set; } = 10_000_000;
        public long NowMs => Forwarding.Engine.NowMs;
        public SimulcastConsumer Consumer =>
            Forwarding.Station.ViewerConsumers("a").OfType<SimulcastConsumer>().Single();

        /// <summary>30 frames a second on every layer (a key frame each second); the viewer's packets cross its
        /// link and it reports them every 100 ms.</summary>
        public void Run(TimeSpan duration)
        {
            int frames = (int)(duration.TotalMilliseconds / 33);
            for (int i = 0; i < frames; i++, _frame++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(33));
                long nowMs = NowMs;
                for (int l = 0; l < 3; l++)
                {
                    var packet = Packets.Vp8(
                        LayerSsrcs[l],
                        (ushort)(1000 * l + _frame),
                        (uint)(_frame * 3000),
                        _frame % 30 == 0,
                        Rids[l],
                        Sizes[l]
                    );
                    Forwarding.Send(packet, nowMs);
                }
                for (; _seen < Out.Rtp.Count; _seen++)
                {
                    var packet = Out.Rtp[_seen];
                    Assert.True(RtpPacket.TryRead(packet, out var rtp));
                    Assert.True(rtp.TryGetExtension(3, out var number) || Viewer.TransportCc is null);
                    long start = Math.Max(nowMs * 1000, _linkFreeUs);
                    _linkFreeUs = start + (packet.Length * 8 * 1_000_000L / LinkBps);
                    if (Viewer.TransportCc is not null)
                        _browser.Record((ushort)((number[0] << 8) | number[1]), _linkFreeUs + 20_000, VideoSsrc);
                }
                if (_frame % 3 == 0)
                {
                    while (_browser.TryWriteFeedback(_feedback, 0x5EED, out int written))
                        Forwarding.Engine.OnSubscriberRtcp(Viewer, _feedback.AsSpan(0, written), nowMs, 0);
                }
                Forwarding.Engine.Tick(nowMs, 0);
            }
        }

        public void Dispose() => Forwarding.Dispose();
    }

    [Fact]
    public void Behind_a_100_kbit_link_a_transport_cc_viewer_is_capped_to_the_lowest_layer_by_the_Munits_estimate()
    {
        using var rig = new Rig(transportCc: true);
        rig.Run(TimeSpan.FromSeconds(2)); // layer bitrates are measured; the viewer aims at the top layer
        Assert.Equal(2, rig.Consumer.TargetLayer);

        rig.LinkBps = 100_000;
        rig.Run(TimeSpan.FromSeconds(6));

        Assert.Equal(0, rig.Consumer.TargetLayer);
        Assert.Equal(0, rig.Consumer.CurrentLayer);
        long estimate = rig.Viewer.TransportCc!.Estimator.Estimate;
        Assert.InRange(estimate, 1, 150_000);
        var stats = Assert.Single(rig.Forwarding.Station.GetStats(rig.NowMs).SubscriberDetails);
        Assert.Equal("transport-cc", stats.BandwidthSource);
        Assert.Equal(estimate, stats.BandwidthEstimateBps);
        Assert.True(stats.TransportCcFeedback > 50);
        var totals = rig.Forwarding.Engine.Forwarder.Totals;
        Assert.Equal(estimate, totals.ViewerEstimate);
        Assert.Equal(1, totals.ViewersEstimated);
    }

    [Fact]
    public void Once_the_link_is_lifted_probing_takes_a_capped_viewer_back_to_the_top_layer_within_10_s()
    {
        using var rig = new Rig(transportCc: true, rtxSsrc: VideoRtxSsrc);
        rig.Run(TimeSpan.FromSeconds(2));
        rig.LinkBps = 100_000;
        rig.Run(TimeSpan.FromSeconds(6));
        Assert.Equal(0, rig.Consumer.CurrentLayer);
        long capped = rig.Viewer.TransportCc!.Estimator.Estimate;

        rig.LinkBps = 10_000_000;
        int seconds = 0;
        while (rig.Consumer.CurrentLayer != 2 && seconds < 10)
        {
            rig.Run(TimeSpan.FromSeconds(1));
            seconds++;
        }

        Assert.Equal(2, rig.Consumer.CurrentLayer);
        var prober = rig.Viewer.TransportCc.Prober;
        Assert.True(prober.Succeeded > 0, $"{prober.Started} clusters, {prober.Succeeded} carried");
        Assert.True(rig.Viewer.TransportCc.Estimator.Estimate > 2 * capped);
        // The probes were padding on the viewer's RTX stream: its media numbering has no gap from them.
        Assert.Contains(rig.Out.Rtp, p => RtpPacket.TryRead(p, out var rtp) && rtp.Ssrc == VideoRtxSsrc);
        var totals = rig.Forwarding.Engine.Forwarder.Totals;
        Assert.Equal(prober.Started, totals.ProbeClusters);
        Assert.Equal(prober.PaddingBytes, totals.ProbePaddingBytes);
    }

    [Fact]
    public void Behind_a_link_that_stays_limited_probes_back_off_and_the_viewer_keeps_its_layer()
    {
        using var rig = new Rig(transportCc: true, rtxSsrc: VideoRtxSsrc);
        rig.Run(TimeSpan.FromSeconds(2));
        rig.LinkBps = 100_000;

        rig.Run(TimeSpan.FromSeconds(20));

        Assert.Equal(0, rig.Consumer.CurrentLayer);
        var prober = rig.Viewer.TransportCc!.Prober;
        Assert.True(prober.Failed > 0);
        Assert.Equal(0, prober.Succeeded);
        // With backoff doubling to 4 s, 20 s hold few clusters (each lasts 0.2 s).
        Assert.InRange(prober.Started, 1, 10);
        Assert.InRange(rig.Viewer.TransportCc.Estimator.Estimate, 1, 150_000);
    }

    [Fact]
    public void Video_that_does_not_fit_a_transport_cc_estimate_is_paused_and_resumes_once_probing_finds_room()
    {
        using var rig = new Rig(transportCc: true, rtxSsrc: VideoRtxSsrc);
        rig.Run(TimeSpan.FromSeconds(2));
        rig.LinkBps = 30_000; // the lowest layer alone brings ~50 kbit/s
        int seconds = 0;
        while (!rig.Consumer.Paused && seconds < 15)
        {
            rig.Run(TimeSpan.FromSeconds(1));
            seconds++;
        }
        Assert.True(rig.Consumer.Paused, $"paused within 15 s (estimate {rig.Viewer.TransportCc!.Estimator.Estimate})");

        int before = rig.Out.Rtp.Count(p => RtpPacket.TryRead(p, out var rtp) && rtp.Ssrc == VideoSsrc);
        rig.Run(TimeSpan.FromSeconds(1));
        if (rig.Consumer.Paused)
        {
            Assert.Equal(before, rig.Out.Rtp.Count(p => RtpPacket.TryRead(p, out var rtp) && rtp.Ssrc == VideoSsrc));
        }
        var stats = Assert.Single(rig.Forwarding.Station.GetStats(rig.NowMs).SubscriberDetails);
        Assert.True(stats.Pauses >= 1);
        Assert.True(rig.Forwarding.Engine.Forwarder.Totals.TrackPauses >= 1);

        // The link widens: probing finds the room with the video gone, and the track resumes.
        rig.LinkBps = 10_000_000;
        seconds = 0;
        while (rig.Consumer.CurrentLayer != 2 && seconds < 20)
        {
            rig.Run(TimeSpan.FromSeconds(1));
            seconds++;
        }
        Assert.False(rig.Consumer.Paused);
        Assert.Equal(2, rig.Consumer.CurrentLayer);
        Assert.True(rig.Out.Rtp.Count(p => RtpPacket.TryRead(p, out var rtp) && rtp.Ssrc == VideoSsrc) > before);
    }

    [Fact]
    public void A_REMB_viewer_below_the_lowest_layer_keeps_it_because_nothing_could_end_a_pause()
    {
        // A receiver's REMB follows what reaches it: with only audio flowing it would never rise again.
        using var rig = new Rig(transportCc: false);
        rig.Run(TimeSpan.FromSeconds(2));
        rig.Forwarding.Engine.OnSubscriberRtcp(rig.Viewer, Packets.Remb(1, 30_000, VideoSsrc), rig.NowMs, 0);
        rig.Run(TimeSpan.FromSeconds(3)); // the lowest layer brings ~50 kbit/s: it does not fit, for over 2 s

        int before = rig.Out.Rtp.Count(p => RtpPacket.TryRead(p, out var rtp) && rtp.Ssrc == VideoSsrc);
        rig.Run(TimeSpan.FromSeconds(2));
        Assert.False(rig.Consumer.Paused);
        Assert.Equal(0, rig.Consumer.CurrentLayer);
        Assert.True(rig.Out.Rtp.Count(p => RtpPacket.TryRead(p, out var rtp) && rtp.Ssrc == VideoSsrc) > before);
        var stats = Assert.Single(rig.Forwarding.Station.GetStats(rig.NowMs).SubscriberDetails);
        Assert.Equal("bandwidth", stats.LayerReason);
        Assert.Equal(0, stats.Pauses);
    }

    [Fact]
    public void Without_congestion_the_estimate_sets_no_cap()
    {
        using var rig = new Rig(transportCc: true);
        rig.Run(TimeSpan.FromSeconds(6));

        Assert.Equal(2, rig.Consumer.TargetLayer);
        Assert.Equal(0, rig.Viewer.BandwidthBps);
        Assert.Equal(0, rig.Forwarding.Engine.Forwarder.Totals.ViewersEstimated);
    }

    [Fact]
    public void A_transport_cc_viewers_REMB_is_counted_but_does_not_set_its_bandwidth()
    {
        using var rig = new Rig(transportCc: true);
        rig.Run(TimeSpan.FromSeconds(2));

        rig.Forwarding.Engine.OnSubscriberRtcp(rig.Viewer, Packets.Remb(1, 60_000, VideoSsrc), rig.NowMs, 0);
        rig.Forwarding.Engine.Tick(rig.NowMs, 0);

        Assert.Equal(1, rig.Viewer.RembReceived);
        Assert.Equal(0, rig.Viewer.BandwidthBps);
        Assert.Equal(2, rig.Consumer.TargetLayer);
    }

    [Fact]
    public void Removing_a_capped_viewer_takes_its_estimate_out_of_the_totals()
    {
        using var rig = new Rig(transportCc: true);
        rig.Run(TimeSpan.FromSeconds(2));
        rig.LinkBps = 100_000;
        rig.Run(TimeSpan.FromSeconds(6));
        var totals = rig.Forwarding.Engine.Forwarder.Totals;
        Assert.Equal(1, totals.ViewersEstimated);

        rig.Forwarding.Engine.Remove(rig.Viewer);

        Assert.Equal(0, totals.ViewersEstimated);
        Assert.Equal(0, totals.ViewerEstimate);
    }
}
