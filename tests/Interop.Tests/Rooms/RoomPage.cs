using System.Text.Json;
using Microsoft.Playwright;

namespace MobZ.Interop.Tests.Rooms;

/// <summary>One tab on the group-chat demo page (wwwroot/room), read through its window.mobz object.</summary>
public sealed class RoomPage(IPage page)
{
    public IPage Page { get; } = page;

    private readonly List<string> _console = [];

    public static Task<RoomPage> OpenAsync(
        StackFixture stack,
        string room,
        string role,
        bool simulcast = true,
        string extraQuery = "",
        string? initScript = null
    ) => OpenAsync(stack.Browser, stack.Stack.BaseUrl, room, role, simulcast, extraQuery, initScript);

    /// <param name="extraQuery">more of the page's query options, e.g. "relay=1".</param>
    /// <param name="initScript">script run in the page before its own (e.g. to hold back the camera).</param>
    public static async Task<RoomPage> OpenAsync(
        MobZ.TestKit.Browser.Chromium browser,
        Uri baseUrl,
        string room,
        string role,
        bool simulcast = true,
        string extraQuery = "",
        string? initScript = null
    )
    {
        var page = await browser.NewPageAsync();
        if (initScript is not null)
            await page.AddInitScriptAsync(initScript);
        var roomPage = new RoomPage(page);
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning")
            {
                lock (roomPage._console)
                    roomPage._console.Add(m.Text);
            }
        };
        page.PageError += (_, e) =>
        {
            lock (roomPage._console)
                roomPage._console.Add(e);
        };
        var query =
            $"room={room}&kind=m2m&role={role}&simulcast={(simulcast ? 1 : 0)}&autojoin=1"
            + (extraQuery.Length > 0 ? "&" + extraQuery : "");
        await page.GotoAsync(new Uri(baseUrl, "/room/index.html?" + query).ToString());
        return roomPage;
    }

    /// <summary>The local candidate type of each connection's selected pair (host, srflx, relay).</summary>
    public async Task<CandidateTypes> CandidateTypesAsync()
    {
        var json = await Page.EvaluateAsync<string>(
            "async () => JSON.stringify(await window.mobz.selectedCandidateTypes())"
        );
        return JsonSerializer.Deserialize<CandidateTypes>(json, JsonOptions)!;
    }

    public Task<string?> ParticipantIdAsync() => Page.EvaluateAsync<string?>("() => window.mobz.state.participantId");

    public Task<string?> StationIdAsync() => Page.EvaluateAsync<string?>("() => window.mobz.state.stationId");

    public Task<string?> PublishStateAsync() =>
        Page.EvaluateAsync<string?>("() => window.mobz.state.publishPc?.connectionState ?? null");

    public Task<string[]> ReceivedActionsAsync() => Page.EvaluateAsync<string[]>("() => window.mobz.state.received");

    public Task<string> ErrorsAsync() => Page.EvaluateAsync<string>("() => JSON.stringify(window.mobz.state.errors)");

    public async Task<IReadOnlyDictionary<string, StationVideo>> VideoAsync()
    {
        var json = await Page.EvaluateAsync<string>("async () => JSON.stringify(await window.mobz.videoStats())");
        return JsonSerializer.Deserialize<Dictionary<string, StationVideo>>(json, JsonOptions) ?? [];
    }

    public Task SelectLayerAsync(string stationId, string layer) =>
        Page.EvaluateAsync("([s, l]) => window.mobz.selectLayer(s, l)", new[] { stationId, layer });

    /// <summary>What the page knows, for failure messages.</summary>
    public async Task<string> DescribeAsync() =>
        "video "
        + await Page.EvaluateAsync<string>("async () => JSON.stringify(await window.mobz.videoStats())")
        + " received "
        + string.Join(",", await ReceivedActionsAsync())
        + " errors "
        + await ErrorsAsync()
        + " publishers "
        + await Page.EvaluateAsync<string>("() => JSON.stringify(window.mobz.state.publishers)")
        + " console "
        + string.Join(" | ", ConsoleLines());

    private string[] ConsoleLines()
    {
        lock (_console)
            return [.. _console];
    }

    public Task LeaveAsync() => Page.EvaluateAsync("() => window.mobz.leave()");

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };
}

public sealed record CandidateTypes(string? Publish, string?[] Viewers);

public sealed record StationVideo(
    string PublisherId,
    long FramesDecoded,
    int FrameWidth,
    int FrameHeight,
    string ConnectionState,
    string[] TrackStates
);
