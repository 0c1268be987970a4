using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.PixelStreaming.Instances;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.State;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// The library on its own turns nothing on that a deployment did not configure: no API key refuses the API, no
/// instance provider starts nothing (503), and a provider name nobody registered stops the host at start.
/// </summary>
public sealed class FailClosedDefaultsTests : IAsyncLifetime
{
    private IStateBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Theory]
    [InlineData("test-key")]
    [InlineData("dev-api-key")]
    public async Task Without_an_api_key_every_api_call_is_refused(string presented)
    {
        await using var ps = new PsStack(_backend.Store, o => o.Api.ApiKey = null);
        Assert.Equal(401, (await ps.HttpAsync("GET", "/api/instances", apiKey: presented)).StatusCode);
        Assert.Equal(401, (await ps.HttpAsync("POST", "/api/instances", "{}", apiKey: presented)).StatusCode);
        Assert.False(ps.Options.Api.IsDevelopmentKey);
    }

    [Fact]
    public async Task Without_an_instance_provider_creating_an_instance_answers_503_and_records_nothing()
    {
        await using var ps = new PsStack(_backend.Store);
        Assert.Null(ps.Options.InstanceProvider);

        var created = await ps.HttpAsync("POST", "/api/instances", """{"instanceId":"wanted"}""");

        Assert.Equal(503, created.StatusCode);
        Assert.Contains("no instance provider configured", PsStack.Json(created).GetProperty("error").GetString());
        Assert.Equal(404, (await ps.HttpAsync("GET", "/api/instances/wanted")).StatusCode);
        Assert.Equal(
            0,
            PsStack.Json(await ps.HttpAsync("GET", "/api/instances")).GetProperty("instances").GetArrayLength()
        );
    }

    [Fact]
    public void A_provider_name_no_host_registered_fails_when_the_host_starts()
    {
        // "local" belongs to the local stack; a library host that names it has no such provider.
        var e = Assert.Throws<InvalidOperationException>(() =>
            new PsStack(_backend.Store, o => o.InstanceProvider = "local")
        );
        Assert.Contains("'local'", e.Message);
    }

    [Fact]
    public async Task A_host_registers_a_provider_under_the_name_the_configuration_gives()
    {
        var provider = new NamedProvider();
        await using var ps = new PsStack(
            _backend.Store,
            o => o.InstanceProvider = "Lab",
            s => s.AddKeyedSingleton<IInstanceProvider>("lab", provider)
        );
        Assert.Same(provider, ps.Get<IInstanceProvider>());
    }

    private sealed class NamedProvider : IInstanceProvider
    {
        public string Name => "lab";

        public Task<string> LaunchAsync(string instanceId, CancellationToken cancellationToken) =>
            Task.FromResult(instanceId);

        public Task<StartedInstance?> ProbeAsync(
            string instanceId,
            string providerRef,
            CancellationToken cancellationToken
        ) => Task.FromResult<StartedInstance?>(new StartedInstance("127.0.0.1", new Uri("http://127.0.0.1:1/")));

        public Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken) =>
            Task.CompletedTask;
    }
}
