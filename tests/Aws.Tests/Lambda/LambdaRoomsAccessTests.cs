using MobZ.Access;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Repository;

namespace MobZ.Aws.Tests.Lambda;

/// <summary>
/// Issue 19 on the AWS path: the real signaling `bootstrap` (MOBZ_HANDLER=rooms) runs as a child process against the
/// Lambda Runtime API double, on redis-server, replying through the @connections double that checks every SigV4
/// signature. $connect answers API Gateway with 401/403 for tokens that do not grant entry; actions a token does not
/// grant are answered with FORBIDDEN over @connections — the same checks the local gateway runs.
/// </summary>
[Trait("Category", "Interop")]
public sealed class LambdaRoomsAccessTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private FunctionProcess _function = null!;
    private readonly AccessTokenIssuer _issuer = new(
        new AccessTokenOptions { HmacSecret = FunctionProcess.Secret, Audience = FunctionProcess.Audience },
        TimeProvider.System
    );

    public async Task InitializeAsync()
    {
        // The function's own build output (its deps.json names what it needs), built as this project's reference,
        // in the same configuration as this test.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var bootstrap = Repo.PathOf("src", "Signaling.Lambda", "bin", configuration, "net10.0", "bootstrap.dll");
        _function = await FunctionProcess.StartAsync("dotnet", [bootstrap], redis);
    }

    public async Task DisposeAsync() => await _function.DisposeAsync();

    /// <summary>Issue 12: API Gateway's HTTP API routes /whip to this function (resources/signaling.yml); it answers
    /// WHIP itself, with the same checks as the local stack.</summary>
    [Fact]
    public async Task The_rooms_Lambda_answers_WHIP_requests_from_the_http_api_route()
    {
        const string offer =
            "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:u\r\na=ice-pwd:pppppppppppppppppppppp\r\n"
            + "a=fingerprint:sha-256 4A:AD\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=sendonly\r\na=rtpmap:102 H264/90000\r\n";
        var none = await _function.WhipAsync("POST", "/whip/stage", null, offer);
        Assert.Equal(401, none.GetProperty("statusCode").GetInt32());
        Assert.Equal("*", none.GetProperty("headers").GetProperty("access-control-allow-origin").GetString());
        var notGranted = _issuer.Issue("eve", "stage", AccessGrant.Join | AccessGrant.Publish, TimeSpan.FromHours(1));
        Assert.Equal(
            403,
            (await _function.WhipAsync("POST", "/whip/stage", notGranted, offer)).GetProperty("statusCode").GetInt32()
        );
        // A valid publisher, but no Munit has registered in this Redis: 503, and the client may retry.
        var publisher = _issuer.Issue("obs", "stage", AccessGrant.P2mPublish, TimeSpan.FromHours(1));
        var noMunit = await _function.WhipAsync("POST", "/whip/stage", publisher, offer);
        Assert.Equal(503, noMunit.GetProperty("statusCode").GetInt32());
        Assert.Equal(
            405,
            (await _function.WhipAsync("PATCH", "/whip/stage/whip-1", publisher, null))
                .GetProperty("statusCode")
                .GetInt32()
        );
    }

    [Fact]
    public async Task The_rooms_Lambda_refuses_at_connect_and_forbids_ungranted_actions()
    {
        // Cold start of a child process on a busy machine: the first outcome may take a while.
        Assert.Equal(401, await ConnectAsync("c-none=", null, TimeSpan.FromSeconds(60)));
        Assert.Equal(
            401,
            await ConnectAsync(
                "c-expired=",
                _issuer.Issue("eve", "stage", AccessGrants.Everything, TimeSpan.FromMinutes(-5))
            )
        );
        Assert.Equal(
            401,
            await ConnectAsync(
                "c-forged=",
                new AccessTokenIssuer(
                    new AccessTokenOptions { HmacSecret = "some-other-secret-of-32-bytes-long!", Audience = "mobz" },
                    TimeProvider.System
                ).Issue("eve", "stage", AccessGrants.Everything, TimeSpan.FromHours(1))
            )
        );
        Assert.Equal(
            403,
            await ConnectAsync("c-nojoin=", _issuer.Issue("eve", "stage", AccessGrant.Subscribe, TimeSpan.FromHours(1)))
        );

        Assert.Equal(
            200,
            await ConnectAsync(
                "c-ann=",
                _issuer.Issue("ann", "stage", AccessGrant.Join | AccessGrant.Subscribe, TimeSpan.FromHours(1))
            )
        );
        await _function.MessageAsync(
            "c-ann=",
            """{"action":"Join","requestId":"j1","roomId":"backstage","roomKind":"m2m","role":"viewer"}"""
        );
        Assert.Equal("FORBIDDEN", (await _function.ReplyAsync("c-ann=", "Error")).GetProperty("code").GetString());
        await _function.MessageAsync(
            "c-ann=",
            """{"action":"Join","requestId":"j2","roomId":"stage","roomKind":"p2m","role":"publisher"}"""
        );
        Assert.Equal("FORBIDDEN", (await _function.ReplyAsync("c-ann=", "Error")).GetProperty("code").GetString());
        await _function.MessageAsync(
            "c-ann=",
            """{"action":"Join","requestId":"j3","roomId":"stage","roomKind":"p2m","role":"viewer"}"""
        );
        var ack = await _function.ReplyAsync("c-ann=", "JoinAck");
        Assert.Equal("c-ann=", ack.GetProperty("participantId").GetString());
        Assert.Equal("stage", ack.GetProperty("roomId").GetString());
        await _function.MessageAsync("c-ann=", """{"action":"CloseRoom","requestId":"c1"}""");
        Assert.Equal("FORBIDDEN", (await _function.ReplyAsync("c-ann=", "Error")).GetProperty("code").GetString());

        // Every @connections call the function made was signed as AWS requires.
        Assert.All(_function.Connections.Received, r => Assert.Null(r.Rejection));
        Assert.Empty(_function.Runtime.Violations);
    }

    private async Task<int> ConnectAsync(string connectionId, string? token, TimeSpan? wait = null) =>
        FunctionProcess.StatusOf(await _function.ConnectAsync(connectionId, token, wait));
}
