using Microsoft.Playwright;
using MobZ.Interop.Tests.Rooms;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Live;

/// <summary>
/// Issue: Chromium publishes its fake camera (H.264 + Opus) into a p2m room on the local stack; a viewer
/// joins, is sent to the LL-HLS playback URL from its JoinAck, and plays it with hls.js in low-latency mode.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class P2mHlsInteropTests(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A Chromium publisher in p2m room <paramref name="room"/> (its page's query plus
    /// <paramref name="publisherQuery"/>), then a viewer page that follows its JoinAck to the LL-HLS viewer.</summary>
    private async Task<IPage> PublishAndViewAsync(string room, string publisherQuery)
    {
        var publisherPage = await stack.Browser.NewPageAsync();
        await publisherPage.GotoAsync(
            stack.Page($"/room/index.html?room={room}&kind=p2m&role=publisher&autojoin=1{publisherQuery}").ToString()
        );
        var publisher = new RoomPage(publisherPage);
        await Eventually.WaitUntilAsync(
            async () => await publisher.PublishStateAsync() == "connected",
            Timeout,
            "the p2m publisher's peer connection to the Munit is connected"
        );

        var viewer = await stack.Browser.NewPageAsync();
        await viewer.GotoAsync(stack.Page($"/room/index.html?room={room}&kind=p2m&role=viewer&autojoin=1").ToString());
        await Eventually.WaitUntilAsync(
            () => viewer.Url.Contains("/hls/index.html?stream=", StringComparison.Ordinal),
            Timeout,
            "the viewer's JoinAck carries a playback URL and the page opens it"
        );
        return viewer;
    }

    [Fact]
    public async Task Hlsjs_plays_a_p2m_publisher_in_low_latency_mode()
    {
        var room = "live-" + Guid.NewGuid().ToString("N")[..8];
        var viewer = await PublishAndViewAsync(room, "");
        // The stack requires playback tokens: the URL carries the one signaling minted for this viewer, in its path.
        Assert.Contains(Uri.EscapeDataString($"/hls/{room}/t/"), viewer.Url);

        double firstTime = 0;
        await Eventually.WaitUntilAsync(
            async () =>
            {
                firstTime = await viewer.EvaluateAsync<double>("() => document.getElementById('video').currentTime");
                return firstTime > 0.5;
            },
            Timeout,
            "the video element starts advancing"
        );
        await Eventually.WaitUntilAsync(
            async () =>
                await viewer.EvaluateAsync<double>("() => document.getElementById('video').currentTime")
                > firstTime + 2,
            Timeout,
            "playback keeps advancing"
        );

        var decoded = await viewer.EvaluateAsync<int>(
            "() => document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames"
        );
        Assert.True(decoded > 0, "hls.js fed decodable frames to the video element");
        var errors = await viewer.EvaluateAsync<string[]>("() => window.mobzHls.stats.errors");
        Assert.DoesNotContain(errors, e => e.EndsWith("(fatal)", StringComparison.Ordinal));
        var lowLatency = await viewer.EvaluateAsync<bool>("() => window.mobzHls.hls.lowLatencyMode");
        Assert.True(lowLatency);

        // Program date time comes from the publisher's RTCP sender reports, i.e. the capture clock of the same
        // machine, so this is glass-to-glass minus the camera and the display. In low-latency mode hls.js holds the
        // playhead a few parts behind live and catches up after a stall; without it, it would sit three target
        // durations (6 s) back or more. A busy machine can stall playback for a moment (bufferStalledError), so the
        // test waits for the playhead to be within that bound instead of reading it once.
        double latency = double.NaN;
        try
        {
            await Eventually.WaitUntilAsync(
                async () =>
                {
                    latency = await viewer.EvaluateAsync<double?>("() => window.mobzHls.stats.latencySeconds")
                        ?? double.NaN;
                    return latency is >= 0.0 and <= 6.0;
                },
                Timeout,
                "hls.js plays within 6 s of the publisher's frames"
            );
        }
        finally
        {
            errors = await viewer.EvaluateAsync<string[]>("() => window.mobzHls.stats.errors");
            output.WriteLine(
                $"publisher frame → viewer playhead latency: {latency:F2} s; {decoded} frames decoded; errors: {string.Join(", ", errors)}"
            );
        }
    }

    /// <summary>
    /// Issue 12, the adaptive ladder: a p2m publisher that sends simulcast (Chromium, three rids, H.264) gets one
    /// LL-HLS rendition per layer, no transcoding; hls.js lists them as levels and plays each when forced to it.
    /// </summary>
    [Fact]
    public async Task Simulcast_publisher_gets_one_rendition_per_layer_and_hlsjs_plays_each()
    {
        var room = "ladder-" + Guid.NewGuid().ToString("N")[..8];
        var viewer = await PublishAndViewAsync(room, "&simulcast=1");
        string playback = System.Web.HttpUtility.ParseQueryString(new Uri(viewer.Url).Query)["stream"]!;

        // The multivariant playlist, once every layer has media: a variant each, with its own picture size.
        using var http = new HttpClient { BaseAddress = stack.Stack.BaseUrl };
        string multivariant = "";
        string[] resolutions = [];
        await Eventually.WaitUntilAsync(
            async () =>
            {
                multivariant = await http.GetStringAsync(playback);
                resolutions = System
                    .Text.RegularExpressions.Regex.Matches(multivariant, "RESOLUTION=(\\d+x\\d+)")
                    .Select(m => m.Groups[1].Value)
                    .ToArray();
                return resolutions.Distinct().Count() >= 2;
            },
            Timeout,
            "the multivariant playlist lists at least two renditions with distinct RESOLUTION"
        );
        output.WriteLine(multivariant);
        Assert.All(
            multivariant.Split('\n').Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)),
            l =>
            {
                Assert.Matches("CODECS=\"avc1\\.[0-9a-f]{6},opus\"", l);
                Assert.Matches("BANDWIDTH=[1-9]", l);
            }
        );

        // hls.js read the multivariant playlist before the other layers flowed: load it again.
        await viewer.ReloadAsync();
        await Eventually.WaitUntilAsync(
            async () => await viewer.EvaluateAsync<int>("() => window.mobzHls.hls?.levels?.length ?? 0") >= 2,
            Timeout,
            "hls.js lists the renditions as levels"
        );
        int levels = await viewer.EvaluateAsync<int>("() => window.mobzHls.hls.levels.length");
        for (int level = levels - 1; level >= 0; level--)
        {
            int height = await viewer.EvaluateAsync<int>($"() => window.mobzHls.hls.levels[{level}].height");
            await viewer.EvaluateAsync($"() => {{ window.mobzHls.hls.currentLevel = {level}; }}");
            double before = 0;
            await Eventually.WaitUntilAsync(
                async () =>
                {
                    bool switched = await viewer.EvaluateAsync<bool>(
                        $"() => window.mobzHls.hls.currentLevel === {level} "
                            + $"&& document.getElementById('video').videoHeight === {height}"
                    );
                    before = await viewer.EvaluateAsync<double>("() => document.getElementById('video').currentTime");
                    return switched;
                },
                Timeout,
                $"hls.js plays level {level} ({height} lines)"
            );
            await Eventually.WaitUntilAsync(
                async () =>
                    await viewer.EvaluateAsync<double>("() => document.getElementById('video').currentTime")
                    > before + 1,
                Timeout,
                $"playback advances on level {level}"
            );
            output.WriteLine($"level {level}: {height} lines, playing");
        }

        var errors = await viewer.EvaluateAsync<string[]>("() => window.mobzHls.stats.errors");
        output.WriteLine($"errors: {string.Join(", ", errors)}");
        Assert.DoesNotContain(errors, e => e.EndsWith("(fatal)", StringComparison.Ordinal));
    }
}
