using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Gateway;
using MobZ.LocalStack.Hosting;
using MobZ.Signaling.Abstractions;
using MobZ.TestKit;

namespace MobZ.LocalStack.Tests.Gateway;

public sealed class IdleTimeoutTests
{
    [Fact]
    public async Task Idle_connection_is_closed_with_1001_and_gets_disconnect()
    {
        IConnectionSender? sender = null;
        var handler = new RecordingHandler(() => sender!);
        await using var stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Gateway = new GatewayOptions { IdleTimeout = TimeSpan.FromMilliseconds(400) },
                Capabilities = b => b.AddWebSocketApi("/ws", "$request.body.action", _ => handler),
            }
        );
        sender = stack.Services.GetRequiredService<IConnectionSender>();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(stack.WebSocketUrl("/ws"), CancellationToken.None);
        var id = handler.Events.Single().RequestContext.ConnectionId;

        Assert.Null(await GatewayFixture.ReceiveTextAsync(socket));

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        var disconnect = await Eventually.ValueAsync(
            () =>
                Task.FromResult(
                    handler.For(id).FirstOrDefault(e => e.RequestContext.EventType == EventTypes.Disconnect)
                ),
            GatewayFixture.Timeout,
            "$disconnect after the idle close"
        );
        Assert.Equal(1001, disconnect.RequestContext.DisconnectStatusCode);
        Assert.Equal(SendStatus.Gone, await sender.SendAsync(id, "x"u8.ToArray()));
    }
}
