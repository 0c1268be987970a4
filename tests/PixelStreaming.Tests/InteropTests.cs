using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using MobZ.LocalStack.Hosting;
using MobZ.PixelStreaming.Matching;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using Xunit.Abstractions;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// The whole path on the local stack: our streamer page in headless Chromium (fake camera) started by the
/// local instance provider, Epic's frontend library as the player, the local API-Gateway-compatible gateway between.
/// </summary>
[Trait("Category", "Interop")]
public sealed class InteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private const string VideoPlays = """
        () => {
          const v = document.querySelector('#video video');
          return !!v && v.videoWidth > 0 && v.currentTime > 0.3 && !v.paused;
        }
        """;

    [Fact]
    public async Task Epic_player_plays_the_local_streamer_and_a_second_player_waits_in_the_queue_until_it_frees_up()
    {
        await using var stack = await LocalStackHost.StartAsync(new LocalStackOptions
        {
            Urls = "http://127.0.0.1:0",
            // Only Pixel Streaming, mounted as Program.cs mounts it, so other capabilities cannot disturb this test.
            Capabilities = b => b.AddCapability(s => s.AddPixelStreaming())
                .AddWebSocketApi("/ps", "$request.body.type", sp => sp.GetRequiredService<Signaling.PixelStreamingHandler>())
                .AddHttpApi("/api", sp => sp.GetRequiredService<Api.PixelStreamingApiHandler>())
                .AddHttpApi("/ps/dev-token", sp => sp.GetRequiredService<Api.DevTokenHandler>()),
            PrintReadyLine = false,
            MinimumLogLevel = LogLevel.Warning,
        });
        var store = stack.Services.GetRequiredService<IStateStore>();
        var keys = stack.Services.GetRequiredService<PsKeys>();
        var streamerKey = keys.Streamer(Local.LocalStreamerBoot.BootInstanceId);
        await Eventually.WaitUntilAsync(async () => await store.HashGetAsync(streamerKey, PsFields.State) == StreamerStates.Idle, Slow,
            "the local streamer registered and is idle");

        await using var chromium = await Chromium.LaunchAsync(new ChromiumOptions
        {
            FakeMedia = false,
            ExtraArgs = ["--autoplay-policy=no-user-gesture-required"],
            Log = output.WriteLine,
        });
        var first = await chromium.NewPageAsync();
        await first.GotoAsync(new Uri(stack.BaseUrl, "ps/index.html?autoplay=1&userId=first-viewer").AbsoluteUri);
        await WaitForPlaybackAsync(first, "the first player");
        Assert.Equal("first-viewer", await store.HashGetAsync(streamerKey, PsFields.Player));
        Assert.Equal(StreamerStates.Busy, await store.HashGetAsync(streamerKey, PsFields.State));

        var second = await chromium.NewPageAsync();
        await second.GotoAsync(new Uri(stack.BaseUrl, "ps/index.html?autoplay=1&userId=second-viewer").AbsoluteUri);
        await Eventually.WaitUntilAsync(async () => await store.HashGetAsync(keys.Player("second-viewer"), PsFields.State) == PlayerStates.Waiting, Slow,
            "the second player is in the waiting queue");
        var lists = await second.EvaluateAsync<string[][]>("() => window.__player.streamerLists");
        Assert.Equal(["waiting_queue"], lists[0]);
        // Our page shows the queueStatus Epic's library ignores.
        await Eventually.WaitUntilAsync(() => second.EvaluateAsync<bool>("() => document.getElementById('status').textContent.includes('position 1')"), Slow,
            "the second player's page shows its queue position");

        // The first viewer leaves: the worker restarts the streamer, which comes back and takes the queue's head.
        await first.CloseAsync();
        await WaitForPlaybackAsync(second, "the queued player after the streamer freed up");
        Assert.Equal("second-viewer", await store.HashGetAsync(streamerKey, PsFields.Player));
    }

    private static async Task WaitForPlaybackAsync(IPage page, string who)
    {
        await Eventually.WaitUntilAsync(() => page.EvaluateAsync<bool>(VideoPlays), Slow, $"{who}'s video element plays");
        var before = await page.EvaluateAsync<double>("() => document.querySelector('#video video').currentTime");
        await Eventually.WaitUntilAsync(async () => await page.EvaluateAsync<double>("() => document.querySelector('#video video').currentTime") > before + 0.5,
            TimeSpan.FromSeconds(10), $"{who}'s video keeps advancing");
        var decoded = await page.EvaluateAsync<double>("""
            async () => {
              const v = document.querySelector('#video video');
              return v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
            }
            """);
        Assert.True(decoded > 0, $"{who} decoded no frames");

        // Playing is not enough: a person must see it. The video's box is on screen at a usable size.
        var box = await page.Locator("#video video").BoundingBoxAsync();
        Assert.True(box is { Width: >= 320, Height: >= 180 }, $"{who}'s video is {box?.Width ?? 0} x {box?.Height ?? 0} px on the page");
        Assert.True(await page.Locator("#video video").IsVisibleAsync(), $"{who}'s video is visible");
    }
}
