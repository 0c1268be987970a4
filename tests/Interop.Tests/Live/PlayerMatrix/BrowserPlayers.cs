using System.Text.Json;
using Microsoft.Playwright;
using MobZ.TestKit.Browser;
using MobZ.TestKit.Repository;

namespace MobZ.Interop.Tests.Live.PlayerMatrix;

/// <summary>
/// hls.js, Shaka Player and video.js (VHS) in a tab of the shared Chromium, each on player.html at the stack's
/// origin (routed by Playwright: the page, probe.js and the player's script from web/node_modules), with probe.js
/// recording what the player and the video element do.
/// </summary>
public static class BrowserPlayers
{
    /// <summary>Player name → the query value probe.js knows it by and its script in web/node_modules.</summary>
    public static readonly IReadOnlyDictionary<string, (string Key, string Script)> Scripts = new Dictionary<
        string,
        (string, string)
    >
    {
        ["hls.js"] = ("hlsjs", "hls.js/dist/hls.min.js"),
        ["Shaka Player"] = ("shaka", "shaka-player/dist/shaka-player.compiled.js"),
        ["video.js (VHS)"] = ("vhs", "video.js/dist/video.min.js"),
    };

    /// <summary>A new tab playing <paramref name="playlist"/> with <paramref name="player"/>; probe.js's record is
    /// <c>window.probe</c>, and <paramref name="console"/> collects console errors and failed requests.</summary>
    public static async Task<IPage> OpenAsync(
        Chromium browser,
        Uri origin,
        string player,
        Uri playlist,
        List<string> console
    )
    {
        var (key, script) = Scripts[player];
        var page = await browser.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (console)
                    console.Add(message.Text);
            }
        };
        // Failed requests, with the path after the token (tokens are long and say nothing here).
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (console)
                    console.Add($"HTTP {response.Status} for …/{response.Url.Split('/')[^1]}");
            }
        };
        var here = Repo.PathOf("tests", "Interop.Tests", "Live", "PlayerMatrix");
        var files = new Dictionary<string, (string Path, string Type)>
        {
            ["player.html"] = (Path.Combine(here, "player.html"), "text/html; charset=utf-8"),
            ["probe.js"] = (Path.Combine(here, "probe.js"), "text/javascript"),
            ["player.js"] = (Repo.PathOf("web", "node_modules", script), "text/javascript"),
            ["video-js.css"] = (Repo.PathOf("web", "node_modules", "video.js/dist/video-js.min.css"), "text/css"),
        };
        await page.RouteAsync(new Uri(origin, "/player-matrix/*").ToString(), async route =>
        {
            var name = new Uri(route.Request.Url).Segments[^1];
            if (files.TryGetValue(name, out var file))
            {
                await route.FulfillAsync(
                    new RouteFulfillOptions
                    {
                        Status = 200,
                        ContentType = file.Type,
                        Body = await File.ReadAllTextAsync(file.Path),
                    }
                );
            }
            else
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = 404 });
            }
        });
        var url = new Uri(
            origin,
            $"/player-matrix/player.html?player={key}&src={Uri.EscapeDataString(playlist.ToString())}"
        );
        await page.GotoAsync(url.ToString());
        return page;
    }

    public static async Task<Viewing> PlayAsync(
        Chromium browser,
        Uri origin,
        string player,
        Uri playlist,
        string round,
        TimeSpan duration
    )
    {
        var console = new List<string>();
        var page = await OpenAsync(browser, origin, player, playlist, console);
        await Task.Delay(duration);
        var json = await page.EvaluateAsync<string>("() => JSON.stringify(window.probe)");
        await page.CloseAsync();
        using var doc = JsonDocument.Parse(json);
        var probe = doc.RootElement;
        var fatal = new List<string>();
        var errors = new List<string>();
        foreach (var e in probe.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!))
            (e.EndsWith("(fatal)", StringComparison.Ordinal) ? fatal : errors).Add(e);
        lock (console)
            errors.AddRange(console.Select(c => "console: " + c));
        var startedAt = probe.GetProperty("startedAtMs");
        var detail =
            $"started after {(startedAt.ValueKind == JsonValueKind.Number ? startedAt.GetInt32() : -1)} ms"
            + $", stalls the player reported {probe.GetProperty("playerStalls").GetInt32()}"
            + $", stalls over 0.5 s {probe.GetProperty("stalls").GetRawText()}"
            + $", playhead jumps {probe.GetProperty("jumps").GetRawText()}"
            + $", holes in the buffer {probe.GetProperty("holes").GetRawText()}"
            + $", dropped frames {probe.GetProperty("droppedFrames").GetInt32()}"
            + $", usage {probe.GetProperty("usage").GetRawText()}"
            + $", stats {probe.GetProperty("stats").GetRawText()}";
        return new Viewing(
            player,
            round,
            fatal,
            errors,
            probe.GetProperty("gapsJumped").GetInt32(),
            TimeSpan.FromMilliseconds(probe.GetProperty("longestStallMs").GetDouble()),
            probe.GetProperty("playedSeconds").GetDouble(),
            probe.GetProperty("frames").GetInt32(),
            probe.GetProperty("sizes").EnumerateArray().Select(s => s.GetString()!).ToList(),
            detail
        );
    }
}
