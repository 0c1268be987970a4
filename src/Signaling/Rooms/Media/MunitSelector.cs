using MobZ.Contracts;
using MobZ.State;

namespace MobZ.Signaling.Rooms.Media;

/// <summary>
/// Picks the Munit for a new station: registered, alive (its heartbeat key has not expired), not draining,
/// lowest reported load; among equal loads the one running the fewest stations, because the Regulator's
/// load report lags behind a burst of assignments while the station sets do not.
/// </summary>
public sealed class MunitSelector(IStateStore store)
{
    public async Task<string?> PickAsync()
    {
        var registered = await store.SortedSetRangeByScoreAsync(MunitKeys.Registry).ConfigureAwait(false);
        string? best = null;
        double bestLoad = double.MaxValue;
        long bestStations = long.MaxValue;
        foreach (var (munitId, load) in registered)
        {
            if (load > bestLoad)
                break; // Ascending by score: nothing later can win.
            if (!await store.ExistsAsync(MunitKeys.Alive(munitId)).ConfigureAwait(false))
                continue;
            if (await store.HashGetAsync(MunitKeys.Info(munitId), MunitInfoFields.Draining).ConfigureAwait(false) == "true")
                continue;
            long stations = await store.SetLengthAsync(MunitKeys.Stations(munitId)).ConfigureAwait(false);
            if (load < bestLoad || stations < bestStations)
            {
                best = munitId;
                bestLoad = load;
                bestStations = stations;
            }
        }
        return best;
    }
}
