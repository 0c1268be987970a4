using MobZ.PixelStreaming.Tests.Support;
using MobZ.Signaling.Abstractions;
using MobZ.TestKit.Redis;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// Redis frozen (SIGSTOP) under Pixel Streaming: a player's socket is refused with 503 and Retry-After (not a bare 500)
/// once the store call runs into its timeout, and admitted again when Redis continues.
/// </summary>
public sealed class StoreStallTests
{
    [Fact]
    public async Task A_player_socket_opened_while_the_store_is_frozen_gets_503_with_Retry_After_and_is_admitted_after()
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var backend = await redis.CreateBackendAsync();
        await using var stack = new PsStack(backend.Store);
        var query = new Dictionary<string, string>
        {
            ["type"] = "player",
            ["token"] = TestTokens.Hs256("ada", now: stack.Get<TimeProvider>().GetUtcNow().UtcDateTime),
            ["projectUrl"] = "https://projects.example.test/p1.uproject",
        };

        redis.Pause();
        ProxyResponse refused;
        try
        {
            refused = await stack.Handler.HandleAsync(
                PsStack.Event("c-frozen=", RouteKeys.Connect, EventTypes.Connect, null, query, "127.0.0.1"),
                CancellationToken.None
            );
        }
        finally
        {
            redis.Resume();
        }

        Assert.Equal(503, refused.StatusCode);
        Assert.Equal("1", refused.Headers?["Retry-After"]);
        Assert.Equal(200, (await stack.ConnectAsync(query)).Status);
    }
}
