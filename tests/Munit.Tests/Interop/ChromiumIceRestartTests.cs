using System.Text.RegularExpressions;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using Xunit.Abstractions;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// A Chromium publisher whose network changed calls <c>restartIce()</c> and offers again: the Munit answers with new
/// ICE credentials inside the same session, so its viewer keeps decoding with no new DTLS handshake.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class ChromiumIceRestartTests(ITestOutputHelper output) : IAsyncLifetime
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

    [Fact]
    public async Task A_publisher_that_restarts_ICE_keeps_its_session_and_its_viewer_keeps_decoding()
    {
        Assert.True(_munit.CreateStation(new StationDescriptor("st-r", "room-r", "pub", "m2m", false)));
        var publisher = await _chromium.NewPageWithContentAsync(ChromiumPages.Html);
        var viewer = await _chromium.NewPageWithContentAsync(ChromiumPages.Html);

        var offer = await publisher.EvaluateAsync<string>("() => publish()");
        var published = await _munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-r", "pub") { Sdp = offer });
        Assert.True(published.Ok, published.Error);
        await publisher.EvaluateAsync("a => answer(a)", published.Sdp);
        var watch = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-r", "viewer"));
        Assert.True(watch.Ok, watch.Error);
        var answer = await viewer.EvaluateAsync<string>("o => watch(o)", watch.Sdp);
        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Answer, "st-r", "viewer") { Sdp = answer })).Ok);
        await Eventually.WaitUntilAsync(
            async () => (await viewer.EvaluateAsync<VideoStats>("() => video()")).FramesDecoded > 30,
            Timeout,
            "the viewer decodes 30 frames before the restart"
        );

        var restartOffer = await publisher.EvaluateAsync<string>(
            "async () => { pc.restartIce(); await pc.setLocalDescription(await pc.createOffer()); return pc.localDescription.sdp; }"
        );
        Assert.NotEqual(Ufrag(offer), Ufrag(restartOffer));
        var restarted = await _munit.HandleAsync(
            new MediaCommand(MediaOp.Publish, "st-r", "pub") { Sdp = restartOffer }
        );
        Assert.True(restarted.Ok, restarted.Error);
        Assert.NotEqual(Ufrag(published.Sdp!), Ufrag(restarted.Sdp!));
        await publisher.EvaluateAsync("a => answer(a)", restarted.Sdp);

        // The publisher's checks with the new credentials succeed (its ICE restart completes on the Munit) ...
        await Eventually.WaitUntilAsync(
            () =>
                publisher.EvaluateAsync<bool>(
                    $"async () => {{ let ok = false; (await pc.getStats()).forEach(s => {{ if (s.type === 'transport' && s.iceLocalUsernameFragment === '{Ufrag(restartOffer)}' && s.selectedCandidatePairId) ok = true; }}); return ok; }}"
                ),
            Timeout,
            "the publisher's transport runs on the restarted ICE credentials"
        );
        // ... and media keeps reaching the viewer through the same session.
        int before = (await viewer.EvaluateAsync<VideoStats>("() => video()")).FramesDecoded;
        await Eventually.WaitUntilAsync(
            async () => (await viewer.EvaluateAsync<VideoStats>("() => video()")).FramesDecoded > before + 60,
            Timeout,
            "the viewer decodes 60 more frames after the restart"
        );
        Assert.Equal("connected", await publisher.EvaluateAsync<string>("() => state()"));
        var stats = _munit.FindStation("st-r")!.Media.GetStats();
        output.WriteLine($"station: in {stats.PacketsIn}, out {stats.PacketsOut}; viewer frames {before} -> more");
    }

    private static string Ufrag(string sdp) => UfragLine().Match(sdp).Groups[1].Value;

    [GeneratedRegex(@"a=ice-ufrag:(\S+)")]
    private static partial Regex UfragLine();
}
