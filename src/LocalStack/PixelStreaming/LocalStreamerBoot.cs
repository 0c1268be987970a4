using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MobZ.PixelStreaming;
using MobZ.PixelStreaming.Instances;

namespace MobZ.LocalStack.PixelStreaming;

/// <summary>
/// make run: once the server listens, start one local streamer (through the same instance service as
/// POST /api/instances, so it is allow-listed and has a worker); on shutdown stop every local streamer.
/// </summary>
public sealed class LocalStreamerBoot(
    LocalStreamerOptions options,
    PixelStreamingOptions pixelStreaming,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<LocalStreamerBoot> logger
) : IHostedService
{
    public const string BootInstanceId = "local-streamer";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (pixelStreaming.Api.IsDevelopmentKey)
        {
            logger.LogWarning(
                "Pixel Streaming development API key: no PixelStreaming:Api:ApiKey is configured, so this local stack accepts '{ApiKey}' (never outside the local stack)",
                pixelStreaming.Api.ApiKey
            );
        }

        if (
            !string.Equals(
                pixelStreaming.InstanceProvider,
                LocalInstanceProvider.ProviderName,
                StringComparison.OrdinalIgnoreCase
            ) || !options.StartOnBoot
        )
        {
            return Task.CompletedTask;
        }

        lifetime.ApplicationStarted.Register(() =>
            _ = Task.Run(async () =>
            {
                try
                {
                    var instances = services.GetRequiredService<InstanceService>();
                    if (await instances.GetAsync(BootInstanceId) is { } stale)
                        await instances.DeleteAsync(stale.InstanceId, CancellationToken.None);
                    var record = await instances.CreateAsync(BootInstanceId, lifetime.ApplicationStopping);
                    logger.LogInformation(
                        "Local Pixel Streaming streamer {InstanceId} started; open /ps/index.html to watch it",
                        record.InstanceId
                    );
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Local Pixel Streaming streamer did not start");
                }
            })
        );
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var launcher = services.GetRequiredService<LocalStreamerLauncher>();
        var instances = services.GetRequiredService<InstanceService>();
        foreach (var id in launcher.Running)
        {
            try
            {
                await instances.DeleteAsync(id, cancellationToken);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Stopping local streamer {InstanceId} failed", id);
            }
        }
        await launcher.DisposeAsync();
    }
}
