using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.State;

namespace MobZ.Regulator;

/// <summary>
/// Moves every station of one Munit to live ones in a single conditional commit, so that of all the
/// Regulators (and signaling sweeps) that notice the same expired Munit, exactly one moves its stations:
/// the commit requires the Munit's Info hash to still exist and deletes it, so every later attempt fails
/// its condition and does nothing. Targets must be alive and not draining at commit time, and each station
/// must still belong to the old Munit (which alone keeps a hand-over that leaves the registration in place from
/// moving a station twice).
/// </summary>
internal sealed class StationReassigner(IStateStore store, IMessageBus bus, ILogger logger)
{
    /// <summary>A live Munit that can take stations, with how many it has (to spread the load).</summary>
    private sealed record Candidate(string MunitId, double Load, long Stations);

    /// <param name="fromMunitId">the Munit whose stations move.</param>
    /// <param name="requireExpired">true for a dead Munit (its heartbeat key must be gone); false for a graceful
    /// hand-over.</param>
    /// <param name="leaseEpoch">for a hand-over, the epoch the Munit registered under: a Munit that lost its lease
    /// hands nothing over.</param>
    /// <param name="retire">
    /// true (a dead or stopping Munit): its registration, heartbeat and registry entry go in the same commit. false (a
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
        var stations = await store.SetMembersAsync(MunitKeys.Stations(fromMunitId)).ConfigureAwait(false);
        if (stations.Count == 0 && !retire)
            return 0; // nothing to move, and the registration stays: no commit needed
        var candidates = await LiveCandidatesAsync(exclude: fromMunitId).ConfigureAwait(false);
        if (stations.Count > 0 && candidates.Count == 0)
        {
            logger.LogWarning(
                "Munit {MunitId} has {Count} stations but no live Munit can take them; retrying later",
                fromMunitId,
                stations.Count
            );
            return -1;
        }

        var tx = store
            .CreateTransaction()
            .When(new StateCondition.HashExists(MunitKeys.Info(fromMunitId), MunitInfoFields.MunitId));
        if (requireExpired)
            tx.When(new StateCondition.KeyNotExists(MunitKeys.Alive(fromMunitId)));
        if (leaseEpoch is not null)
            tx.When(new StateCondition.HashEqual(MunitKeys.Info(fromMunitId), MunitInfoFields.Epoch, leaseEpoch));

        var moves = new List<(string Station, string Target)>();
        foreach (var stationId in stations)
        {
            // Least stations first, so a dead Munit's stations spread over the survivors.
            var target = candidates
                .OrderBy(c => c.Stations)
                .ThenBy(c => c.Load)
                .ThenBy(c => c.MunitId, StringComparer.Ordinal)
                .First();
            candidates.Remove(target);
            candidates.Add(target with { Stations = target.Stations + 1 });
            moves.Add((stationId, target.MunitId));

            string stationKey = MunitKeys.Station(stationId);
            tx.When(new StateCondition.SetContains(MunitKeys.Stations(fromMunitId), stationId))
                .When(new StateCondition.HashEqual(stationKey, StationFields.Munit, fromMunitId))
                .SetRemove(MunitKeys.Stations(fromMunitId), stationId)
                .SetAdd(MunitKeys.Stations(target.MunitId), stationId)
                .HashSet(stationKey, StationFields.Munit, target.MunitId);
        }
        foreach (var target in moves.Select(m => m.Target).Distinct())
        {
            tx.When(new StateCondition.KeyExists(MunitKeys.Alive(target)))
                .When(new StateCondition.HashNotEqual(MunitKeys.Info(target), MunitInfoFields.Draining, "true"));
        }
        if (retire)
        {
            tx.Delete(MunitKeys.Info(fromMunitId))
                .SortedSetRemove(MunitKeys.Registry, fromMunitId)
                .Delete(MunitKeys.Alive(fromMunitId));
        }

        if (!await tx.ExecuteAsync().ConfigureAwait(false))
        {
            logger.LogDebug(
                "Reassigning the stations of Munit {MunitId} lost a race or its conditions; nothing changed",
                fromMunitId
            );
            return -1;
        }

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
                        [.. moves.Select(m => new StationMove(m.Station, m.Target))]
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

    private async Task<List<Candidate>> LiveCandidatesAsync(string exclude)
    {
        var result = new List<Candidate>();
        foreach (
            var (munitId, load) in await store.SortedSetRangeByScoreAsync(MunitKeys.Registry).ConfigureAwait(false)
        )
        {
            if (munitId == exclude)
                continue;
            if (!await store.ExistsAsync(MunitKeys.Alive(munitId)).ConfigureAwait(false))
                continue;
            if (
                await store.HashGetAsync(MunitKeys.Info(munitId), MunitInfoFields.Draining).ConfigureAwait(false)
                == "true"
            )
            {
                continue;
            }

            long stations = await store.SetLengthAsync(MunitKeys.Stations(munitId)).ConfigureAwait(false);
            result.Add(new Candidate(munitId, load, stations));
        }
        return result;
    }
}
