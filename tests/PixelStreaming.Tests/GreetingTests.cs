using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.State;
using MobZ.TestKit;

namespace MobZ.PixelStreaming.Tests;

/// <summary>config must reach a client as soon as the gateway lets us write, and exactly once.</summary>
public sealed class GreetingTests : IAsyncLifetime
{
    private IStateBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Config_is_retried_through_410s_and_delivered_once_the_gateway_completes_connect()
    {
        await using var ps = new PsStack(_backend.Store);
        var id = "slow=";
        var connection = ps.Gateway.Create(id);
        await ps.Get<Security.StreamerAllowList>().AddAsync("127.0.0.1");
        var response = await ps.Handler.HandleAsync(
            PsStack.Event(
                id,
                "$connect",
                "CONNECT",
                null,
                new Dictionary<string, string> { ["type"] = "streamer" },
                "127.0.0.1"
            ),
            CancellationToken.None
        );
        Assert.Equal(200, response.StatusCode);

        // The gateway still answers 410 (as API Gateway does until $connect has returned): retries pile up.
        await Eventually.WaitUntilAsync(
            () => Volatile.Read(ref connection.GoneAnswers) >= 3,
            PsStack.Wait,
            "the greeting was retried on 410"
        );
        Assert.Empty(connection.Received);

        ps.Gateway.Complete(id);
        await ps.NextAsync(id, "identify");
        Assert.Equal(["config", "identify"], connection.Types);
    }

    [Fact]
    public async Task First_frame_delivers_config_before_the_reply_when_the_retry_is_still_backing_off()
    {
        await using var ps = new PsStack(_backend.Store, o =>
            o.GreetingInitialBackoff = o.GreetingMaxBackoff = TimeSpan.FromSeconds(30)
        );
        var id = "early=";
        var connection = ps.Gateway.Create(id);
        var query = new Dictionary<string, string>
        {
            ["type"] = "player",
            ["token"] = TestTokens.Hs256("ivy"),
            ["projectUrl"] = "https://p.example.test/x",
        };
        Assert.Equal(
            200,
            (
                await ps.Handler.HandleAsync(
                    PsStack.Event(id, "$connect", "CONNECT", null, query, "127.0.0.1"),
                    CancellationToken.None
                )
            ).StatusCode
        );
        await Eventually.WaitUntilAsync(
            () => Volatile.Read(ref connection.GoneAnswers) >= 1,
            PsStack.Wait,
            "the first greeting attempt met 410"
        );

        ps.Gateway.Complete(id);
        await ps.SendAsync(id, new JsonObject { ["type"] = "listStreamers" });
        Assert.Equal(["config", "streamerList"], connection.Types);
    }

    [Fact]
    public async Task Greeting_retry_gives_up_quietly_when_the_client_left_before_connect_completed()
    {
        await using var ps = new PsStack(_backend.Store, o => o.GreetingDeadline = TimeSpan.FromMilliseconds(300));
        var id = "gone=";
        var connection = ps.Gateway.Create(id);
        var query = new Dictionary<string, string>
        {
            ["type"] = "player",
            ["token"] = TestTokens.Hs256("jack"),
            ["projectUrl"] = "https://p.example.test/x",
        };
        await ps.Handler.HandleAsync(
            PsStack.Event(id, "$connect", "CONNECT", null, query, "127.0.0.1"),
            CancellationToken.None
        );
        await ps.DisconnectAsync(id);
        await ps.Deferred.DrainAsync().WaitAsync(PsStack.Wait);
        Assert.Empty(connection.Received);
        Assert.False(await ps.Store.ExistsAsync(ps.Keys.Connection(id)));
    }
}
