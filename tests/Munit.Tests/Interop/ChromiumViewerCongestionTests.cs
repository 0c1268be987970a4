using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using MobZ.TestKit.Network;
using Xunit.Abstractions;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// A Chromium viewer in its own network namespace negotiates transport-cc (so it sends the Munit no REMB) and
/// watches a Chromium simulcast publisher; when tc limits what reaches the viewer to 300 kbit/s, the Munit's
/// send-side estimate from the viewer's feedback moves it to the lowest layer.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ChromiumViewerCongestionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private NetworkNamespace _namespace = null!;
    private WebRtcMedia _media = null!;
    private MunitServer _munit = null!;
    private Chromium _publisherBrowser = null!;
    private Chromium _viewerBrowser = null!;

    public async Task InitializeAsync()
    {
        _namespace = await NetworkNamespace.CreateAsync();
        var options = new MunitOptions { BindAddress = _namespace.HostAddress.ToString(), Port = 0 };
        _media = new WebRtcMedia(options);
        _munit = new MunitServer(options, _media);
        _publisherBrowser = await Chromium.LaunchAsync(new ChromiumOptions { Log = output.WriteLine });
        _viewerBrowser = await Chromium.LaunchAsync(
            new ChromiumOptions
            {
                Log = output.WriteLine,
                ExecutablePath = _namespace.Wrap(new ChromiumOptions().ExecutablePath),
            }
        );
    }

    public async Task DisposeAsync()
    {
        await _viewerBrowser.DisposeAsync();
        await _publisherBrowser.DisposeAsync();
        await _munit.DisposeAsync();
        _media.Dispose();
        await _namespace.DisposeAsync();
    }

    [Fact]
    public async Task A_Chromium_viewer_behind_300_kbit_is_moved_to_the_lowest_layer_by_the_Munits_estimate()
    {
        Assert.True(_munit.CreateStation(new StationDescriptor("st-1", "room-1", "pub", "m2m", false)));
        var publisher = await _publisherBrowser.NewPageWithContentAsync(ChromiumPages.Html);
        var offer = await publisher.EvaluateAsync<string>("() => publish()");
        var published = await _munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-1", "pub") { Sdp = offer });
        Assert.True(published.Ok, published.Error);
        await publisher.EvaluateAsync("a => answer(a)", published.Sdp);

        var viewer = await _viewerBrowser.NewPageWithContentAsync(ChromiumPages.Html);
        var watch = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-1", "viewer"));
        Assert.True(watch.Ok, watch.Error);
        var answer = await viewer.EvaluateAsync<string>("o => watch(o)", watch.Sdp);
        Assert.Contains("transport-cc", answer);
        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Answer, "st-1", "viewer") { Sdp = answer })).Ok);

        SubscriberStats Viewer() => Assert.Single(_munit.FindStation("st-1")!.Media.GetStats().SubscriberDetails);
        await Eventually.WaitUntilAsync(
            async () =>
            {
                var video = await viewer.EvaluateAsync<VideoStats>("() => video()");
                var stats = Viewer();
                output.WriteLine($"viewer: width {video.FrameWidth}, layer {stats.Layer}, target {stats.TargetLayer}");
                return video.FramesDecoded > 30 && stats.Layer >= 1;
            },
            Timeout,
            "the viewer decodes a layer above the lowest before its link is limited"
        );
        Assert.Equal("transport-cc", Viewer().BandwidthSource);
        Assert.True(Viewer().TransportCcFeedback > 0);

        // What reaches the viewer's namespace drops to 300 kbit/s.
        await _namespace.LimitDownlinkAsync("300kbit");
        output.WriteLine("the viewer's downlink is limited to 300 kbit/s");
        var limited = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.WaitUntilAsync(
            () =>
            {
                var stats = Viewer();
                output.WriteLine(
                    $"{limited.Elapsed.TotalSeconds:F1} s: layer {stats.Layer}, target {stats.TargetLayer}, "
                        + $"estimate {stats.BandwidthEstimateBps / 1000} kbit/s (delay {stats.DelayBasedEstimateBps / 1000}, "
                        + $"loss {stats.LossBasedEstimateBps / 1000}), acked {stats.AcknowledgedBps / 1000} kbit/s"
                );
                return Task.FromResult(stats.Layer == 0 && stats.BandwidthEstimateBps is > 0 and < 400_000);
            },
            TimeSpan.FromSeconds(15),
            "the Munit's estimate moves the viewer to the lowest layer"
        );
        output.WriteLine($"on the lowest layer after {limited.Elapsed.TotalSeconds:F1} s");
        Assert.True(_media.Workers[0].Engine.Forwarder.Totals.ViewersEstimated >= 1);
    }
}
