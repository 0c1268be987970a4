using MobZ.Access;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Repository;

namespace MobZ.Aws.Tests.Lambda;

/// <summary>
/// The AWS "http" function answers the admin API beside Pixel Streaming's REST API, so its MOBZ_CONNECTIONS_ENDPOINT is
/// the Pixel Streaming WebSocket API's. A member the admin API kicks is on the rooms API: the notice and the
/// disconnect must go through MOBZ_ROOMS_CONNECTIONS_ENDPOINT (resources/signaling.yml sets both), or the member is
/// never told. Two real `bootstrap` processes share one Redis: the rooms function the member joined through and
/// the http function the operator calls.
/// </summary>
[Trait("Category", "Interop")]
public sealed class LambdaAdminApiTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string ApiKey = "lambda-admin-test-api-key";
    private FunctionProcess _rooms = null!;
    private FunctionProcess _http = null!;

    public async Task InitializeAsync()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var bootstrap = Repo.PathOf("src", "Signaling.Lambda", "bin", configuration, "net10.0", "bootstrap.dll");
        _rooms = await FunctionProcess.StartAsync("dotnet", [bootstrap], redis);
        _http = await FunctionProcess.StartAsync(
            "dotnet",
            [bootstrap],
            redis,
            handler: "http",
            keyPrefix: _rooms.KeyPrefix,
            environment: new Dictionary<string, string>
            {
                ["MOBZ_ROOMS_CONNECTIONS_ENDPOINT"] = _rooms.Connections.Endpoint.ToString(),
                ["PS_API_KEY"] = ApiKey,
                ["PS_TOKEN_SECRET"] = FunctionProcess.Secret,
            }
        );
    }

    public async Task DisposeAsync()
    {
        await _http.DisposeAsync();
        await _rooms.DisposeAsync();
    }

    [Fact]
    public async Task A_member_the_admin_api_kicks_is_told_and_disconnected_through_the_rooms_api()
    {
        var token = new AccessTokenIssuer(
            new AccessTokenOptions { HmacSecret = FunctionProcess.Secret, Audience = FunctionProcess.Audience },
            TimeProvider.System
        ).Issue("ann", "lobby", AccessGrant.Join | AccessGrant.Publish, TimeSpan.FromHours(1));
        // Cold start of a child process on a busy machine: the first outcome may take a while.
        Assert.Equal(
            200,
            FunctionProcess.StatusOf(await _rooms.ConnectAsync("c-ann=", token, TimeSpan.FromSeconds(60)))
        );
        await _rooms.MessageAsync(
            "c-ann=",
            """{"action":"Join","requestId":"j1","roomId":"lobby","roomKind":"p2p","role":"publisher"}"""
        );
        await _rooms.ReplyAsync("c-ann=", "JoinAck");

        var kick = await _http.HttpAsync(
            "$default",
            "DELETE",
            "/api/admin/rooms/lobby/members/" + Uri.EscapeDataString("c-ann="),
            new Dictionary<string, string> { ["x-api-key"] = ApiKey },
            body: null,
            wait: TimeSpan.FromSeconds(60)
        );

        Assert.True(204 == kick.GetProperty("statusCode").GetInt32(), kick.ToString());
        var kicked = await _rooms.ReplyAsync("c-ann=", "Kicked");
        Assert.Equal("lobby", kicked.GetProperty("roomId").GetString());
        await Eventually.WaitUntilAsync(
            () => _rooms.Connections.Received.Any(r => r.Method == "DELETE" && r.RawTarget.Contains("c-ann")),
            TimeSpan.FromSeconds(30),
            "the kicked member's socket is closed through the rooms API"
        );
        Assert.Empty(_http.Connections.Received); // nothing went to the Pixel Streaming API
        Assert.All(_rooms.Connections.Received, r => Assert.Null(r.Rejection));
    }
}
