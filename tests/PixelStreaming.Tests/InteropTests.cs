using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using MobZ.LocalStack.Hosting;
using MobZ.LocalStack.PixelStreaming;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using MobZ.TestKit.Redis;
using Xunit.Abstractions;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// The whole path on the local stack: our streamer page in headless Chromium (fake camera) started by the
/// local instance provider, Epic's frontend library as the player, the local API-Gateway-compatible gateway between.
/// </summary>
[Trait("Category", "Interop")]
public sealed class InteropTests(ITestOutputHelper output, RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private const string VideoPlays = """
        () => {
          const v = document.querySelector('#video video');
          return !!v && v.videoWidth > 0 && v.currentTime > 0.3 && !v.paused;
        }
        """;

    private static Task<RunningLocalStack> StartStackAsync(string? redis = null, string? keyPrefix = null) =>
        LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = redis ?? "",
                RedisKeyPrefix = keyPrefix,
                // Only Pixel Streaming, mounted as Program.cs mounts it (with its local streamer), so other
                // capabilities cannot disturb this test.
                Capabilities = b => b.AddLocalPixelStreaming(),
                PrintReadyLine = false,
                MinimumLogLevel = LogLevel.Warning,
            }
        );

    [Fact]
    public async Task Epic_player_plays_the_local_streamer_and_a_second_player_waits_in_the_queue_until_it_frees_up()
    {
        await using var stack = await StartStackAsync();
        var store = stack.Services.GetRequiredService<IStateStore>();
        var keys = stack.Services.GetRequiredService<PsKeys>();
        var streamerKey = keys.Streamer(LocalStreamerBoot.BootInstanceId);
        await Eventually.WaitUntilAsync(
            async () => await store.HashGetAsync(streamerKey, PsFields.State) == StreamerStates.Idle,
            Slow,
            "the local streamer registered and is idle"
        );

        await using var chromium = await Chromium.LaunchAsync(
            new ChromiumOptions
            {
                FakeMedia = false,
                ExtraArgs = ["--autoplay-policy=no-user-gesture-required"],
                Log = output.WriteLine,
            }
        );
        var first = await chromium.NewPageAsync();
        await first.GotoAsync(new Uri(stack.BaseUrl, "ps/index.html?autoplay=1&userId=first-viewer").AbsoluteUri);
        await WaitForPlaybackAsync(first, "the first player");
        Assert.Equal("first-viewer", await store.HashGetAsync(streamerKey, PsFields.Player));
        Assert.Equal(StreamerStates.Busy, await store.HashGetAsync(streamerKey, PsFields.State));

        var second = await chromium.NewPageAsync();
        await second.GotoAsync(new Uri(stack.BaseUrl, "ps/index.html?autoplay=1&userId=second-viewer").AbsoluteUri);
        await Eventually.WaitUntilAsync(
            async () => await store.HashGetAsync(keys.Player("second-viewer"), PsFields.State) == PlayerStates.Waiting,
            Slow,
            "the second player is in the waiting queue"
        );
        var lists = await second.EvaluateAsync<string[][]>("() => window.__player.streamerLists");
        Assert.Equal(["waiting_queue"], lists[0]);
        // Our page shows the queueStatus Epic's library ignores.
        await Eventually.WaitUntilAsync(
            () =>
                second.EvaluateAsync<bool>(
                    "() => document.getElementById('status').textContent.includes('position 1')"
                ),
            Slow,
            "the second player's page shows its queue position"
        );
        // ...on the stage, in words, where the video will be.
        var queue = second.Locator("#queue");
        await Eventually.WaitUntilAsync(
            async () =>
                await queue.IsVisibleAsync()
                && await second.Locator("#queue-position").InnerTextAsync() == "You are next in the queue",
            Slow,
            "the queue card over the stage says the second player is next"
        );
        Assert.Matches(
            "^(About .+ to wait\\.|Every streamer is busy; you get the next free one\\.)$",
            await second.Locator("#queue-wait").InnerTextAsync()
        );
        await second.ScreenshotAsync(
            new()
            {
                Path = Path.Combine(
                    Directory
                        .CreateDirectory(Path.Combine(MobZ.TestKit.Repository.Repo.Artifacts, "screenshots"))
                        .FullName,
                    "ps-queued.png"
                ),
            }
        );

        // The first viewer leaves: the worker restarts the streamer, which comes back and takes the queue's head.
        await first.CloseAsync();
        await WaitForPlaybackAsync(second, "the queued player after the streamer freed up");
        Assert.Equal("second-viewer", await store.HashGetAsync(streamerKey, PsFields.Player));
        Assert.True(await queue.IsHiddenAsync(), "the queue card is gone once the video plays");
    }

    /// <summary>
    /// The streamer goes away mid-session (its instance is deleted) and comes back later (started again under
    /// the same id). Epic's stock frontend, left alone, sees its socket closed, reconnects, waits, and plays the
    /// streamer again: no click, no reload. On both backends.
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Epic_player_whose_streamer_leaves_mid_session_waits_and_plays_again_by_itself_when_it_comes_back(
        string backend
    )
    {
        await using var stack =
            backend == Backends.Redis
                ? await StartStackAsync(redis.Configuration, redis.NewKeyPrefix())
                : await StartStackAsync();
        var store = stack.Services.GetRequiredService<IStateStore>();
        var keys = stack.Services.GetRequiredService<PsKeys>();
        var streamerId = LocalStreamerBoot.BootInstanceId;
        await Eventually.WaitUntilAsync(
            async () => await store.HashGetAsync(keys.Streamer(streamerId), PsFields.State) == StreamerStates.Idle,
            Slow,
            "the local streamer registered and is idle"
        );

        await using var chromium = await Chromium.LaunchAsync(
            new ChromiumOptions
            {
                FakeMedia = false,
                ExtraArgs = ["--autoplay-policy=no-user-gesture-required"],
                Log = output.WriteLine,
            }
        );
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(new Uri(stack.BaseUrl, "ps/index.html?autoplay=1&userId=steady-viewer").AbsoluteUri);
        await WaitForPlaybackAsync(page, "the player");

        using var api = new HttpClient { BaseAddress = stack.BaseUrl };
        api.DefaultRequestHeaders.Add("x-api-key", LocalPixelStreamingExtensions.DevApiKey);
        Assert.Equal(
            System.Net.HttpStatusCode.NoContent,
            (await api.DeleteAsync($"api/instances/{streamerId}")).StatusCode
        );

        // As from Epic's server: the socket is closed, the library reconnects by itself, and the page shows it waits.
        await Eventually.WaitUntilAsync(
            () =>
                page.EvaluateAsync<bool>(
                    "() => window.__player.closes.some(c => c.code === 1000 && c.reason === 'streamer disconnected')"
                ),
            Slow,
            "the player's socket was closed with 'streamer disconnected'"
        );
        await Eventually.WaitUntilAsync(
            () =>
                page.EvaluateAsync<bool>(
                    "() => document.getElementById('status').textContent.startsWith('waiting for a free streamer')"
                ),
            Slow,
            "the reconnected player shows it is waiting"
        );
        Assert.Equal(PlayerStates.Waiting, await store.HashGetAsync(keys.Player("steady-viewer"), PsFields.State));
        var connectionsBefore = await page.EvaluateAsync<int>(
            "() => window.__player.events.filter(e => e === 'connected to the streamer').length"
        );

        // The streamer comes back: it takes the waiting player, which plays again without anyone touching the page.
        using var start = new StringContent(
            $$"""{"instanceId":"{{streamerId}}"}""",
            System.Text.Encoding.UTF8,
            "application/json"
        );
        Assert.True(
            (await api.PostAsync("api/instances", start)).IsSuccessStatusCode,
            "the streamer's instance started again"
        );
        await Eventually.WaitUntilAsync(
            () =>
                page.EvaluateAsync<bool>(
                    $"() => window.__player.events.filter(e => e === 'connected to the streamer').length > {connectionsBefore}"
                ),
            Slow,
            "the player connected to the streamer again"
        );
        await WaitForPlaybackAsync(page, "the player after its streamer came back");
        Assert.Equal("steady-viewer", await store.HashGetAsync(keys.Streamer(streamerId), PsFields.Player));
    }

    private static async Task WaitForPlaybackAsync(IPage page, string who)
    {
        await Eventually.WaitUntilAsync(
            () => page.EvaluateAsync<bool>(VideoPlays),
            Slow,
            $"{who}'s video element plays"
        );
        var before = await page.EvaluateAsync<double>("() => document.querySelector('#video video').currentTime");
        await Eventually.WaitUntilAsync(
            async () =>
                await page.EvaluateAsync<double>("() => document.querySelector('#video video').currentTime")
                > before + 0.5,
            TimeSpan.FromSeconds(10),
            $"{who}'s video keeps advancing"
        );
        var decoded = await page.EvaluateAsync<double>(
            """
            async () => {
              const v = document.querySelector('#video video');
              return v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
            }
            """
        );
        Assert.True(decoded > 0, $"{who} decoded no frames");

        // Playing is not enough: a person must see it. The video's box is on screen at a usable size.
        var box = await page.Locator("#video video").BoundingBoxAsync();
        Assert.True(
            box is { Width: >= 320, Height: >= 180 },
            $"{who}'s video is {box?.Width ?? 0} x {box?.Height ?? 0} px on the page"
        );
        Assert.True(await page.Locator("#video video").IsVisibleAsync(), $"{who}'s video is visible");
    }
}
