using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using Xunit.Abstractions;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// Chromium publishes three simulcast layers to the Munit; another Chromium page watches through the Munit's
/// server offer, decodes, and follows SimulcastUpdate between the quarter and the full layer.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ChromiumMunitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);
    private WebRtcMedia _media = null!;
    private MunitServer _munit = null!;
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        var options = new MunitOptions { BindAddress = "127.0.0.1", Port = 0 };
        _media = new WebRtcMedia(options);
        _munit = new MunitServer(options, _media);
        _chromium = await Chromium.LaunchAsync(new ChromiumOptions { Log = output.WriteLine });
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _munit.DisposeAsync();
        _media.Dispose();
    }

    private sealed class VideoStats
    {
        public int FramesDecoded { get; set; }
        public int FrameWidth { get; set; }
        public int PacketsReceived { get; set; }
    }

    [Fact]
    public async Task ChromiumViewerDecodesAChromiumSimulcastPublisherAndFollowsLayerChanges()
    {
        Assert.True(_munit.CreateStation(new StationDescriptor("st-1", "room-1", "pub", "m2m", false)));
        var publisher = await _chromium.NewPageWithContentAsync(ChromiumPages.Html);
        var viewer = await _chromium.NewPageWithContentAsync(ChromiumPages.Html);

        var offer = await publisher.EvaluateAsync<string>("() => publish()");
        var published = await _munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-1", "pub") { Sdp = offer });
        Assert.True(published.Ok, published.Error);
        await publisher.EvaluateAsync("a => answer(a)", published.Sdp);

        var watch = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-1", "viewer"));
        Assert.True(watch.Ok, watch.Error);
        var answer = await viewer.EvaluateAsync<string>("o => watch(o)", watch.Sdp);
        var answered = await _munit.HandleAsync(new MediaCommand(MediaOp.Answer, "st-1", "viewer") { Sdp = answer });
        Assert.True(answered.Ok, answered.Error);

        async Task<VideoStats> Stats() => await viewer.EvaluateAsync<VideoStats>("() => video()");
        async Task WaitForWidth(int width, string because)
        {
            VideoStats last = new();
            await Eventually.WaitUntilAsync(async () =>
            {
                last = await Stats();
                return last.FrameWidth == width && last.FramesDecoded > 10;
            }, Timeout, because + $" (last: {last.FramesDecoded} frames, width {last.FrameWidth})");
        }

        await Eventually.WaitUntilAsync(async () => (await Stats()).FramesDecoded > 30, Timeout, "the viewer decodes 30 frames");

        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Simulcast, "st-1", "viewer") { Layer = "q" })).Ok);
        await WaitForWidth(320, "the viewer gets the quarter layer");

        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Simulcast, "st-1", "viewer") { Layer = "f" })).Ok);
        // Chromium drops its top layer when the machine is short of CPU; the Munit then serves the widest layer
        // still flowing (fallback). Either way the viewer must follow the publisher's widest layer above q.
        VideoStats seen = new();
        int sending = 0;
        await Eventually.WaitUntilAsync(async () =>
        {
            sending = await publisher.EvaluateAsync<int>("() => widestSending()");
            seen = await Stats();
            return sending > 320 && seen.FrameWidth == sending && seen.FramesDecoded > 10;
        }, Timeout, "the viewer gets the publisher's widest layer once it asks for f");
        output.WriteLine($"asked for f: publisher's widest layer {sending}px, viewer decodes {seen.FrameWidth}px");

        var stats = _munit.FindStation("st-1")!.Media.GetStats();
        var v = Assert.Single(stats.SubscriberDetails);
        output.WriteLine($"station: in {stats.PacketsIn}, out {stats.PacketsOut}, keyframes asked {stats.KeyFrameRequestsAsked} sent {stats.KeyFrameRequestsSent}; viewer layer {v.Layer}, switches {v.LayerSwitches}, remb {v.BandwidthEstimateBps}, rtt {v.RoundTripMs}, nacks {v.NacksReceived}, pli {v.KeyFrameRequests}");
        Assert.True(v.LayerSwitches >= 2);
        Assert.NotNull(v.RoundTripMs); // the viewer's receiver reports reach the Munit and echo its sender reports
    }
}
