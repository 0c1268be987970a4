using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.Munit.Control;
using MobZ.State;

namespace MobZ.MunitHost.Draining;

/// <summary>
/// Turns a host stop (SIGTERM from ECS during a deployment or scale-in) into a graceful drain: the Munit is
/// marked draining in its registration so signaling places no new station on it, and the stop waits until
/// the last station has ended or <see cref="DrainTimeout"/> passes. Only then does the Regulator stop,
/// which hands what is left to other Munits and removes the registration. A Stop order from signaling skips
/// the wait: it asks for an immediate handover. Registered after the Regulator, so the host stops it first.
/// </summary>
internal sealed class DrainOnShutdown(
    MobZ.Regulator.Regulator regulator,
    IMunit munit,
    IMessageBus bus,
    TimeSpan drainTimeout,
    ILogger<DrainOnShutdown> logger,
    TimeProvider time
) : IHostedService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>The drain order travels over pub/sub, which may drop it; it is sent again if not seen by
    /// then.</summary>
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(2);

    private volatile bool _stopOrdered;

    public TimeSpan DrainTimeout => drainTimeout;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        regulator.StopRequested += OnStopOrdered;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        regulator.StopRequested -= OnStopOrdered;
        using var scope = logger.BeginScope("Munit {MunitId}", regulator.MunitId);
        if (_stopOrdered)
        {
            logger.LogInformation("Stop ordered by signaling: handing stations over without draining");
            return;
        }

        long started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(drainTimeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        logger.LogInformation(
            "Shutting down: draining {Stations} stations (at most {DrainTimeout})",
            munit.StationIds.Count,
            drainTimeout
        );
        TimeSpan? lastSent = null;
        try
        {
            while (true)
            {
                if (!regulator.Draining && (lastSent is null || time.GetElapsedTime(started) - lastSent >= ResendAfter))
                {
                    await SendDrainAsync().ConfigureAwait(false);
                    lastSent = time.GetElapsedTime(started);
                }
                if (regulator.Draining && munit.StationIds.Count == 0)
                    break;
                await Task.Delay(Poll, time, timeout.Token).ConfigureAwait(false);
            }
            logger.LogInformation("Drained in {Elapsed:0.0} s", time.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning(
                "Drain timed out after {Elapsed:0.0} s with {Stations} stations left; handing them over",
                time.GetElapsedTime(started).TotalSeconds,
                munit.StationIds.Count
            );
        }
    }

    /// <summary>
    /// The Regulator takes Drain only as an order on its channel, the same one signaling uses, so the registration
    /// and the Regulator's own refusal of new Assigns follow the one code path.
    /// </summary>
    private async Task SendDrainAsync()
    {
        try
        {
            await bus.PublishAsync(
                    MunitKeys.Channel(regulator.MunitId),
                    JsonSerializer.Serialize<MunitSignal>(new DrainSignal(), ContractsJsonContext.Default.MunitSignal)
                )
                .ConfigureAwait(false);
        }
        catch (StateUnavailableException ex)
        {
            // Without the store no station can be placed here anyway; keep waiting for the stations to end.
            logger.LogWarning("Could not publish the drain order: {Message}", ex.Message);
        }
    }

    private void OnStopOrdered() => _stopOrdered = true;
}
