using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MobZ.Interop.Tests.Rooms;
using MobZ.TestKit;
using MobZ.TestKit.Repository;

namespace MobZ.Interop.Tests.Live.PlayerMatrix;

/// <summary>
/// One run of the player matrix, shared by its tests: one Chromium publisher into one p2m room, and every player
/// watching that one stream twice, all players at once each time: from the start (across a resolution change,
/// 25 s in) and joining three minutes after the stream started (across the change back, 20 s in). Four minutes
/// and a few seconds of wall time, whatever the number of players.
/// </summary>
public sealed class PlayerMatrixRun
{
    public const string FromTheStart = "from the start";
    public const string ThreeMinutesLate = "three minutes late";

    public static readonly TimeSpan Watch = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan LateJoin = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ChangeAfter = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan ChangeBackAfter = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static readonly IReadOnlyList<string> Players =
    [
        .. BrowserPlayers.Scripts.Keys,
        "GStreamer playbin3",
        "ffmpeg",
    ];

    private readonly Lock _lock = new();
    private Task<IReadOnlyList<Viewing>>? _run;

    public TimeSpan WallTime { get; private set; }

    public Task<IReadOnlyList<Viewing>> ViewingsAsync(StackFixture stack, Action<string> log)
    {
        lock (_lock)
            return _run ??= RunAsync(stack, log);
    }

    private async Task<IReadOnlyList<Viewing>> RunAsync(StackFixture stack, Action<string> log)
    {
        var wall = Stopwatch.StartNew();
        var room = "players-" + Guid.NewGuid().ToString("N")[..8];
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
        var streamStarted = Stopwatch.StartNew();

        using var http = new HttpClient { BaseAddress = stack.Stack.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        // The stack requires playback tokens; a subscribe token for this room from the development endpoint.
        using var tokenResponse = await http.GetAsync($"/dev/token?room={room}&grants=subscribe");
        tokenResponse.EnsureSuccessStatusCode();
        var token = JsonDocument
            .Parse(await tokenResponse.Content.ReadAsStringAsync())
            .RootElement.GetProperty("token")
            .GetString()!;
        var playlist = new Uri(stack.Stack.BaseUrl, $"/hls/{room}/t/{token}/index.m3u8");
        // Every player starts on a playlist with a few complete segments, as a viewer sent by a JoinAck would.
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var response = await http.GetAsync($"/hls/{room}/t/{token}/media.m3u8");
                return response.StatusCode == HttpStatusCode.OK
                    && (await response.Content.ReadAsStringAsync())
                        .Split('\n')
                        .Count(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal)) >= 3;
            },
            Timeout,
            "the stream has three complete segments"
        );

        // Every playlist over the run, for the record: what a player that failed was given, and when.
        using var stopRecording = new CancellationTokenSource();
        var record = RecordPlaylistsAsync(http, $"/hls/{room}/t/{token}/media.m3u8", room, stopRecording.Token);

        var fromTheStart = WatchAllAsync(stack, playlist, FromTheStart);
        await Task.Delay(ChangeAfter);
        log($"{streamStarted.Elapsed.TotalSeconds:F0} s: the publisher halves its resolution");
        await ScaleAsync(publisherPage, 2);

        await Task.Delay(LateJoin - streamStarted.Elapsed);
        log($"{streamStarted.Elapsed.TotalSeconds:F0} s: the late viewers join");
        var late = WatchAllAsync(stack, playlist, ThreeMinutesLate);
        await Task.Delay(ChangeBackAfter);
        log($"{streamStarted.Elapsed.TotalSeconds:F0} s: the publisher goes back to full resolution");
        await ScaleAsync(publisherPage, 1);

        var viewings = (await fromTheStart).Concat(await late).ToList();
        await stopRecording.CancelAsync();
        log($"the media playlists of the run, every 2 s: {await record}");
        await publisherPage.CloseAsync();
        WallTime = wall.Elapsed;
        log($"the player matrix took {WallTime.TotalSeconds:F0} s of wall time");
        foreach (var viewing in viewings)
            log(viewing.ToString());
        return viewings;
    }

    /// <summary>Writes the media playlist every 2 s to artifacts/player-matrix/{room}.m3u8.log; returns the
    /// path.</summary>
    private static async Task<string> RecordPlaylistsAsync(
        HttpClient http,
        string url,
        string room,
        CancellationToken stop
    )
    {
        var path = Path.Combine(
            Directory.CreateDirectory(Path.Combine(Repo.Artifacts, "player-matrix")).FullName,
            room + ".m3u8.log"
        );
        await using var file = File.CreateText(path);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var text = await http.GetStringAsync(url, stop);
                await file.WriteAsync($"## {DateTime.UtcNow:HH:mm:ss.fff}\n{text}\n");
                await Task.Delay(TimeSpan.FromSeconds(2), stop);
            }
        }
        catch (OperationCanceledException) { }
        return path;
    }

    private static async Task<IReadOnlyList<Viewing>> WatchAllAsync(StackFixture stack, Uri playlist, string round)
    {
        var browsers = BrowserPlayers.Scripts.Keys.Select(player =>
            BrowserPlayers.PlayAsync(stack.Browser, stack.Stack.BaseUrl, player, playlist, round, Watch)
        );
        return await Task.WhenAll([
            .. browsers,
            ProcessPlayers.GStreamerAsync(playlist, round, Watch),
            ProcessPlayers.FfmpegAsync(playlist, round, Watch),
        ]);
    }

    /// <summary>Has the publisher's browser send its camera at 1/<paramref name="divisor"/> of its size: a new SPS,
    /// as when a publisher's encoder adapts its resolution.</summary>
    private static Task ScaleAsync(Microsoft.Playwright.IPage publisher, int divisor) =>
        publisher.EvaluateAsync(
            """
            async (divisor) => {
              const sender = window.mobz.state.publishPc.getSenders().find((s) => s.track?.kind === 'video');
              const parameters = sender.getParameters();
              parameters.encodings[0].scaleResolutionDownBy = divisor;
              await sender.setParameters(parameters);
            }
            """,
            divisor
        );
}
