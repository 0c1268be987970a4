using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MobZ.Interop.Tests.Rooms;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Pages;

/// <summary>
/// The pages a newcomer opens first, in Chromium as a person sees them: the API docs render their operations,
/// no page asks for anything the server does not have, and the group chat shows who is who, what each tile
/// receives and lets a person pick it. Screenshots go to artifacts/screenshots/ for review.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed partial class DemoPagesInteropTests(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    [Fact]
    public async Task Api_docs_page_renders_swagger_ui_with_the_instance_operations_listed()
    {
        var page = await stack.Browser.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, e) =>
        {
            lock (scriptErrors)
                scriptErrors.Add(e);
        };
        await page.GotoAsync(stack.Page("/docs").ToString());

        var operations = page.Locator(".opblock-summary-path");
        await Eventually.WaitUntilAsync(
            async () => await operations.CountAsync() > 0,
            TimeSpan.FromSeconds(30),
            "Swagger UI rendered at least one operation"
        );
        var paths = await operations.AllInnerTextsAsync();
        Assert.Contains(paths, p => p.Contains("/api/instances", StringComparison.Ordinal));
        Assert.True(await operations.First.IsVisibleAsync(), "the operation is on screen");
        lock (scriptErrors)
            Assert.Empty(scriptErrors);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/room/index.html")]
    [InlineData("/hls/index.html")]
    [InlineData("/ps/index.html")]
    [InlineData("/admin/index.html")]
    [InlineData("/docs")]
    public async Task Page_loads_without_a_missing_resource_favicon_included(string path)
    {
        var page = await stack.Browser.NewPageAsync();
        var missing = new List<string>();
        page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                lock (missing)
                    missing.Add($"{r.Status} {r.Url}");
            }
        };
        await page.GotoAsync(
            stack.Page(path).ToString(),
            new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle }
        );
        // Chromium's own favicon request is not reported to Playwright, so ask for it as the browser does.
        var favicon = await page.APIRequest.GetAsync(stack.Page("/favicon.ico").ToString());
        Assert.Equal(200, favicon.Status);
        Assert.StartsWith("image/", favicon.Headers["content-type"]);
        lock (missing)
            Assert.Empty(missing);
        await Screenshots.SaveAsync(
            page,
            "page-" + (path.Trim('/') is { Length: > 0 } p ? p.Replace("/index.html", "").Replace('/', '-') : "index")
        );
    }

    [Fact]
    public async Task Room_page_shows_named_playing_tiles_with_layer_and_bitrate_and_the_picker_switches_layers()
    {
        var room = "look-" + Guid.NewGuid().ToString("N")[..8];
        var alice = await RoomPage.OpenAsync(stack, room, "publisher", extraQuery: "name=alice");
        await Eventually.WaitUntilAsync(
            async () => await alice.StationIdAsync() is not null,
            MediaTimeout,
            "alice joined with a station"
        );
        var bob = await RoomPage.OpenAsync(stack, room, "publisher", extraQuery: "name=bob");

        foreach (var (page, other) in new[] { (alice, "bob"), (bob, "alice") })
        {
            var tile = Tile(page, other);
            try
            {
                await Eventually.WaitUntilAsync(
                    () =>
                        tile.Locator("video")
                            .EvaluateAsync<bool>(
                                "v => v.videoWidth > 0 && !v.paused && v.currentTime > 0.5 && v.getVideoPlaybackQuality().totalVideoFrames > 0"
                            ),
                    MediaTimeout,
                    $"{other}'s named tile plays video"
                );
                await Eventually.WaitUntilAsync(
                    async () => Bitrate(await tile.Locator(".bitrate").InnerTextAsync()) > 0,
                    MediaTimeout,
                    $"{other}'s tile shows a received bitrate above zero"
                );
            }
            catch (Xunit.Sdk.XunitException)
            {
                output.WriteLine($"looking for {other}: {await page.DescribeAsync()}");
                throw;
            }
            foreach (var part in new[] { ".name", ".layer", ".size", ".bitrate", "select.picker", ".mic", ".cam" })
                Assert.True(await tile.Locator(part).IsVisibleAsync(), $"{other}'s tile shows {part}");
            Assert.Equal("auto", await tile.Locator(".layer").InnerTextAsync());
            Assert.True(await tile.Locator(".overlay").IsHiddenAsync(), $"nothing covers {other}'s playing video");
        }

        // The picker, as a person uses it: high, then low; the label follows and the picture gets smaller.
        var bobAtAlice = Tile(alice, "bob");
        await bobAtAlice.Locator("select.picker").SelectOptionAsync("h");
        await Eventually.WaitUntilAsync(
            async () => await bobAtAlice.Locator(".layer").InnerTextAsync() == "high",
            MediaTimeout,
            "the layer label says high once the Munit acknowledged it"
        );
        var high = await HeightAsync(bobAtAlice, h => h >= 270, "bob's high layer arrives at alice");
        await bobAtAlice.Locator("select.picker").SelectOptionAsync("l");
        // The low layer is a quarter of the top one (scaleResolutionDownBy 4); at most half of whatever "high" carried.
        var low = await HeightAsync(bobAtAlice, h => h > 0 && h <= high / 2, "bob's low layer arrives at alice");
        await Eventually.WaitUntilAsync(
            async () => await bobAtAlice.Locator(".layer").InnerTextAsync() == "low",
            MediaTimeout,
            "the layer label says low once the Munit acknowledged it"
        );
        output.WriteLine(
            $"bob at alice: high {high}p, low {low}p, {await bobAtAlice.Locator(".bitrate").InnerTextAsync()}"
        );

        // Alice mutes: bob's tile of her says so.
        await alice.Page.Locator("#mic").UncheckAsync();
        await Eventually.WaitUntilAsync(
            async () => await Tile(bob, "alice").Locator(".mic").InnerTextAsync() == "muted",
            MediaTimeout,
            "bob sees alice muted"
        );

        await Screenshots.SaveAsync(alice.Page, "room-alice");
        await Screenshots.SaveAsync(bob.Page, "room-bob");
    }

    [Fact]
    public async Task Room_tile_whose_connection_failed_says_so_in_words_and_its_retry_brings_the_video_back()
    {
        var room = "look-retry-" + Guid.NewGuid().ToString("N")[..8];
        var alice = await RoomPage.OpenAsync(stack, room, "publisher", simulcast: false, extraQuery: "name=alice");
        await Eventually.WaitUntilAsync(
            async () => await alice.PublishStateAsync() == "connected",
            MediaTimeout,
            "alice publishes"
        );
        var viewer = await RoomPage.OpenAsync(stack, room, "viewer", simulcast: false, extraQuery: "name=carol");
        var tile = Tile(viewer, "alice");
        const string Plays = "v => v.videoWidth > 0 && !v.paused && v.getVideoPlaybackQuality().totalVideoFrames > 0";
        await Eventually.WaitUntilAsync(
            () => tile.Locator("video").EvaluateAsync<bool>(Plays),
            MediaTimeout,
            "carol sees alice"
        );

        // The connection to the media server dies under the page (as when the network drops it for good).
        await viewer.Page.EvaluateAsync(
            "() => { for (const { pc } of window.mobz.state.viewerPcs.values()) pc.close(); }"
        );
        await Eventually.WaitUntilAsync(
            async () =>
                await tile.Locator(".overlay").IsVisibleAsync()
                && await tile.Locator(".overlay-text").InnerTextAsync() == "The connection to the media server failed.",
            MediaTimeout,
            "the dead tile says what happened instead of showing a frozen frame"
        );
        Assert.True(await tile.Locator("button.retry").IsVisibleAsync(), "the dead tile offers a retry");
        Assert.Equal("failed", await tile.Locator(".state").InnerTextAsync());
        await Screenshots.SaveAsync(viewer.Page, "room-failed-tile");

        var framesBefore = await tile.Locator("video")
            .EvaluateAsync<long>("v => v.getVideoPlaybackQuality().totalVideoFrames");
        await tile.Locator("button.retry").ClickAsync();
        try
        {
            await Eventually.WaitUntilAsync(
                async () =>
                    await tile.Locator(".overlay").IsHiddenAsync()
                    && (await viewer.VideoAsync()).Values.Any(v =>
                        v.FramesDecoded > 0 && v.ConnectionState == "connected"
                    ),
                MediaTimeout,
                "after Retry the tile plays again on a new connection"
            );
        }
        catch (Xunit.Sdk.XunitException)
        {
            output.WriteLine($"carol after retry: {await viewer.DescribeAsync()}");
            throw;
        }
        Assert.True(
            await tile.Locator("video").EvaluateAsync<long>("v => v.getVideoPlaybackQuality().totalVideoFrames")
                > framesBefore,
            "new frames reach the tile's video"
        );
    }

    [Fact]
    public async Task Room_page_says_in_words_why_the_server_refused_to_let_it_publish()
    {
        // A token without the publish grant, used to join as a publisher: the server answers FORBIDDEN.
        var room = "look-denied-" + Guid.NewGuid().ToString("N")[..8];
        var page = await RoomPage.OpenAsync(stack, room, "publisher", extraQuery: "name=dave&grants=join,subscribe");
        var error = page.Page.Locator("#error");
        await Eventually.WaitUntilAsync(() => error.IsVisibleAsync(), MediaTimeout, "the refusal is shown");
        var text = await error.InnerTextAsync();
        output.WriteLine(text);
        Assert.StartsWith("Your access token does not allow this. (FORBIDDEN: ", text);
        Assert.True(await page.Page.Locator("#join-button").IsEnabledAsync(), "the person can try again");
        await Screenshots.SaveAsync(page.Page, "room-forbidden");
    }

    [Fact]
    public async Task Hls_viewer_shows_its_playback_state_latency_and_rendition_in_words_while_playing()
    {
        var room = "look-live-" + Guid.NewGuid().ToString("N")[..8];
        var publisherPage = await stack.Browser.NewPageAsync();
        await publisherPage.GotoAsync(
            stack.Page($"/room/index.html?room={room}&kind=p2m&role=publisher&name=presenter&autojoin=1").ToString()
        );
        var publisher = new RoomPage(publisherPage);
        await Eventually.WaitUntilAsync(
            async () => await publisher.PublishStateAsync() == "connected",
            MediaTimeout,
            "the p2m publisher's peer connection to the Munit is connected"
        );
        // As a person gets there: a viewer joins the p2m room and is sent to the player with a tokenized playlist URL.
        var viewer = await stack.Browser.NewPageAsync();
        await viewer.GotoAsync(stack.Page($"/room/index.html?room={room}&kind=p2m&role=viewer&autojoin=1").ToString());
        await Eventually.WaitUntilAsync(
            () => viewer.Url.Contains("/hls/index.html?stream=", StringComparison.Ordinal),
            MediaTimeout,
            "the viewer is sent to the LL-HLS player"
        );

        await Eventually.WaitUntilAsync(
            () =>
                viewer
                    .Locator("#video")
                    .EvaluateAsync<bool>(
                        "v => v.videoWidth > 0 && !v.paused && v.currentTime > 1 && v.getVideoPlaybackQuality().totalVideoFrames > 0"
                    ),
            MediaTimeout,
            "the LL-HLS video plays"
        );
        await Eventually.WaitUntilAsync(
            async () => await viewer.Locator("#state").InnerTextAsync() == "Playing live",
            MediaTimeout,
            "the player says it plays live"
        );
        var latencyText = "";
        await Eventually.WaitUntilAsync(
            async () => LatencyPattern().IsMatch(latencyText = await viewer.Locator("#latency").InnerTextAsync()),
            MediaTimeout,
            "the player shows how far behind live it is"
        );
        var latency = double.Parse(LatencyPattern().Match(latencyText).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(latency, 0.0, 10.0);
        var rendition = await viewer.Locator("#rendition").InnerTextAsync();
        var match = RenditionPattern().Match(rendition);
        Assert.True(match.Success, $"the rendition reads as size and bitrate: \"{rendition}\"");
        Assert.True(
            int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) > 0 && Bitrate(match.Groups[3].Value) > 0,
            rendition
        );
        Assert.True(await viewer.Locator("#overlay").IsHiddenAsync(), "nothing covers the playing video");
        Assert.True(await viewer.Locator("#error").IsHiddenAsync(), "no error is shown");
        output.WriteLine($"HLS viewer: {latencyText}; {rendition}");
        await Screenshots.SaveAsync(viewer, "hls-viewer");
    }

    private static ILocator Tile(RoomPage page, string name) =>
        page.Page.Locator($".tile.remote:has(.name:text-is('{name}'))");

    /// <summary>"812 kbit/s" or "1.20 Mbit/s" in bits per second; 0 when the text is no bitrate.</summary>
    private static double Bitrate(string text) =>
        BitratePattern().Match(text) is { Success: true } m
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                * (m.Groups[2].Value == "M" ? 1_000_000 : 1000)
            : 0;

    private static async Task<int> HeightAsync(ILocator tile, Func<int, bool> accept, string because)
    {
        var height = 0;
        await Eventually.WaitUntilAsync(
            async () =>
            {
                var size = SizePattern().Match(await tile.Locator(".size").InnerTextAsync());
                height = size.Success ? int.Parse(size.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
                return accept(height);
            },
            MediaTimeout,
            because
        );
        return height;
    }

    [GeneratedRegex(@"^([\d.]+) (k|M)bit/s$")]
    private static partial Regex BitratePattern();

    [GeneratedRegex(@"^([\d.]+) s behind live")]
    private static partial Regex LatencyPattern();

    [GeneratedRegex(@"^(\d+)×(\d+) · ([\d.]+ (k|M)bit/s)")]
    private static partial Regex RenditionPattern();

    [GeneratedRegex(@"^(\d+)×(\d+)$")]
    private static partial Regex SizePattern();
}
