using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;

namespace MobZ.LocalStack.Tests.Hosting;

/// <summary>
/// `make run` leaves LL-HLS playback open (a development convenience); --Hls:RequirePlaybackToken true makes it check
/// tokens as production does, with the stack's own key, so the development tokens play.
/// </summary>
public sealed class LocalPlaybackTokenTests
{
    private static Task<RunningLocalStack> StartAsync(params string[] args) =>
        LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Args = args,
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = b =>
                {
                    b.Services.AddMobZRooms();
                    MobZCapabilities.AddHlsPlayback(b);
                },
            }
        );

    [Fact]
    public async Task By_default_the_local_stack_serves_playback_without_a_token()
    {
        await using var stack = await StartAsync();
        using var http = new HttpClient { BaseAddress = stack.BaseUrl };

        using var response = await http.GetAsync("/hls/no-such-room/index.m3u8");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // looked up, not refused
    }

    [Fact]
    public async Task With_RequirePlaybackToken_the_local_stack_refuses_tokenless_playback_and_plays_its_own_tokens()
    {
        await using var stack = await StartAsync("--Hls:RequirePlaybackToken", "true");
        using var http = new HttpClient { BaseAddress = stack.BaseUrl };

        using var bare = await http.GetAsync("/hls/no-such-room/index.m3u8");
        Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);

        using var issued = await http.GetAsync("/dev/token?room=no-such-room&grants=subscribe");
        issued.EnsureSuccessStatusCode();
        string token = JsonDocument
            .Parse(await issued.Content.ReadAsStringAsync())
            .RootElement.GetProperty("token")
            .GetString()!;
        using var tokened = await http.GetAsync($"/hls/no-such-room/t/{token}/index.m3u8");
        Assert.Equal(HttpStatusCode.NotFound, tokened.StatusCode); // let through, and the room has no stream
    }
}
