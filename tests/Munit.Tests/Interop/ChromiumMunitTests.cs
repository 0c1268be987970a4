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
public class ChromiumMunitTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Media workers of the Munit under test; with more than one, another room takes the first worker, so
    /// the test's room runs on the last (its own port, thread and engine).</summary>
    protected virtual int Workers => 1;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);
    private WebRtcMedia _media = null!;
    private MunitServer _munit = null!;
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        var options = new MunitOptions
        {
            BindAddress = "127.0.0.1",
            Port = 0,
            Workers = Workers,
        };
        _media = new WebRtcMedia(options);
        _munit = new MunitServer(options, _media);
        for (int i = 1; i < Workers; i++)
        {
            Assert.True(
                _munit.CreateStation(new StationDescriptor($"st-other-{i}", $"room-other-{i}", "nobody", "m2m", false))
            );
        }
        _chromium = await Chromium.LaunchAsync(new ChromiumOptions { Log = output.WriteLine });
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _munit.DisposeAsync();
        _media.Dispose();
    }

    [Fact]
    public async Task Chromium_viewer_decodes_a_Chromium_simulcast_publisher_and_follows_layer_changes()
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
        var answer = await viewer.EvaluateAsync<string>("o => watchWithoutRemb(o)", watch.Sdp);
        var answered = await _munit.HandleAsync(new MediaCommand(MediaOp.Answer, "st-1", "viewer") { Sdp = answer });
        Assert.True(answered.Ok, answered.Error);

        async Task<VideoStats> Stats() => await viewer.EvaluateAsync<VideoStats>("() => video()");
        async Task WaitForWidth(int width, string because)
        {
            VideoStats last = new();
            await Eventually.WaitUntilAsync(
                async () =>
                {
                    last = await Stats();
                    return last.FrameWidth == width && last.FramesDecoded > 10;
                },
                Timeout,
                because + $" (last: {last.FramesDecoded} frames, width {last.FrameWidth})"
            );
        }

        await Eventually.WaitUntilAsync(
            async () => (await Stats()).FramesDecoded > 30,
            Timeout,
            "the viewer decodes 30 frames"
        );

        SubscriberStats Viewer() => Assert.Single(_munit.FindStation("st-1")!.Media.GetStats().SubscriberDetails);

        Assert.True(
            (await _munit.HandleAsync(new MediaCommand(MediaOp.Simulcast, "st-1", "viewer") { Layer = "q" })).Ok
        );
        await WaitForWidth(320, "the viewer gets the quarter layer");
        // Chromium sends REMB although this viewer's answer dropped goog-remb: its receive-side estimate starts about
        // five seconds into the media from what arrives then (q's ~250 kbit/s here) and grows only about 1.5x past
        // what arrives. Taken as an estimate it would pin the viewer to q for good; wait for it, so the request for f
        // below always meets it (before, only a machine slow enough to take five seconds to get here did).
        await Eventually.WaitUntilAsync(
            () => Viewer().RembReceived > 0,
            Timeout,
            "the viewer's REMB reaches the Munit though the viewer did not negotiate REMB"
        );

        Assert.True(
            (await _munit.HandleAsync(new MediaCommand(MediaOp.Simulcast, "st-1", "viewer") { Layer = "f" })).Ok
        );
        // Asking for f lifts the viewer off q. How far depends on more than the request: Chromium drops its top layer
        // when short of CPU (the Munit then serves the widest layer still flowing). So the viewer must leave q and
        // decode exactly the layer the Munit forwards it, whichever that is.
        VideoStats seen = new();
        int sending = 0,
            forwarded = -1;
        var leftQ = Eventually.WaitUntilAsync(
            async () =>
            {
                forwarded = Viewer().Layer;
                if (forwarded <= 0)
                    return false;
                // The width Chromium encodes that layer at now (it may scale a layer down when short of CPU).
                sending = await publisher.EvaluateAsync<int>(
                    "rid => { return pc.getStats().then(r => { let w = 0; r.forEach(s => { if (s.type === 'outbound-rtp' && s.rid === rid) w = s.frameWidth || 0; }); return w; }); }",
                    new[] { "q", "h", "f" }[forwarded]
                );
                seen = await Stats();
                return sending > 320 && seen.FrameWidth == sending && seen.FramesDecoded > 10;
            },
            Timeout,
            "the viewer leaves q for the layer the Munit forwards once it asks for f"
        );
        try
        {
            await leftQ;
        }
        catch (Xunit.Sdk.XunitException e)
        {
            var last = Viewer();
            throw new Xunit.Sdk.XunitException(
                $"{e.Message} (last: Munit layer {forwarded} target {last.TargetLayer}, remb {last.BandwidthEstimateBps}, "
                    + $"publisher {sending}px, viewer {seen.FrameWidth}px after {seen.FramesDecoded} frames)",
                e
            );
        }
        output.WriteLine(
            $"asked for f: Munit forwards layer {forwarded} ({sending}px at the publisher), viewer decodes {seen.FrameWidth}px"
        );

        var stats = _munit.FindStation("st-1")!.Media.GetStats();
        var v = Assert.Single(stats.SubscriberDetails);
        output.WriteLine(
            $"station: in {stats.PacketsIn}, out {stats.PacketsOut}, keyframes asked {stats.KeyFrameRequestsAsked} sent {stats.KeyFrameRequestsSent}; viewer layer {v.Layer}, switches {v.LayerSwitches}, remb {v.BandwidthEstimateBps} ({v.RembReceived} received), rtt {v.RoundTripMs}, nacks {v.NacksReceived}, pli {v.KeyFrameRequests}"
        );
        Assert.True(v.LayerSwitches >= 2);
        Assert.Equal(0, v.BandwidthEstimateBps); // the viewer's REMB, not negotiated, is no estimate
        Assert.NotNull(v.RoundTripMs); // the viewer's receiver reports reach the Munit and echo its sender reports
        Assert.Equal(Workers - 1, _media.Placement.WorkerOf("room-1"));
        Assert.True(_media.Workers[Workers - 1].Engine.Forwarder.Forwarded > 0);
    }
}

/// <summary>The same on a Munit with two media workers, the publisher's and viewer's room on the second.</summary>
[Trait("Category", "Interop")]
public sealed class ChromiumMunitOnTwoWorkersTests(ITestOutputHelper output) : ChromiumMunitTests(output)
{
    protected override int Workers => 2;
}
