using Microsoft.Extensions.Options;
using MobZ.Contracts;
using MobZ.State;

namespace MobZ.Signaling.Rooms.Media;

/// <summary>A Munit chosen for a new station, with the station count the choice was based on: the commit that
/// lands the station holds only while that count is unchanged, so two joins racing for the emptiest Munit
/// cannot both win it (the loser picks again).</summary>
public readonly record struct MunitPick(string MunitId, long Stations);

/// <summary>
/// Picks the Munit for a new station among those registered, alive (heartbeat key not expired) and not
/// draining, by the lowest placement score: the load the Munit last reported (the busier of CPU and subscriber
/// share, 0–1) plus <see cref="RoomOptions.PlacementStationWeight"/> per station it runs now. The reported load
/// lags a burst of joins by a heartbeat; the station sets do not, so a burst spreads evenly instead of piling
/// onto whichever Munit reported the lowest CPU.
/// </summary>
public sealed class MunitSelector(IStateStore store, IOptions<RoomOptions> options)
{
    public async Task<MunitPick?> PickAsync()
    {
        double weight = options.Value.PlacementStationWeight;
        var registered = await store.SortedSetRangeByScoreAsync(MunitKeys.Registry).ConfigureAwait(false);
        MunitPick? best = null;
        double bestScore = double.MaxValue;
        foreach (var (munitId, load) in registered)
        {
            if (load >= bestScore)
                break; // Ascending by load, and stations only add to it: nothing later can score lower.
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
            double score = load + stations * weight;
            if (score < bestScore)
            {
                best = new MunitPick(munitId, stations);
                bestScore = score;
            }
        }
        return best;
    }
}
