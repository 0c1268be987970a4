using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MobZ.Aws.Credentials;
using MobZ.TestKit.Aws;
using MobZ.TestKit.Redis;

namespace MobZ.Aws.Tests.Lambda;

/// <summary>
/// A signaling function (MOBZ_HANDLER=rooms unless told otherwise) as Lambda runs it: the real `bootstrap` as a child
/// process against the Runtime API double, on redis-server, answering through the @connections double that checks
/// every SigV4 signature. The same steps drive the JIT build (`dotnet bootstrap.dll`) and the Native AOT executable.
/// </summary>
public sealed class FunctionProcess : IAsyncDisposable
{
    public const string Secret = "lambda-access-test-secret-32-bytes!!";
    public const string Audience = "mobz";
    private static readonly AwsCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    private readonly StringBuilder _output = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<
        string,
        System.Collections.Concurrent.ConcurrentQueue<byte[]>
    > _inboxes = new();
    private Process _process = null!;

    private FunctionProcess(RuntimeApiDouble runtime, ManagementApiDouble connections)
    {
        Runtime = runtime;
        Connections = connections;
    }

    public RuntimeApiDouble Runtime { get; }

    /// <summary>The @connections API of MOBZ_CONNECTIONS_ENDPOINT.</summary>
    public ManagementApiDouble Connections { get; }

    /// <summary>Where this function's keys live in Redis; another function started with it shares its state.</summary>
    public string KeyPrefix { get; private set; } = "";

    /// <summary>What the bootstrap wrote to stdout and stderr so far (its JSON log lines).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <param name="fileName">The executable: "dotnet" for the JIT build, the native bootstrap itself for AOT.</param>
    /// <param name="handler">MOBZ_HANDLER.</param>
    /// <param name="keyPrefix">Another function's <see cref="KeyPrefix"/>, to share its state; a fresh one if
    /// null.</param>
    /// <param name="environment">More variables for the function's environment.</param>
    public static async Task<FunctionProcess> StartAsync(
        string fileName,
        IEnumerable<string> arguments,
        RedisServer redis,
        string handler = "rooms",
        string? keyPrefix = null,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        var function = new FunctionProcess(
            await RuntimeApiDouble.StartAsync(),
            await ManagementApiDouble.StartAsync(Credentials, region: "eu-west-1", stage: "prod")
        );
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = function.Runtime.RuntimeApi;
        function.KeyPrefix = keyPrefix ?? redis.NewKeyPrefix();
        start.Environment["MOBZ_HANDLER"] = handler;
        start.Environment["MOBZ_REDIS"] = redis.Configuration;
        start.Environment["MOBZ_REDIS_PREFIX"] = function.KeyPrefix;
        start.Environment["MOBZ_CONNECTIONS_ENDPOINT"] = function.Connections.Endpoint.ToString();
        start.Environment["AWS_REGION"] = "eu-west-1";
        start.Environment["AWS_ACCESS_KEY_ID"] = Credentials.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = Credentials.SecretAccessKey;
        start.Environment["MobZ__Access__HmacSecret"] = Secret;
        start.Environment["MobZ__Access__Audience"] = Audience;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        function._process = Process.Start(start)!;
        function._process.OutputDataReceived += (_, e) => function.Append(e.Data);
        function._process.ErrorDataReceived += (_, e) => function.Append(e.Data);
        function._process.BeginOutputReadLine();
        function._process.BeginErrorReadLine();
        return function;
    }

    private void Append(string? line)
    {
        lock (_output)
            _output.AppendLine(line);
    }

    /// <summary>A $connect with the token (if any) as access_token; the function's whole answer to API
    /// Gateway.</summary>
    public async Task<RuntimeApiDouble.Outcome> ConnectAsync(string connectionId, string? token, TimeSpan? wait = null)
    {
        Connections.Connections[connectionId] = _inboxes[connectionId] = new();
        var query = token is null
            ? "null"
            : JsonSerializer.Serialize(new Dictionary<string, string> { ["access_token"] = token });
        var outcome = await OutcomeAsync(
            Runtime.Enqueue(Event(connectionId, "$connect", "CONNECT", null, query)),
            wait
        );
        if (StatusOf(outcome) != 200)
            Connections.Connections.TryRemove(connectionId, out _); // API Gateway never opens a refused socket.
        return outcome;
    }

    /// <summary>The statusCode of the proxy response the function posted.</summary>
    public static int StatusOf(RuntimeApiDouble.Outcome outcome)
    {
        Assert.Equal("response", outcome.Kind);
        using var json = JsonDocument.Parse(outcome.Body);
        return json.RootElement.GetProperty("statusCode").GetInt32();
    }

    /// <summary>An HTTP API (payload 2.0) request as API Gateway's <c>ANY /whip/{proxy+}</c> route passes it (an
    /// application/sdp body base64-encoded); the function's whole answer.</summary>
    public Task<JsonElement> WhipAsync(string method, string path, string? token, string? sdp)
    {
        var headers = new Dictionary<string, string> { ["content-type"] = "application/sdp" };
        if (token is not null)
            headers["authorization"] = "Bearer " + token;
        return HttpAsync(
            "ANY /whip/{proxy+}",
            method,
            path,
            headers,
            sdp is null ? null : System.Text.Encoding.UTF8.GetBytes(sdp)
        );
    }

    /// <summary>An HTTP API (payload 2.0) request on <paramref name="routeKey"/>, its body base64-encoded as API
    /// Gateway passes binary bodies; the function's whole answer.</summary>
    public async Task<JsonElement> HttpAsync(
        string routeKey,
        string method,
        string path,
        Dictionary<string, string> headers,
        byte[]? body,
        TimeSpan? wait = null
    )
    {
        var evt = new Dictionary<string, object?>
        {
            ["version"] = "2.0",
            ["routeKey"] = routeKey,
            ["rawPath"] = path,
            ["rawQueryString"] = "",
            ["headers"] = headers,
            ["requestContext"] = new Dictionary<string, object>
            {
                ["apiId"] = "h",
                ["domainName"] = "h.execute-api.eu-west-1.amazonaws.com",
                ["requestId"] = "r",
                ["routeKey"] = routeKey,
                ["stage"] = "$default",
                ["timeEpoch"] = 1796526000000,
                ["http"] = new Dictionary<string, string>
                {
                    ["method"] = method,
                    ["path"] = path,
                    ["protocol"] = "HTTP/1.1",
                    ["sourceIp"] = "192.0.2.1",
                },
            },
            ["body"] = body is null ? null : Convert.ToBase64String(body),
            ["isBase64Encoded"] = body is not null,
        };
        var outcome = await OutcomeAsync(Runtime.Enqueue(JsonSerializer.Serialize(evt)), wait);
        Assert.True(outcome.Kind == "response", outcome.Body);
        return JsonDocument.Parse(outcome.Body).RootElement.Clone();
    }

    public async Task MessageAsync(string connectionId, string body) =>
        Assert.Equal(
            "response",
            (await OutcomeAsync(Runtime.Enqueue(Event(connectionId, "$default", "MESSAGE", body, "null")), null)).Kind
        );

    private async Task<RuntimeApiDouble.Outcome> OutcomeAsync(string requestId, TimeSpan? wait)
    {
        try
        {
            return await Runtime.OutcomeAsync(requestId, wait ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("No outcome from the bootstrap. Its output:\n" + Output);
        }
    }

    /// <summary>The next message of this action posted to the connection (the double keeps them in order).</summary>
    public async Task<JsonElement> ReplyAsync(string connectionId, string action)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        // Kept past the double's forgetting the connection, so what was posted before a disconnect can be read.
        var inbox = _inboxes[connectionId];
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
        throw new TimeoutException($"No {action} posted to {connectionId}. The bootstrap's output:\n" + Output);
    }

    private static string Event(
        string connectionId,
        string routeKey,
        string eventType,
        string? body,
        string queryJson
    ) =>
        $$"""
            {"requestContext":{"routeKey":"{{routeKey}}","eventType":"{{eventType}}","extendedRequestId":"x","requestTime":"06/Dec/2026:03:00:00 +0000",
            "messageDirection":"IN","stage":"prod","connectedAt":1796526000000,"requestTimeEpoch":1796526000000,"identity":{"sourceIp":"192.0.2.1"},
            "requestId":"r","domainName":"abc123.execute-api.eu-west-1.amazonaws.com","connectionId":"{{connectionId}}","apiId":"abc123"},
            "queryStringParameters":{{queryJson}},"body":{{(
                body is null ? "null" : JsonSerializer.Serialize(body)
            )}},"isBase64Encoded":false}
            """;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        await Connections.DisposeAsync();
        await Runtime.DisposeAsync();
    }
}
