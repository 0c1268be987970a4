using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.State;

namespace MobZ.Regulator;

/// <summary>
/// Moves every station of one Munit to live ones (<see cref="MoveStationsOperation"/>: one server-side step, so that
/// of all the Regulators and signaling sweeps that notice the same expired Munit exactly one moves its stations), then
/// nudges the targets and tells signaling.
/// </summary>
internal sealed class StationReassigner(IStateStore store, IMessageBus bus, ILogger logger)
{
    /// <param name="fromMunitId">the Munit whose stations move.</param>
    /// <param name="requireExpired">true for a dead Munit (its heartbeat key must be gone); false for a graceful
    /// hand-over.</param>
    /// <param name="leaseEpoch">for a hand-over, the epoch the Munit registered under: a Munit that lost its lease
    /// hands nothing over.</param>
    /// <param name="retire">
    /// true (a dead or stopping Munit): its registration, heartbeat and registry entry go in the same step. false (a
    /// drain that outlasted its deadline): only the stations move; the Munit stays registered, draining and empty.
    /// </param>
    /// <returns>the number of stations moved, or -1 when another party won or nothing could be done.</returns>
    public async Task<int> ReassignAsync(
        string fromMunitId,
        bool requireExpired,
        string? leaseEpoch = null,
        bool retire = true
    )
    {
        var reply = await store
            .RunAsync(
                MoveStationsOperation.Instance,
                MoveStationsOperation.Keys,
                MoveStationsOperation.Args(fromMunitId, requireExpired, leaseEpoch, retire)
            )
            .ConfigureAwait(false);
        if (reply.Outcome == "nowhere")
        {
            logger.LogWarning(
                "Munit {MunitId} has stations but no live Munit can take them; retrying later",
                fromMunitId
            );
            return -1;
        }
        if (!reply.Moved)
        {
            logger.LogDebug(
                "Reassigning the stations of Munit {MunitId} found it {Outcome}; nothing changed",
                fromMunitId,
                reply.Outcome
            );
            return -1;
        }
        var moves = reply.Moves;
        if (moves.Count == 0 && !retire)
            return 0;

        logger.LogWarning(
            "Moved {Count} stations of Munit {MunitId} ({Reason})",
            moves.Count,
            fromMunitId,
            requireExpired ? "heartbeat expired"
                : retire ? "hand-over"
                : "drain deadline passed"
        );
        foreach (var (stationId, target) in moves)
        {
            // Only a nudge: the target reconciles from the keys written above even if this is lost.
            var (_, descriptor) = await StationIntent.ReadAsync(store, stationId).ConfigureAwait(false);
            if (descriptor is null)
                continue;
            await PublishAsync(target, StationIntent.ToAssign(descriptor)).ConfigureAwait(false);
        }
        if (moves.Count > 0)
        {
            await AnnounceAsync(
                    new StationsMovedEvent(
                        fromMunitId,
                        requireExpired ? StationsMovedEvent.Expired : StationsMovedEvent.Handover,
                        [.. moves]
                    )
                )
                .ConfigureAwait(false);
        }

        return moves.Count;
    }

    /// <summary>Tells signaling, so the moved stations' publishers and viewers reconnect to the new Munits.</summary>
    private async Task AnnounceAsync(StationsMovedEvent moved)
    {
        try
        {
            await bus.PublishAsync(MunitKeys.MovesChannel, SignalJson.Serialize(moved)).ConfigureAwait(false);
        }
        catch (StateUnavailableException ex)
        {
            logger.LogWarning(
                ex,
                "Could not announce the move of {Count} stations from Munit {MunitId}",
                moved.Moves.Count,
                moved.FromMunitId
            );
        }
    }

    private async Task PublishAsync(string munitId, MunitSignal signal)
    {
        try
        {
            await bus.PublishAsync(MunitKeys.Channel(munitId), SignalJson.Serialize(signal)).ConfigureAwait(false);
        }
        catch (StateUnavailableException ex)
        {
            logger.LogWarning(ex, "Could not nudge Munit {MunitId}; it will reconcile", munitId);
        }
    }
}
