using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.PixelStreaming.Tests.Support;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// The local stack as make run composes it: its development access key (GET /dev/token for rooms) and Pixel
/// Streaming's /ps/dev-token are one key, so the PS demo page gets a token the /ps door accepts.
/// </summary>
public sealed class DevTokenLocalStackTests : IAsyncLifetime
{
    private RunningLocalStack _stack = null!;
    private readonly HttpClient _http = new() { Timeout = PsStack.Wait };

    public async Task InitializeAsync() => _stack = await LocalStackHost.StartAsync(new LocalStackOptions
    {
        Urls = "http://127.0.0.1:0",
        Capabilities = b => b.AddCapability(s => s.AddPixelStreaming(o =>
            {
                o.DevelopmentMode = true;
                o.Local.StartOnBoot = false;
            }))
            .AddWebSocketApi("/ps", "$request.body.type", sp => sp.GetRequiredService<Signaling.PixelStreamingHandler>())
            .AddHttpApi("/ps/dev-token", sp => sp.GetRequiredService<Api.DevTokenHandler>()),
        PrintReadyLine = false,
        MinimumLogLevel = LogLevel.Warning,
    });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _stack.DisposeAsync();
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(_stack.BaseUrl, path));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Ps_dev_token_opens_a_player_socket_beside_the_rooms_dev_endpoint()
    {
        // The rooms' development endpoint is served: the key is this process's own.
        await GetJsonAsync($"{DevelopmentAccess.Path.TrimStart('/')}?room=lobby");

        var token = (await GetJsonAsync("ps/dev-token?userId=demo-viewer")).GetProperty("token").GetString();
        using var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(PsStack.Wait);
        var url = _stack.WebSocketUrl($"/ps?type=player&token={Uri.EscapeDataString(token!)}&projectUrl={Uri.EscapeDataString("https://p.example.test/a.uproject")}");
        await socket.ConnectAsync(url, cts.Token);
        Assert.Equal(WebSocketState.Open, socket.State);

        // A room token from the rooms' endpoint is for a room, not for Pixel Streaming.
        var roomToken = (await GetJsonAsync($"{DevelopmentAccess.Path.TrimStart('/')}?room=lobby&grants=join")).GetProperty("token").GetString();
        using var refused = new ClientWebSocket();
        var refusedUrl = _stack.WebSocketUrl($"/ps?type=player&token={Uri.EscapeDataString(roomToken!)}&projectUrl={Uri.EscapeDataString("https://p.example.test/a.uproject")}");
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(refusedUrl, cts.Token));
    }
}
