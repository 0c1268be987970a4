using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.LocalStack.PixelStreaming;
using MobZ.PixelStreaming;
using MobZ.PixelStreaming.Instances;

namespace MobZ.LocalStack.Tests.Hosting;

/// <summary>
/// The development conveniences of Pixel Streaming live in the local stack only: with nothing configured `make run`
/// starts local streamers and accepts the development API key; a configured key replaces it, and a configured
/// provider is used as configured.
/// </summary>
public sealed class LocalPixelStreamingDefaultsTests
{
    private static Task<RunningLocalStack> StartAsync(params string[] args) =>
        LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                // No local streamer at boot: these tests look at the wiring, not at Chromium.
                Args = ["--PixelStreaming:Local:StartOnBoot=false", .. args],
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = b => b.AddLocalPixelStreaming(),
            }
        );

    private static async Task<int> ListInstancesAsync(RunningLocalStack stack, string key)
    {
        using var http = new HttpClient { BaseAddress = stack.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", key);
        return (int)(await http.GetAsync("api/instances")).StatusCode;
    }

    [Fact]
    public async Task With_nothing_configured_the_local_stack_uses_local_streamers_and_the_development_key()
    {
        await using var stack = await StartAsync();
        var options = stack.Services.GetRequiredService<PixelStreamingOptions>();

        Assert.IsType<LocalInstanceProvider>(stack.Services.GetRequiredService<IInstanceProvider>());
        Assert.True(options.Api.IsDevelopmentKey);
        Assert.Equal(200, await ListInstancesAsync(stack, LocalPixelStreamingExtensions.DevApiKey));
        Assert.Equal(401, await ListInstancesAsync(stack, "guess"));
    }

    [Fact]
    public async Task A_configured_api_key_replaces_the_development_key()
    {
        await using var stack = await StartAsync("--PixelStreaming:Api:ApiKey=configured-key");

        Assert.False(stack.Services.GetRequiredService<PixelStreamingOptions>().Api.IsDevelopmentKey);
        Assert.Equal(401, await ListInstancesAsync(stack, LocalPixelStreamingExtensions.DevApiKey));
        Assert.Equal(200, await ListInstancesAsync(stack, "configured-key"));
    }

    [Fact]
    public async Task A_configured_provider_is_used_instead_of_local_streamers()
    {
        RunningLocalStack stack;
        try
        {
            stack = await StartAsync("--PixelStreaming:InstanceProvider=ecs");
        }
        catch (MobZ.Aws.Credentials.AwsCredentialsException)
        {
            // No AWS credentials on this machine: the ECS provider asked for them at start, and nothing fell back to
            // local.
            return;
        }
        await using (stack)
            Assert.Equal("ecs", stack.Services.GetRequiredService<IInstanceProvider>().Name);
    }
}
