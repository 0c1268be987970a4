using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.LocalStack.Hosting;
using MobZ.PixelStreaming.Tests.Support;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// Real sockets through the local API-Gateway-compatible gateway at /ps: what a browser actually sees when the
/// server ends a player's connection, and what happens to a frame over 128 KB.
/// </summary>
public sealed class GatewayCloseTests : IAsyncLifetime
{
    private RunningLocalStack _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Capabilities = b =>
                    b.AddCapability(s =>
                            s.AddMobZAccess(TestTokens.Configure)
                                .AddPixelStreaming(o =>
                                {
                                    o.DisableIpAllowList = true;
                                    o.Api.ApiKey = "test-key";
                                })
                        )
                        .AddWebSocketApi("/ps", "$request.body.type", sp =>
                            sp.GetRequiredService<Signaling.PixelStreamingHandler>()
                        ),
                PrintReadyLine = false,
                MinimumLogLevel = LogLevel.Warning,
            }
        );
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private async Task<ClientWebSocket> ConnectAsync(string query)
    {
        var socket = new ClientWebSocket();
        var url = new UriBuilder(new Uri(_stack.BaseUrl, "ps")) { Scheme = "ws", Query = query }.Uri;
        using var cts = new CancellationTokenSource(PsStack.Wait);
        await socket.ConnectAsync(url, cts.Token);
        return socket;
    }

    private static Task<ClientWebSocket> PlayerAsync(GatewayCloseTests t, string userId) =>
        t.ConnectAsync(
            $"type=player&token={TestTokens.Hs256(userId)}&projectUrl={Uri.EscapeDataString("https://p.example.test/a.uproject")}"
        );

    private static async Task SendAsync(ClientWebSocket socket, JsonObject message)
    {
        using var cts = new CancellationTokenSource(PsStack.Wait);
        await socket.SendAsync(
            Encoding.UTF8.GetBytes(message.ToJsonString()),
            WebSocketMessageType.Text,
            true,
            cts.Token
        );
    }

    /// <summary>Reads frames until one of <paramref name="type"/> arrives, or the socket closes (then null).</summary>
    private static async Task<JsonObject?> ReceiveAsync(ClientWebSocket socket, string type)
    {
        using var cts = new CancellationTokenSource(PsStack.Wait);
        var buffer = new byte[256 * 1024];
        while (true)
        {
            var filled = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(filled), cts.Token);
                filled += result.Count;
            } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            var message = JsonNode.Parse(buffer.AsSpan(0, filled)) as JsonObject;
            if ((string?)message?["type"] == type)
                return message;
        }
    }

    private async Task<(ClientWebSocket Streamer, ClientWebSocket Player)> MatchedAsync(
        string streamerId,
        string userId
    )
    {
        var streamer = await ConnectAsync("type=streamer");
        Assert.NotNull(await ReceiveAsync(streamer, "identify"));
        await SendAsync(streamer, new JsonObject { ["type"] = "endpointId", ["id"] = streamerId });
        Assert.NotNull(await ReceiveAsync(streamer, "endpointIdConfirm"));
        var player = await PlayerAsync(this, userId);
        await SendAsync(player, new JsonObject { ["type"] = "subscribe", ["streamerId"] = streamerId });
        Assert.Equal(userId, (string?)(await ReceiveAsync(streamer, "playerConnected"))!["playerId"]);
        return (streamer, player);
    }

    [Fact]
    public async Task Disconnect_player_reaches_the_browser_as_close_code_1011_with_the_streamers_reason()
    {
        var (streamer, player) = await MatchedAsync("ue-k", "kim");
        using var _s = streamer;
        using var _p = player;
        await SendAsync(
            streamer,
            new JsonObject
            {
                ["type"] = "disconnectPlayer",
                ["playerId"] = "kim",
                ["reason"] = "Kicked by the host",
            }
        );
        Assert.Null(await ReceiveAsync(player, "never"));
        Assert.Equal((WebSocketCloseStatus)1011, player.CloseStatus);
        Assert.Equal("Kicked by the host", player.CloseStatusDescription);
    }

    [Fact]
    public async Task A_kick_reason_longer_than_a_close_frame_holds_is_cut_not_refused()
    {
        var (streamer, player) = await MatchedAsync("ue-long", "lou");
        using var _s = streamer;
        using var _p = player;
        var reason = string.Concat(Enumerable.Repeat("é", 100)); // 200 UTF-8 bytes
        await SendAsync(
            streamer,
            new JsonObject
            {
                ["type"] = "disconnectPlayer",
                ["playerId"] = "lou",
                ["reason"] = reason,
            }
        );
        Assert.Null(await ReceiveAsync(player, "never"));
        Assert.Equal((WebSocketCloseStatus)1011, player.CloseStatus);
        Assert.Equal(new string('é', 61), player.CloseStatusDescription);
    }

    [Fact]
    public async Task Streamer_leaving_closes_the_players_socket_with_a_reason()
    {
        var (streamer, player) = await MatchedAsync("ue-gone", "max");
        using var _p = player;
        await SendAsync(
            streamer,
            new JsonObject
            {
                ["type"] = "offer",
                ["playerId"] = "max",
                ["sdp"] = "v=0",
            }
        );
        Assert.NotNull(await ReceiveAsync(player, "offer"));
        await streamer.CloseAsync(WebSocketCloseStatus.NormalClosure, "restarting", CancellationToken.None);
        streamer.Dispose();
        Assert.Null(await ReceiveAsync(player, "never"));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, player.CloseStatus);
        Assert.Equal("streamer disconnected", player.CloseStatusDescription);
    }

    [Fact]
    public async Task A_frame_over_128_KB_closes_the_socket_with_1009_as_API_Gateway_does()
    {
        using var player = await PlayerAsync(this, "ned");
        Assert.NotNull(await ReceiveAsync(player, "config"));
        var big = new JsonObject { ["type"] = "iceCandidate", ["candidate"] = new string('x', 130 * 1024) };
        await SendAsync(player, big);
        Assert.Null(await ReceiveAsync(player, "never"));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, player.CloseStatus);
    }
}
