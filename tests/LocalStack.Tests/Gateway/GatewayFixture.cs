using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Gateway;
using MobZ.LocalStack.Hosting;
using MobZ.Signaling.Abstractions;
using MobZ.TestKit;

namespace MobZ.LocalStack.Tests.Gateway;

/// <summary>
/// The real local stack on a free loopback port with two WebSocket APIs (/ws routed by "action", /ps by "type"),
/// an HTTP API under /api and a demo page, all backed by recording handlers.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public RecordingHandler Rooms { get; private set; } = null!;
    public RecordingHandler Pixel { get; private set; } = null!;
    public RecordingHttpHandler Http { get; } = new();
    public RunningLocalStack Stack { get; private set; } = null!;
    public IConnectionSender Sender => Stack.Services.GetRequiredService<IConnectionSender>();

    /// <summary>Sends the @connections secret, as a trusted local tool would.</summary>
    public HttpClient Client { get; private set; } = null!;
    public string ConnectionsSecret => Stack.Services.GetRequiredService<GatewayOptions>().ConnectionsApiSecret;

    public async Task InitializeAsync()
    {
        IConnectionSender? sender = null;
        Rooms = new RecordingHandler(() => sender!);
        Pixel = new RecordingHandler(() => sender!);
        Stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Gateway = new GatewayOptions { CloseHandshakeTimeout = TimeSpan.FromSeconds(2) },
                Capabilities = builder =>
                    builder
                        .AddWebSocketApi("/ws", "$request.body.action", _ => Rooms, r => r with { Stage = "local" })
                        .AddWebSocketApi(
                            "/ps",
                            "${request.body.type}",
                            _ => Pixel,
                            r => r with { Routes = ["offer", "answer"] }
                        )
                        .AddHttpApi("/api", _ => Http)
                        .AddDemoPage("Rooms demo", "/rooms.html", "m2m rooms in the browser"),
            }
        );
        sender = Sender;
        Client = new HttpClient { BaseAddress = Stack.BaseUrl };
        Client.DefaultRequestHeaders.Add(GatewayOptions.ConnectionsSecretHeader, ConnectionsSecret);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Stack.DisposeAsync();
    }

    /// <summary>Connects a real ClientWebSocket and finds its connection id through the $connect event.</summary>
    public async Task<(ClientWebSocket Socket, string ConnectionId)> ConnectAsync(
        RecordingHandler handler,
        string path,
        string query = ""
    )
    {
        var tag = Guid.NewGuid().ToString("N");
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(Stack.WebSocketUrl($"{path}?client={tag}{query}"), CancellationToken.None);
        var connect = handler.Events.First(e =>
            e.RequestContext.EventType == EventTypes.Connect && e.QueryStringParameters?["client"] == tag
        );
        return (socket, connect.RequestContext.ConnectionId);
    }

    public static Task SendTextAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Reads one whole message; returns null when the server closed instead.</summary>
    public static async Task<string?> ReceiveTextAsync(WebSocket socket)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[256 * 1024];
        var filled = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(filled), cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            filled += result.Count;
            if (result.EndOfMessage)
                return Encoding.UTF8.GetString(buffer, 0, filled);
        }
    }

    public Task<WebSocketEvent> DisconnectEventAsync(RecordingHandler handler, string connectionId) =>
        Eventually.ValueAsync(
            () =>
                Task.FromResult(
                    handler.For(connectionId).FirstOrDefault(e => e.RequestContext.EventType == EventTypes.Disconnect)
                ),
            Timeout,
            $"$disconnect of {connectionId} is delivered"
        );
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
