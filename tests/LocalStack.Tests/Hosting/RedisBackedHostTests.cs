using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.LocalStack.Tests.Gateway;
using MobZ.Signaling.Abstractions;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.LocalStack.Tests.Hosting;

public sealed class RedisBackedHostTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Host_given_a_redis_address_uses_the_redis_backend_and_still_gateways_websockets()
    {
        IConnectionSender? sender = null;
        var handler = new RecordingHandler(() => sender!);
        await using var stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Args = ["--redis", redis.Configuration],
                RedisKeyPrefix = redis.NewKeyPrefix(),
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = b => b.AddWebSocketApi("/ws", "$request.body.action", _ => handler),
            }
        );
        sender = stack.Services.GetRequiredService<IConnectionSender>();

        var backend = stack.Services.GetRequiredService<IStateBackend>();
        Assert.Equal("redis", backend.Name);
        Assert.True(await backend.Store.SetStringAsync("probe", "1"));
        Assert.Equal("1", await backend.Store.GetStringAsync("probe"));

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(stack.WebSocketUrl("/ws"), CancellationToken.None);
        var id = handler.Events.Single().RequestContext.ConnectionId;
        Assert.Equal(SendStatus.Sent, await sender.SendAsync(id, "hi"u8.ToArray()));
        Assert.Equal("hi", await GatewayFixture.ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task Unreachable_redis_fails_startup_with_a_clear_error()
    {
        var options = new LocalStackOptions
        {
            Urls = "http://127.0.0.1:0",
            Redis = "127.0.0.1:1,connectTimeout=500",
            MinimumLogLevel = LogLevel.Critical,
            PrintReadyLine = false,
        };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalStackHost.StartAsync(options));
        Assert.StartsWith("Redis at '127.0.0.1:1,connectTimeout=500' is not reachable", error.Message);
    }
}
