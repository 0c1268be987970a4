using System.Text;
using MobZ.Aws.Credentials;
using MobZ.Aws.Tests.Clients;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.ApiGateway;
using MobZ.TestKit.Aws;

namespace MobZ.Aws.Tests.ApiGateway;

public sealed class ApiGatewayManagementClientTests : IAsyncLifetime
{
    private static readonly AwsCredentials Credentials = new(
        "ASIAEXAMPLEKEY",
        "secret/with+chars",
        "session-token-value=="
    );

    // Connection ids on AWS end in '=' and may contain '+' or '/'-free base64: exercise the path encoding.
    private const string ConnectionId = "L0SM9cOFvHcCIhw=";

    private ManagementApiDouble _aws = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _aws = await ManagementApiDouble.StartAsync(Credentials);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _aws.DisposeAsync();
    }

    private ApiGatewayManagementClient Client(
        AwsCredentials? credentials = null,
        ApiGatewayManagementOptions? options = null
    ) =>
        new(
            _http,
            _aws.Endpoint,
            new StaticCredentials(credentials ?? Credentials),
            "eu-west-1",
            options
                ?? new ApiGatewayManagementOptions
                {
                    BaseDelay = TimeSpan.FromMilliseconds(1),
                    MaxDelay = TimeSpan.FromMilliseconds(5),
                }
        );

    [Fact]
    public async Task Post_to_a_live_connection_is_signed_accepted_and_delivered()
    {
        var inbox = _aws.Connections.GetOrAdd(ConnectionId, _ => new());

        var status = await Client().SendAsync(ConnectionId, Encoding.UTF8.GetBytes("{\"type\":\"hello\"}"));

        Assert.Equal(SendStatus.Sent, status);
        Assert.True(inbox.TryDequeue(out var delivered));
        Assert.Equal("{\"type\":\"hello\"}", Encoding.UTF8.GetString(delivered));
        var request = Assert.Single(_aws.Received);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/prod/@connections/L0SM9cOFvHcCIhw%3D", request.RawTarget);
        Assert.Null(request.Rejection);
    }

    [Fact]
    public async Task Post_to_an_unknown_connection_reports_gone()
    {
        Assert.Equal(SendStatus.Gone, await Client().SendAsync("unknown=", "x"u8.ToArray()));
        Assert.Equal(410, Assert.Single(_aws.Received).Status);
    }

    [Fact]
    public async Task Payload_over_128_KB_is_refused_without_any_request()
    {
        _aws.Connections.GetOrAdd(ConnectionId, _ => new());

        var status = await Client().SendAsync(ConnectionId, new byte[IConnectionSender.MaxPayloadBytes + 1]);

        Assert.Equal(SendStatus.TooLarge, status);
        Assert.Empty(_aws.Received);
    }

    [Fact]
    public async Task Payload_of_exactly_128_KB_is_sent()
    {
        var inbox = _aws.Connections.GetOrAdd(ConnectionId, _ => new());
        Assert.Equal(
            SendStatus.Sent,
            await Client().SendAsync(ConnectionId, new byte[IConnectionSender.MaxPayloadBytes])
        );
        Assert.True(inbox.TryDequeue(out var delivered));
        Assert.Equal(IConnectionSender.MaxPayloadBytes, delivered.Length);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_then_succeed()
    {
        _aws.Connections.GetOrAdd(ConnectionId, _ => new());
        _aws.ScriptedFailures.Enqueue(429);
        _aws.ScriptedFailures.Enqueue(503);

        Assert.Equal(SendStatus.Sent, await Client().SendAsync(ConnectionId, "x"u8.ToArray()));
        Assert.Equal([429, 503, 200], _aws.Received.Select(r => r.Status));
    }

    [Fact]
    public async Task Retries_are_bounded_and_end_in_failed()
    {
        _aws.Connections.GetOrAdd(ConnectionId, _ => new());
        for (var i = 0; i < 10; i++)
            _aws.ScriptedFailures.Enqueue(500);

        var status = await Client(
                options: new ApiGatewayManagementOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) }
            )
            .SendAsync(ConnectionId, "x"u8.ToArray());

        Assert.Equal(SendStatus.Failed, status);
        Assert.Equal(3, _aws.Received.Count);
    }

    [Fact]
    public async Task Gone_is_not_retried()
    {
        Assert.Equal(SendStatus.Gone, await Client().SendAsync(ConnectionId, "x"u8.ToArray()));
        Assert.Single(_aws.Received);
    }

    [Fact]
    public async Task A_wrong_secret_is_rejected_by_the_signature_check()
    {
        _aws.Connections.GetOrAdd(ConnectionId, _ => new());

        var status = await Client(Credentials with { SecretAccessKey = "not-the-secret" })
            .SendAsync(ConnectionId, "x"u8.ToArray());

        Assert.Equal(SendStatus.Failed, status);
        Assert.Equal("403 signature does not match", Assert.Single(_aws.Received).Rejection);
    }

    [Fact]
    public async Task Get_returns_connection_info_and_null_when_gone()
    {
        _aws.Connections.GetOrAdd(ConnectionId, _ => new());

        var info = await Client().GetConnectionAsync(ConnectionId);

        Assert.NotNull(info);
        Assert.Equal("192.0.2.7", info.SourceIp);
        Assert.Equal("test-agent", info.UserAgent);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 11, 0, 0, TimeSpan.Zero), info.ConnectedAt);
        Assert.Null(await Client().GetConnectionAsync("other="));
        Assert.All(_aws.Received, r => Assert.Null(r.Rejection));
    }

    [Fact]
    public async Task Delete_removes_the_connection_once()
    {
        _aws.Connections.GetOrAdd(ConnectionId, _ => new());

        Assert.True(await Client().DeleteConnectionAsync(ConnectionId));
        Assert.False(await Client().DeleteConnectionAsync(ConnectionId));
        Assert.Equal(["DELETE", "DELETE"], _aws.Received.Select(r => r.Method));
        Assert.Equal([204, 410], _aws.Received.Select(r => r.Status));
    }

    [Theory]
    [InlineData("abc123.execute-api.eu-central-1.amazonaws.com", "eu-central-1")]
    [InlineData("ws.example.com", null)]
    public void Region_is_read_from_execute_api_domain_names(string domain, string? region) =>
        Assert.Equal(region, ApiGatewayManagementClient.RegionFromDomainName(domain));
}
