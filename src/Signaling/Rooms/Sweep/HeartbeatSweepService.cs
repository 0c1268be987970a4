using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MobZ.Signaling.Rooms.Sweep;

/// <summary>Runs <see cref="HeartbeatSweeper"/> every <see cref="RoomOptions.SweepInterval"/> in a long-running
/// host.</summary>
public sealed class HeartbeatSweepService(
    HeartbeatSweeper sweeper,
    IOptions<RoomOptions> options,
    TimeProvider time,
    ILogger<HeartbeatSweepService> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunSweepService)
            return;
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await sweeper.SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Heartbeat sweep failed; retrying next tick");
            }
        }
    }
}
