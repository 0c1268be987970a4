using System.Diagnostics;
using MobZ.Munit.Control;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// A Chromium viewer in its own network namespace negotiates transport-cc (so it sends the Munit no REMB) and
/// watches a Chromium simulcast publisher beside a second viewer outside the namespace. When tc limits what reaches
/// the first viewer to 300 kbit/s, the Munit's send-side estimate from its feedback moves it to the lowest layer
/// while the other keeps its own; once the limit is lifted, probing finds the room again and the viewer is back on
/// the layer it had within 10 s.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ChromiumViewerCongestionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private NamespacedMunit _rig = null!;

    public async Task InitializeAsync() => _rig = await NamespacedMunit.StartAsync(output.WriteLine);

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_viewer_behind_300_kbit_drops_to_the_lowest_layer_and_climbs_back_within_10_s_once_lifted()
    {
        var outside = await _rig.OutsideAsync();
        await _rig.PublishAsync(outside, "st-1");
        var shaped = await _rig.WatchAsync(_rig.Inside, "st-1", "shaped");
        var other = await _rig.WatchAsync(outside, "st-1", "other");

        int chosen = -1,
            otherLayer = -1;
        await Eventually.WaitUntilAsync(
            async () =>
            {
                var video = await shaped.EvaluateAsync<VideoStats>("() => video()");
                var stats = _rig.Viewer("st-1", "shaped");
                chosen = stats.Layer;
                otherLayer = _rig.Viewer("st-1", "other").Layer;
                output.WriteLine($"shaped viewer: width {video.FrameWidth}, layer {chosen}; other: layer {otherLayer}");
                return video.FramesDecoded > 30 && chosen >= 1 && otherLayer >= 1;
            },
            Timeout,
            "both viewers decode a layer above the lowest before the link is limited"
        );
        Assert.Equal("transport-cc", _rig.Viewer("st-1", "shaped").BandwidthSource);
        Assert.True(_rig.Viewer("st-1", "shaped").TransportCcFeedback > 0);

        // What reaches the shaped viewer's namespace drops to 300 kbit/s.
        await _rig.Network.LimitDownlinkAsync("300kbit");
        output.WriteLine("the shaped viewer's downlink is limited to 300 kbit/s");
        var clock = Stopwatch.StartNew();
        await Eventually.WaitUntilAsync(
            () =>
            {
                var stats = Log(clock);
                return Task.FromResult(stats.Layer == 0 && stats.BandwidthEstimateBps is > 0 and < 400_000);
            },
            TimeSpan.FromSeconds(15),
            "the Munit's estimate moves the shaped viewer to the lowest layer"
        );
        output.WriteLine($"on the lowest layer after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(_rig.Media.Workers[0].Engine.Forwarder.Totals.ViewersEstimated >= 1);
        Assert.True(_rig.Viewer("st-1", "other").Layer >= otherLayer, "the other viewer keeps its layer");

        // The limit is lifted: probing has to show the estimate the room it has again.
        var before = await shaped.EvaluateAsync<VideoStats>("() => video()");
        await _rig.Network.LiftDownlinkLimitAsync();
        output.WriteLine($"limit lifted; the shaped viewer had layer {chosen}");
        clock.Restart();
        await Eventually.WaitUntilAsync(
            () => Task.FromResult(Log(clock).Layer >= chosen),
            TimeSpan.FromSeconds(10),
            $"the shaped viewer is back on layer {chosen} within 10 s of the limit lifted"
        );
        output.WriteLine($"back on layer {chosen} after {clock.Elapsed.TotalSeconds:F1} s");
        var after = await shaped.EvaluateAsync<VideoStats>("() => video()");
        output.WriteLine(
            $"freezes while climbing back: {after.FreezeCount - before.FreezeCount}, "
                + $"{after.TotalFreezesDuration - before.TotalFreezesDuration:F2} s"
        );
        Assert.True(_rig.Viewer("st-1", "shaped").ProbesSucceeded > 0);
        Assert.True(_rig.Viewer("st-1", "other").Layer >= otherLayer, "the other viewer keeps its layer");
    }

    private SubscriberStats Log(Stopwatch clock)
    {
        var stats = _rig.Viewer("st-1", "shaped");
        output.WriteLine(
            $"{clock.Elapsed.TotalSeconds:F1} s: layer {stats.Layer}, target {stats.TargetLayer}, "
                + $"estimate {stats.BandwidthEstimateBps / 1000} kbit/s (delay {stats.DelayBasedEstimateBps / 1000}, "
                + $"loss {stats.LossBasedEstimateBps / 1000}), acked {stats.AcknowledgedBps / 1000} kbit/s, "
                + $"wants {stats.WantedBps / 1000} kbit/s, probes {stats.ProbesSucceeded}/{stats.ProbeClusters} "
                + $"(last {stats.LastProbeBps / 1000} kbit/s)"
        );
        return stats;
    }
}
