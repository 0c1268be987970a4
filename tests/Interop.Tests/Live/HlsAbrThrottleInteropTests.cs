using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using MobZ.Interop.Tests.Live.PlayerMatrix;
using MobZ.Interop.Tests.Rooms;
using MobZ.LocalStack.Hosting;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using MobZ.TestKit.Network;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Live;

/// <summary>
/// Issue 12, the adaptive ladder under a real bottleneck: a Chromium publisher sends simulcast into a p2m room, and
/// hls.js in a second Chromium inside a network namespace plays the room's multivariant playlist. When tc limits what
/// reaches the player to less than the top rendition needs, hls.js moves to a lower rendition by its own bandwidth
/// estimate and plays on there while the limit holds; when the limit is lifted it moves back up. A stream without a
/// ladder (one rendition) has nowhere to go and fails at the first step. Stalls are reported, not asserted: on a
/// machine at load 20+ the browser stalls now and then with no limit at all (docs/hls.md, "Players tested").
/// Shaka Player is not run: its ABR takes no sample from a download under 16 KB (abr.advanced.minBytes), which every
/// 200 ms part of this ladder is, so in low-latency mode it has no estimate to move by.
/// </summary>
[Trait("Category", "Interop")]
// Not the shared stack (its HTTP port is on loopback, out of the namespace's reach), but run in turn with the other
// media tests: on two cores they would otherwise only measure each other.
[Collection(StackCollection.Name)]
public sealed partial class HlsAbrThrottleInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private NetworkNamespace _namespace = null!;
    private RunningLocalStack _stack = null!;
    private Chromium _publisherBrowser = null!;
    private Chromium _viewerBrowser = null!;

    public async Task InitializeAsync()
    {
        _namespace = await NetworkNamespace.CreateAsync();
        // The pages and the playlists on our end of the veth pair, where the player inside can reach them; the Munit
        // stays on loopback with the publisher.
        _stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = $"http://{_namespace.HostAddress}:0",
                Redis = "",
                Capabilities = MobZCapabilities.Add,
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
            }
        );
        // The page comes from the veth address, not localhost: let it use the camera as a secure origin would.
        string origin =
            $"--unsafely-treat-insecure-origin-as-secure={_stack.BaseUrl.GetLeftPart(UriPartial.Authority)}";
        string[] busyMachine =
        [
            "--disable-renderer-backgrounding",
            "--disable-background-timer-throttling",
            "--disable-backgrounding-occluded-windows",
        ];
        _publisherBrowser = await Chromium.LaunchAsync(new ChromiumOptions { ExtraArgs = [origin, .. busyMachine] });
        _viewerBrowser = await Chromium.LaunchAsync(
            new ChromiumOptions
            {
                ExecutablePath = _namespace.Wrap(new ChromiumOptions().ExecutablePath),
                FakeMedia = false,
                // The player page is served by the test (Playwright routes it), so Chromium counts it as a public
                // page fetching from a private address; the stack sends no Private Network Access headers.
                ExtraArgs =
                [
                    origin,
                    "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,"
                        + "PrivateNetworkAccessRespectPreflightResults",
                    .. busyMachine,
                ],
            }
        );
    }

    public async Task DisposeAsync()
    {
        if (_viewerBrowser is not null)
            await _viewerBrowser.DisposeAsync();
        if (_publisherBrowser is not null)
            await _publisherBrowser.DisposeAsync();
        if (_stack is not null)
            await _stack.DisposeAsync();
        if (_namespace is not null)
            await _namespace.DisposeAsync();
    }

    /// <summary>A variant of the multivariant playlist.</summary>
    private sealed record Variant(int Height, long Bandwidth, long AverageBandwidth, string Uri);

    [GeneratedRegex(@"#EXT-X-STREAM-INF:.*?BANDWIDTH=(\d+),AVERAGE-BANDWIDTH=(\d+).*?RESOLUTION=\d+x(\d+).*\n(\S+)")]
    private static partial Regex VariantLine();

    [Fact]
    public async Task A_throttled_hlsjs_switches_down_the_simulcast_ladder_plays_on_and_switches_back_up()
    {
        const string player = "hls.js";
        var room = "abr-" + Guid.NewGuid().ToString("N")[..8];
        var publisherPage = await _publisherBrowser.NewPageAsync();
        await publisherPage.GotoAsync(
            new Uri(
                _stack.BaseUrl,
                $"/room/index.html?room={room}&kind=p2m&role=publisher&autojoin=1&simulcast=1"
            ).ToString()
        );
        var publisher = new RoomPage(publisherPage);
        await Eventually.WaitUntilAsync(
            async () => await publisher.PublishStateAsync() == "connected",
            Timeout,
            "the p2m publisher's peer connection to the Munit is connected"
        );

        // The ladder once every layer flows and its bandwidth has been measured over a few segments.
        using var http = new HttpClient { BaseAddress = _stack.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var multivariant = new Uri(_stack.BaseUrl, $"/hls/{room}/index.m3u8");
        List<Variant> ladder = [];
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(multivariant);
                if (!response.IsSuccessStatusCode)
                    return false;
                ladder = VariantLine()
                    .Matches(await response.Content.ReadAsStringAsync())
                    .Select(m => new Variant(
                        int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
                        long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                        long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                        m.Groups[4].Value
                    ))
                    .OrderBy(v => v.Bandwidth)
                    .ToList();
                if (ladder.Count < 3)
                    return false;
                using var top = await http.GetAsync(new Uri(multivariant, ladder[^1].Uri));
                return (await top.Content.ReadAsStringAsync()).Split('\n').Count(l => l.StartsWith("#EXTINF:")) >= 4;
            },
            Timeout,
            "the multivariant playlist lists a rendition per simulcast layer, the top one four segments long"
        );
        output.WriteLine($"ladder: {string.Join(", ", ladder)}");
        var top = ladder[^1];

        var console = new List<string>();
        var viewer = await BrowserPlayers.OpenAsync(_viewerBrowser, _stack.BaseUrl, player, multivariant, console);
        // Every media and playlist request the player made: when it finished, what, how long it took.
        var requests = new List<string>();
        var opened = System.Diagnostics.Stopwatch.StartNew();
        viewer.RequestFinished += (_, request) =>
        {
            var timing = request.Timing;
            lock (requests)
            {
                requests.Add(
                    $"{opened.Elapsed.TotalSeconds:F1} {request.Url.Split('/')[^1]} "
                        + $"{timing.ResponseEnd - timing.RequestStart:F0}ms"
                );
            }
        };
        try
        {
            await WaitForHeightAsync(
                viewer,
                h => h == top.Height,
                $"{player} plays the top rendition ({top.Height} lines)"
            );
            // Between what the top rendition needs on average and what the one below it needs at its peak.
            long below = ladder.Count > 1 ? ladder[^2].Bandwidth : 0;
            long limit = (below + top.AverageBandwidth) / 2;
            await _namespace.LimitDownlinkAsync($"{limit / 1000}kbit");
            output.WriteLine(
                $"{await ElapsedAsync(viewer)}: the player's downlink is limited to {limit / 1000} kbit/s"
            );
            await WaitForHeightAsync(
                viewer,
                h => h is > 0 && h < top.Height,
                $"{player} switches to a lower rendition"
            );

            // The lower rendition fits through the bottleneck: playback goes on there while the limit holds.
            int switchesBefore = (await ProbeAsync(viewer)).GetProperty("sizeChanges").GetArrayLength();
            double playedBefore = await PlayedAsync(viewer);
            await Eventually.WaitUntilAsync(
                async () => await PlayedAsync(viewer) > playedBefore + 6,
                Timeout,
                $"{player} plays on for 6 s through the limited link"
            );
            var whileLimited = (await ProbeAsync(viewer))
                .GetProperty("sizeChanges")
                .EnumerateArray()
                .Skip(switchesBefore)
                .Select(c => c.GetProperty("size").GetString()!);
            Assert.DoesNotContain(whileLimited, size => size.EndsWith($"x{top.Height}", StringComparison.Ordinal));

            await _namespace.LiftDownlinkLimitAsync();
            output.WriteLine($"{await ElapsedAsync(viewer)}: the limit is lifted");
            await WaitForHeightAsync(viewer, h => h == top.Height, $"{player} switches back to the top rendition");
            // A few seconds on the top rendition again: a switch up that cannot hold falls back at once.
            playedBefore = await PlayedAsync(viewer);
            await Eventually.WaitUntilAsync(
                async () => await PlayedAsync(viewer) > playedBefore + 4,
                Timeout,
                $"{player} plays on at the top"
            );

            var probe = await ProbeAsync(viewer);
            Assert.DoesNotContain(probe.GetProperty("errors").EnumerateArray(), e =>
                e.GetString()!.EndsWith("(fatal)", StringComparison.Ordinal)
            );
            output.WriteLine(
                $"longest stall {probe.GetProperty("longestStallMs").GetDouble()} ms; stalls over 0.5 s: "
                    + probe.GetProperty("stalls").GetRawText()
            );
        }
        finally
        {
            output.WriteLine($"{player}: {await ProbeAsync(viewer)}");
            foreach (var variant in ladder)
            {
                output.WriteLine(
                    $"{variant.Uri} at the end:\n{await http.GetStringAsync(new Uri(multivariant, variant.Uri))}"
                );
            }
            lock (console)
                output.WriteLine($"console: {string.Join("; ", console.Take(20))}");
            lock (requests)
                output.WriteLine($"requests (the last 200): {string.Join("; ", requests.TakeLast(200))}");
        }
    }

    private async Task WaitForHeightAsync(IPage viewer, Func<int, bool> condition, string what)
    {
        await Eventually.WaitUntilAsync(
            async () =>
                condition(await viewer.EvaluateAsync<int>("() => document.getElementById('video').videoHeight")),
            Timeout,
            what
        );
        output.WriteLine($"{await ElapsedAsync(viewer)}: {what}");
    }

    private static Task<double> PlayedAsync(IPage viewer) =>
        viewer.EvaluateAsync<double>("() => window.probe.playedSeconds");

    private static async Task<string> ElapsedAsync(IPage viewer) =>
        $"{await viewer.EvaluateAsync<double>("() => performance.now() / 1000"):F1} s";

    private static async Task<JsonElement> ProbeAsync(IPage viewer) =>
        JsonDocument.Parse(await viewer.EvaluateAsync<string>("() => JSON.stringify(window.probe)")).RootElement;
}
