using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MobZ.Access;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using Xunit.Abstractions;

namespace MobZ.Hls.Tests.Serving;

/// <summary>
/// hls.js in headless Chromium plays a live stream packaged from ffmpeg's RTP, through the viewer page, with playback
/// tokens required as in production: the tokened URL signaling hands out plays; the bare one is refused and the page
/// says so.
/// </summary>
public sealed class HlsJsPlaybackTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Interop")]
    public async Task HLS_js_plays_the_live_stream_in_low_latency_mode_without_errors()
    {
        await using IStateBackend backend = await StateBackend.CreateAsync(
            null,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance
        );
        const string secret = "hls-js-playback-secret-0123456789abcdef";
        await using HlsTestServer server = await HlsTestServer.StartAsync(
            backend,
            _ => { },
            s => s.AddMobZAccess(o => o.HmacSecret = secret),
            requirePlaybackToken: true
        );
        string stream = $"room-{Guid.NewGuid():N}";
        string token = new AccessTokenIssuer(new AccessTokenOptions { HmacSecret = secret }, TimeProvider.System).Issue(
            "viewer-1",
            stream,
            AccessGrant.Join | AccessGrant.Subscribe,
            TimeSpan.FromHours(1)
        );
        HlsPackager packager = server.Services.GetRequiredService<IHlsPackagerFactory>().Create(stream);
        Task publishing = FfmpegRtpCapture.CaptureAsync(20, live: p => FfmpegRtpCapture.Feed(p, packager));

        await using Chromium chromium = await Chromium.LaunchAsync(new ChromiumOptions { Log = output.WriteLine });
        IPage page = await chromium.Context.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"console: {message.Text}");
        await page.GotoAsync($"{server.Client.BaseAddress}viewer/index.html?stream={stream}");
        await Eventually.WaitUntilAsync(
            async () =>
                await page.EvaluateAsync<string>("window.mobzHls.stats.state") == "refused"
                && (await page.EvaluateAsync<string>("document.getElementById('state').textContent")).Contains(
                    "(401)",
                    StringComparison.Ordinal
                ),
            TimeSpan.FromSeconds(20),
            "the viewer should say that the URL without a token is refused"
        );

        // What signaling hands a p2m viewer: the token in the path, inherited by every URI the playlists name.
        await page.GotoAsync(
            $"{server.Client.BaseAddress}viewer/index.html?stream={Uri.EscapeDataString($"/hls/{stream}/t/{token}/index.m3u8")}"
        );

        // Playing, and still advancing some seconds later.
        await Eventually.WaitUntilAsync(
            async () => await page.EvaluateAsync<double>("document.getElementById('video').currentTime") > 4,
            TimeSpan.FromSeconds(20),
            "hls.js should start playing the stream"
        );
        double before = await page.EvaluateAsync<double>("document.getElementById('video').currentTime");
        await Eventually.WaitUntilAsync(
            async () => await page.EvaluateAsync<double>("document.getElementById('video').currentTime") > before + 3,
            TimeSpan.FromSeconds(10),
            "playback should keep advancing"
        );

        string stats = (await page.EvaluateAsync<JsonElement>("JSON.stringify(window.mobzHls.stats)")).GetString()!;
        output.WriteLine($"viewer stats: {stats}");
        using JsonDocument doc = JsonDocument.Parse(stats);
        Assert.Equal("playing", doc.RootElement.GetProperty("state").GetString());
        Assert.DoesNotContain(doc.RootElement.GetProperty("errors").EnumerateArray(), e =>
            e.GetString()!.Contains("fatal")
        );
        // Program date time comes from ffmpeg's sender reports (this machine's clock), so now − PDT is never
        // negative (a PDT ahead of the wall clock was a bug) and the player is at the live edge, not replaying the
        // window from its start. How small the latency is on a quiet machine is measured in bench/RESULTS.md, not
        // here: a busy machine decodes late.
        double latency = doc.RootElement.GetProperty("latencySeconds").GetDouble();
        output.WriteLine($"latency {latency:0.00} s");
        Assert.InRange(latency, 0, 15);
        Assert.Equal(0, await page.EvaluateAsync<int>("document.getElementById('video').videoWidth === 320 ? 0 : 1"));

        await publishing;
        await packager.DisposeAsync();
    }
}
