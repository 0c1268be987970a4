using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.TestKit.Browser;
using MobZ.TestKit.Redis;

namespace MobZ.Interop.Tests;

/// <summary>
/// The whole local stack (gateway, room signaling, a Munit with its Regulator, HLS, Pixel Streaming) on the
/// Redis backend, plus one headless Chromium with a fake camera; shared by the tests of one class.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public RedisServer Redis { get; } = new();
    public RunningLocalStack Stack { get; private set; } = null!;
    public Chromium Browser { get; private set; } = null!;

    /// <summary>The stack's key prefix in Redis, for other processes (Munit hosts) that join this stack.</summary>
    public string RedisKeyPrefix { get; } = "";

    public StackFixture() => RedisKeyPrefix = Redis.NewKeyPrefix();

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        Stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = Redis.Configuration,
                RedisKeyPrefix = RedisKeyPrefix,
                Capabilities = MobZCapabilities.Add,
                // As in production: LL-HLS plays only with the playback token signaling hands out (the local stack's
                // default is open).
                Args = ["--Hls:RequirePlaybackToken=true"],
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
            }
        );
        Browser = await Chromium.LaunchAsync(
            new ChromiumOptions
            {
                // Several encoders and decoders share two cores; keep Chromium from throttling hidden tabs.
                ExtraArgs =
                [
                    "--disable-renderer-backgrounding",
                    "--disable-background-timer-throttling",
                    "--disable-backgrounding-occluded-windows",
                ],
            }
        );
    }

    public Uri Page(string pathAndQuery) => new(Stack.BaseUrl, pathAndQuery);

    /// <summary>Closes every tab, so one test's encoders and decoders do not load the next test's machine.</summary>
    public async Task ClosePagesAsync()
    {
        foreach (var page in Browser.Context.Pages.ToList())
            await page.CloseAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        if (Stack is not null)
            await Stack.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>All interop classes share one stack and one browser and run one after another: media tests on
/// two cores are only meaningful when they do not compete with each other.</summary>
[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "local stack with Chromium";
}
