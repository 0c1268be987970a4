using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MobZ.LocalStack.PixelStreaming;

/// <summary>
/// Local streaming instances for make run and tests: each is our streamer page (/ps/streamer.html) in a
/// headless Chromium with a fake camera, plus its <see cref="LocalStreamingWorker"/>. A restart (the
/// worker's disconnect) replaces the browser, as an ECS task restart replaces the Unreal process.
/// </summary>
public sealed class LocalStreamerLauncher(
    LocalStreamerOptions options,
    IServiceProvider services,
    ILogger<LocalStreamerLauncher> logger
) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, LocalInstance> _instances = new();

    public async Task<LocalStreamingWorker> StartAsync(string instanceId, CancellationToken cancellationToken)
    {
        var instance = new LocalInstance(instanceId);
        if (!_instances.TryAdd(instanceId, instance))
            throw new InvalidOperationException($"local instance {instanceId} already runs");
        instance.Worker = new LocalStreamingWorker(
            instanceId,
            () => RestartAsync(instanceId),
            logger,
            services.GetService<TimeProvider>()
        );
        instance.Page = new Uri(
            BaseUrl(),
            $"/ps/streamer.html?id={Uri.EscapeDataString(instanceId)}&worker={Uri.EscapeDataString(instance.Worker.Url.AbsoluteUri)}"
        );
        await LaunchAsync(instance);
        cancellationToken.ThrowIfCancellationRequested();
        return instance.Worker;
    }

    public async Task<bool> StopAsync(string instanceId)
    {
        if (!_instances.TryRemove(instanceId, out var instance))
            return false;
        await instance.DisposeAsync();
        logger.LogInformation("Local streamer {InstanceId} stopped", instanceId);
        return true;
    }

    public async Task RestartAsync(string instanceId)
    {
        if (!_instances.TryGetValue(instanceId, out var instance))
            return;
        await instance.Gate.WaitAsync();
        try
        {
            if (instance.Browser is { } old)
                await old.DisposeAsync();
            instance.Browser = null;
            if (_instances.ContainsKey(instanceId))
                await LaunchAsync(instance, locked: true);
        }
        finally
        {
            instance.Gate.Release();
        }
    }

    public IReadOnlyCollection<string> Running => [.. _instances.Keys];

    private async Task LaunchAsync(LocalInstance instance, bool locked = false)
    {
        if (!locked)
            await instance.Gate.WaitAsync();
        try
        {
            instance.Browser = ChromiumProcess.Start(options.ChromiumPath, instance.Page!, logger);
            logger.LogInformation(
                "Local streamer {InstanceId} started (chromium pid {Pid}, worker {Worker})",
                instance.Id,
                instance.Browser.ProcessId,
                instance.Worker!.Url
            );
        }
        finally
        {
            if (!locked)
                instance.Gate.Release();
        }
    }

    private Uri BaseUrl()
    {
        if (options.PublicBaseUrl is { } configured)
            return new Uri(configured);
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
            ?? addresses?.FirstOrDefault()
            ?? throw new InvalidOperationException(
                "the local streamer needs the server address: set PixelStreaming:Local:PublicBaseUrl"
            );
        var uri = new UriBuilder(address.Replace("*", "127.0.0.1").Replace("+", "127.0.0.1"));
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost")
            uri.Host = "127.0.0.1";
        return uri.Uri;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _instances.Keys)
            await StopAsync(id);
    }

    private sealed class LocalInstance(string id) : IAsyncDisposable
    {
        public string Id { get; } = id;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public LocalStreamingWorker? Worker { get; set; }
        public ChromiumProcess? Browser { get; set; }
        public Uri? Page { get; set; }

        public async ValueTask DisposeAsync()
        {
            await Gate.WaitAsync();
            try
            {
                if (Browser is not null)
                    await Browser.DisposeAsync();
                if (Worker is not null)
                    await Worker.DisposeAsync();
                Browser = null;
            }
            finally
            {
                Gate.Release();
            }
        }
    }
}
