using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MobZ.Access;
using MobZ.Aws.Credentials;
using MobZ.TestKit.Aws;
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
    private const string Secret = "lambda-access-test-secret-32-bytes!!";
    private static readonly AwsCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    private RuntimeApiDouble _runtime = null!;
    private ManagementApiDouble _connections = null!;
    private Process _bootstrap = null!;
    private readonly StringBuilder _output = new();
    private readonly AccessTokenIssuer _issuer = new(new AccessTokenOptions { HmacSecret = Secret, Audience = "mobz" }, TimeProvider.System);

    public async Task InitializeAsync()
    {
        _runtime = await RuntimeApiDouble.StartAsync();
        _connections = await ManagementApiDouble.StartAsync(Credentials, region: "eu-west-1", stage: "prod");
        // The function's own build output (its deps.json names what it needs), built as this project's reference,
        // in the same configuration as this test.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var bootstrap = Repo.PathOf("src", "Signaling.Lambda", "bin", configuration, "net10.0", "bootstrap.dll");
        var start = new ProcessStartInfo("dotnet", bootstrap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = _runtime.RuntimeApi;
        start.Environment["MOBZ_HANDLER"] = "rooms";
        start.Environment["MOBZ_REDIS"] = redis.Configuration;
        start.Environment["MOBZ_REDIS_PREFIX"] = redis.NewKeyPrefix();
        start.Environment["MOBZ_CONNECTIONS_ENDPOINT"] = _connections.Endpoint.ToString();
        start.Environment["AWS_REGION"] = "eu-west-1";
        start.Environment["AWS_ACCESS_KEY_ID"] = Credentials.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = Credentials.SecretAccessKey;
        start.Environment["MobZ__Access__HmacSecret"] = Secret;
        start.Environment["MobZ__Access__Audience"] = "mobz";
        _bootstrap = Process.Start(start)!;
        _bootstrap.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _bootstrap.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _bootstrap.BeginOutputReadLine();
        _bootstrap.BeginErrorReadLine();
    }

    public async Task DisposeAsync()
    {
        if (!_bootstrap.HasExited)
            _bootstrap.Kill(entireProcessTree: true);
        await _bootstrap.WaitForExitAsync();
        await _connections.DisposeAsync();
        await _runtime.DisposeAsync();
    }

    [Fact]
    public async Task The_rooms_Lambda_refuses_at_connect_and_forbids_ungranted_actions()
    {
        // Cold start of a child process on a busy machine: the first outcome may take a while.
        Assert.Equal(401, await ConnectAsync("c-none=", null, TimeSpan.FromSeconds(60)));
        Assert.Equal(401, await ConnectAsync("c-expired=", _issuer.Issue("eve", "stage", AccessGrants.Everything, TimeSpan.FromMinutes(-5))));
        Assert.Equal(401, await ConnectAsync("c-forged=",
            new AccessTokenIssuer(new AccessTokenOptions { HmacSecret = "some-other-secret-of-32-bytes-long!", Audience = "mobz" }, TimeProvider.System)
                .Issue("eve", "stage", AccessGrants.Everything, TimeSpan.FromHours(1))));
        Assert.Equal(403, await ConnectAsync("c-nojoin=", _issuer.Issue("eve", "stage", AccessGrant.Subscribe, TimeSpan.FromHours(1))));

        Assert.Equal(200, await ConnectAsync("c-ann=", _issuer.Issue("ann", "stage", AccessGrant.Join | AccessGrant.Subscribe, TimeSpan.FromHours(1))));
        await MessageAsync("c-ann=", """{"action":"Join","requestId":"j1","roomId":"backstage","roomKind":"m2m","role":"viewer"}""");
        Assert.Equal("FORBIDDEN", (await ReplyAsync("c-ann=", "Error")).GetProperty("code").GetString());
        await MessageAsync("c-ann=", """{"action":"Join","requestId":"j2","roomId":"stage","roomKind":"p2m","role":"publisher"}""");
        Assert.Equal("FORBIDDEN", (await ReplyAsync("c-ann=", "Error")).GetProperty("code").GetString());
        await MessageAsync("c-ann=", """{"action":"Join","requestId":"j3","roomId":"stage","roomKind":"p2m","role":"viewer"}""");
        var ack = await ReplyAsync("c-ann=", "JoinAck");
        Assert.Equal("c-ann=", ack.GetProperty("participantId").GetString());
        Assert.Equal("stage", ack.GetProperty("roomId").GetString());
        await MessageAsync("c-ann=", """{"action":"CloseRoom","requestId":"c1"}""");
        Assert.Equal("FORBIDDEN", (await ReplyAsync("c-ann=", "Error")).GetProperty("code").GetString());

        // Every @connections call the function made was signed as AWS requires.
        Assert.All(_connections.Received, r => Assert.Null(r.Rejection));
        Assert.Empty(_runtime.Violations);
    }

    private async Task<int> ConnectAsync(string connectionId, string? token, TimeSpan? wait = null)
    {
        _connections.Connections[connectionId] = new();
        var query = token is null ? "null" : JsonSerializer.Serialize(new Dictionary<string, string> { ["access_token"] = token });
        var id = _runtime.Enqueue(Event(connectionId, "$connect", "CONNECT", null, query));
        var outcome = await OutcomeAsync(id, wait);
        using var json = JsonDocument.Parse(outcome.Body);
        int status = json.RootElement.GetProperty("statusCode").GetInt32();
        if (status != 200)
            _connections.Connections.TryRemove(connectionId, out _); // API Gateway never opens a refused socket.
        return status;
    }

    private async Task MessageAsync(string connectionId, string body) =>
        Assert.Equal("response", (await OutcomeAsync(_runtime.Enqueue(Event(connectionId, "$default", "MESSAGE", body, "null")), null)).Kind);

    private async Task<RuntimeApiDouble.Outcome> OutcomeAsync(string requestId, TimeSpan? wait)
    {
        try
        {
            return await _runtime.OutcomeAsync(requestId).WaitAsync(wait ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            lock (_output) throw new TimeoutException("No outcome from the bootstrap. Its output:\n" + _output);
        }
    }

    /// <summary>The next message of this action posted to the connection (the double keeps them in order).</summary>
    private async Task<JsonElement> ReplyAsync(string connectionId, string action)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var inbox = _connections.Connections[connectionId];
        while (DateTime.UtcNow < deadline)
        {
            while (inbox.TryDequeue(out var payload))
            {
                var doc = JsonDocument.Parse(payload).RootElement;
                if (doc.GetProperty("action").GetString() == action)
                    return doc;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"No {action} posted to {connectionId}");
    }

    private static string Event(string connectionId, string routeKey, string eventType, string? body, string queryJson) => $$"""
        {"requestContext":{"routeKey":"{{routeKey}}","eventType":"{{eventType}}","extendedRequestId":"x","requestTime":"06/Dec/2026:03:00:00 +0000",
        "messageDirection":"IN","stage":"prod","connectedAt":1796526000000,"requestTimeEpoch":1796526000000,"identity":{"sourceIp":"192.0.2.1"},
        "requestId":"r","domainName":"abc123.execute-api.eu-west-1.amazonaws.com","connectionId":"{{connectionId}}","apiId":"abc123"},
        "queryStringParameters":{{queryJson}},"body":{{(body is null ? "null" : JsonSerializer.Serialize(body))}},"isBase64Encoded":false}
        """;
}
