using System.Globalization;
using System.Net;
using MobZ.Interop.Tests.Rooms;
using MobZ.TestKit;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Live;

/// <summary>
/// Issue 12 (1): a viewer who joins a running p2m stream late still gets the init segment. Chromium publishes
/// for about 25 s; by then an init segment written once with the 87 s data TTL would have under a minute
/// left, so its TTL in Redis shows whether the writer renews it; then hls.js joins and must play.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class HlsLateJoinerInteropTests(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DataTimeToLive = new MobZ.Hls.HlsOptions().DataTimeToLive;

    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    [Fact]
    public async Task A_viewer_joining_a_running_stream_late_gets_the_init_segment_and_plays()
    {
        var room = "late-" + Guid.NewGuid().ToString("N")[..8];
        var publisherPage = await stack.Browser.NewPageAsync();
        await publisherPage.GotoAsync(
            stack.Page($"/room/index.html?room={room}&kind=p2m&role=publisher&autojoin=1").ToString()
        );
        var publisher = new RoomPage(publisherPage);
        await Eventually.WaitUntilAsync(
            async () => await publisher.PublishStateAsync() == "connected",
            Timeout,
            "the p2m publisher's peer connection to the Munit is connected"
        );

        using var http = new HttpClient { BaseAddress = stack.Stack.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        // The stack requires playback tokens; a subscribe token for this room from the development endpoint.
        using var tokenResponse = await http.GetAsync($"/dev/token?room={room}&grants=subscribe");
        tokenResponse.EnsureSuccessStatusCode();
        var token = System
            .Text.Json.JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync())
            .RootElement.GetProperty("token")
            .GetString()!;
        var playlistUrl = $"/hls/{room}/t/{token}/media.m3u8";
        // Twelve complete 2 s segments: the init segment was written about 25 s ago.
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(playlistUrl);
                if (response.StatusCode != HttpStatusCode.OK)
                    return false;
                var text = await response.Content.ReadAsStringAsync();
                return text.Split('\n').Count(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal)) >= 12;
            },
            Timeout,
            "the stream has run for twelve segments"
        );

        using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.Configuration);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var initKeys = server.Keys(pattern: $"*hls:{room}:*:init").ToList();
        Assert.NotEmpty(initKeys);
        foreach (var key in initKeys)
        {
            var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
            output.WriteLine(
                $"{key}: TTL {ttl?.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s of {DataTimeToLive.TotalSeconds} s"
            );
            Assert.True(
                ttl > DataTimeToLive - TimeSpan.FromSeconds(10),
                $"{key} has {ttl} left: it is not renewed while the playlist names it"
            );
        }

        var viewer = await stack.Browser.NewPageAsync();
        await viewer.GotoAsync(
            stack.Page($"/hls/index.html?stream={Uri.EscapeDataString($"/hls/{room}/t/{token}/index.m3u8")}").ToString()
        );
        double first = 0;
        await Eventually.WaitUntilAsync(
            async () =>
            {
                first = await viewer.EvaluateAsync<double>("() => document.getElementById('video').currentTime");
                return first > 0.5;
            },
            Timeout,
            "the late joiner's video starts"
        );
        await Eventually.WaitUntilAsync(
            async () =>
                await viewer.EvaluateAsync<double>("() => document.getElementById('video').currentTime") > first + 2,
            Timeout,
            "the late joiner's playback keeps advancing"
        );
        var errors = await viewer.EvaluateAsync<string[]>("() => window.mobzHls.stats.errors");
        output.WriteLine($"late joiner errors: {string.Join(", ", errors)}");
        Assert.DoesNotContain(errors, e => e.EndsWith("(fatal)", StringComparison.Ordinal));
    }
}
