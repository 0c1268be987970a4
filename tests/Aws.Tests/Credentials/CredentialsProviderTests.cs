using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Credentials;

namespace MobZ.Aws.Tests.Credentials;

public sealed class CredentialsProviderTests : IAsyncLifetime
{
    private WebApplication _agent = null!;
    private Uri _endpoint = null!;
    private readonly HttpClient _http = new();
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<string?> _authorizations = new();
    private int _served;
    private volatile bool _failing;

    /// <summary>The ECS agent's credentials endpoint: each call hands out a new key valid for one hour from
    /// "now".</summary>
    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _agent = builder.Build();
        _agent.MapGet("/v2/credentials/{id}", (HttpContext context) =>
        {
            _authorizations.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
            if (_failing)
                return Results.StatusCode(500);
            var n = Interlocked.Increment(ref _served);
            // The agent's documented document, field names in PascalCase.
            var expiration = _time
                .GetUtcNow()
                .AddHours(1)
                .ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            return Results.Text(
                $$"""
                {"RoleArn":"arn:aws:iam::123456789012:role/munit-task","AccessKeyId":"ASIAKEY{{n}}","SecretAccessKey":"secret{{n}}","Token":"token{{n}}","Expiration":"{{expiration}}"}
                """,
                "application/json"
            );
        });
        await _agent.StartAsync();
        _endpoint = new Uri(
            _agent
                .Services.GetRequiredService<IServer>()
                .Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.First() + "/v2/credentials/abc"
        );
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _agent.StopAsync();
        await _agent.DisposeAsync();
    }

    [Fact]
    public async Task Container_credentials_are_fetched_once_and_cached_while_fresh()
    {
        using var provider = new ContainerCredentialsProvider(_http, _endpoint, time: _time);

        var first = await provider.GetCredentialsAsync();
        _time.Advance(TimeSpan.FromMinutes(30));
        var second = await provider.GetCredentialsAsync();

        Assert.Equal("ASIAKEY1", first.AccessKeyId);
        Assert.Equal("token1", first.SessionToken);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 13, 0, 0, TimeSpan.Zero), first.Expiration);
        Assert.Same(first, second);
        Assert.Equal(1, _served);
    }

    [Fact]
    public async Task Container_credentials_are_refreshed_five_minutes_before_expiry()
    {
        using var provider = new ContainerCredentialsProvider(_http, _endpoint, time: _time);
        await provider.GetCredentialsAsync();

        _time.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal("ASIAKEY1", (await provider.GetCredentialsAsync()).AccessKeyId);
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal("ASIAKEY2", (await provider.GetCredentialsAsync()).AccessKeyId);
    }

    [Fact]
    public async Task Failed_refresh_keeps_serving_still_valid_credentials_and_fails_without_any()
    {
        using var provider = new ContainerCredentialsProvider(_http, _endpoint, time: _time);
        await provider.GetCredentialsAsync();
        _failing = true;

        _time.Advance(TimeSpan.FromMinutes(57));
        Assert.Equal("ASIAKEY1", (await provider.GetCredentialsAsync()).AccessKeyId);

        using var fresh = new ContainerCredentialsProvider(_http, _endpoint, time: _time);
        await Assert.ThrowsAsync<AwsCredentialsException>(async () => await fresh.GetCredentialsAsync());
    }

    [Fact]
    public async Task Full_uri_form_sends_the_authorization_token()
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = _endpoint.AbsoluteUri,
            ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "agent-token",
        };
        var provider = DefaultCredentialsProvider.Create(_http, getVariable: n => env.GetValueOrDefault(n));

        Assert.Equal("ASIAKEY1", (await provider.GetCredentialsAsync()).AccessKeyId);
        Assert.Equal("agent-token", Assert.Single(_authorizations));
    }

    [Fact]
    public void Relative_uri_points_at_the_ecs_agent()
    {
        var endpoint = ContainerCredentialsProvider.EndpointFromEnvironment(n =>
            n == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" ? "/v2/credentials/0a1b" : null
        );
        Assert.Equal("http://169.254.170.2/v2/credentials/0a1b", endpoint!.AbsoluteUri);
    }

    [Fact]
    public async Task Environment_credentials_come_first_and_carry_the_session_token()
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = "ASIALAMBDA",
            ["AWS_SECRET_ACCESS_KEY"] = "lambda-secret",
            ["AWS_SESSION_TOKEN"] = "lambda-token",
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = _endpoint.AbsoluteUri,
        };
        var credentials = await DefaultCredentialsProvider
            .Create(_http, getVariable: n => env.GetValueOrDefault(n))
            .GetCredentialsAsync();

        Assert.Equal(new AwsCredentials("ASIALAMBDA", "lambda-secret", "lambda-token"), credentials);
        Assert.Equal(0, _served);
    }

    [Fact]
    public void No_credentials_at_all_is_a_clear_error()
    {
        var error = Assert.Throws<AwsCredentialsException>(() =>
            DefaultCredentialsProvider.Create(_http, getVariable: _ => null)
        );
        Assert.Contains("AWS_ACCESS_KEY_ID", error.Message);
    }

    [Theory]
    [InlineData("eu-west-1", null, "eu-west-1")]
    [InlineData(null, "us-east-2", "us-east-2")]
    [InlineData("", "", null)]
    public void Region_comes_from_aws_region_then_default_region(
        string? region,
        string? defaultRegion,
        string? expected
    ) =>
        Assert.Equal(
            expected,
            DefaultCredentialsProvider.RegionFromEnvironment(n =>
                n == "AWS_REGION" ? region
                : n == "AWS_DEFAULT_REGION" ? defaultRegion
                : null
            )
        );

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
