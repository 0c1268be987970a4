using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms.Actions;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;

namespace MobZ.Signaling.Rooms.Sweep;

/// <summary>
/// Removes connections whose last Heartbeat is older than <see cref="RoomOptions.HeartbeatTimeout"/>, as if
/// they had left, and closes their sockets. On AWS a scheduled Lambda calls <see cref="SweepAsync"/>; locally
/// <see cref="HeartbeatSweepService"/> does. Concurrent sweeps are safe: removal is idempotent.
/// </summary>
public sealed class HeartbeatSweeper(
    RoomRepository rooms,
    RoomSignals signals,
    IConnectionSender connections,
    IOptions<RoomOptions> options,
    TimeProvider time,
    ILogger<HeartbeatSweeper> logger
)
{
    /// <summary>Connections handled per batch, so one sweep's work stays bounded.</summary>
    public const int BatchSize = 500;
    public const int MaxBatches = 20;

    /// <returns>how many connections were removed.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        int removed = 0;
        var cutoff = time.GetUtcNow() - options.Value.HeartbeatTimeout;
        // Bounded: connections whose removal keeps failing stay stale, and must not keep one sweep busy forever.
        for (int batch = 0; batch < MaxBatches && !cancellationToken.IsCancellationRequested; batch++)
        {
            var stale = await rooms.GetStaleConnectionsAsync(cutoff, BatchSize).ConfigureAwait(false);
            foreach (var (connectionId, _) in stale)
            {
                using var scope = logger.BeginScope(new Dictionary<string, object> { ["connectionId"] = connectionId });
                try
                {
                    // A Heartbeat may have landed since the range was read; only the latest score counts.
                    if (await rooms.GetHeartbeatAsync(connectionId).ConfigureAwait(false) is { } last && last > cutoff)
                        continue;
                    var inv = new Invocation(connectionId, null, cancellationToken);
                    var outcome = await signals
                        .RemoveAsync(inv, connectionId, ChangeReasons.TimedOut)
                        .ConfigureAwait(false);
                    await signals.RemoveGoneAsync(inv).ConfigureAwait(false);
                    await rooms.DeleteAccessAsync(connectionId).ConfigureAwait(false);
                    // Its $disconnect finds nothing left to do.
                    await connections.DeleteConnectionAsync(connectionId, cancellationToken).ConfigureAwait(false);
                    logger.LogInformation(
                        "No heartbeat since before {Cutoff}: connection removed (was in room {RoomId})",
                        cutoff,
                        outcome?.RoomId
                    );
                    removed++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Sweeping a stale connection failed; the next sweep retries");
                }
            }
            if (stale.Count < BatchSize)
                break;
        }
        return removed;
    }
}
