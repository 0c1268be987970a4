using System.Globalization;
using MobZ.Contracts;
using MobZ.State.Atomic;

namespace MobZ.Signaling.Rooms.State;

/// <summary>
/// A publisher's station on a Munit as named atomic operations (docs/state.md#named-atomic-operations): placing it on
/// the least-loaded Munit and removing it are each one Lua script on Redis and the same steps in C# in-process. The
/// Munit keys share the hash tag of <see cref="MunitKeys.Prefix"/>, passed as a key so that the keys of a Munit the
/// script finds in the registry are built under the store's prefix too.
/// </summary>
/// <remarks>
/// Placement reads the registry, liveness, draining flag and station count of every candidate and writes the station
/// in the same step, so two joins racing for the emptiest Munit see each other's station: no commit has to be retried
/// because a concurrent placement got there first.
/// </remarks>
internal static class StationOperations
{
    public static IReadOnlyList<string> Keys(string stationId) =>
        [MunitKeys.Station(stationId), MunitKeys.Registry, MunitKeys.Prefix];

    /// <summary>
    /// ARGV: station id, room id, publisher's connection id, room kind, "true" when the station feeds HLS, the score
    /// each station a Munit runs adds to its reported load (<see cref="RoomOptions.PlacementStationWeight"/>).
    /// Picks, among the registered Munits that are alive (heartbeat key present) and not draining, the lowest reported
    /// load plus weight × stations (the first of equal scores in registry order), writes the station hash and adds
    /// the station to that Munit's set. Reply: <c>placed</c> and the Munit, or <c>none</c>.
    /// </summary>
    public sealed class Place : AtomicOperation<string?>
    {
        public static readonly Place Instance = new();

        public override string Name => "munits.place";

        public override string Script =>
            """
                local STATION, REGISTRY, PREFIX = KEYS[1], KEYS[2], KEYS[3]
                local weight = tonumber(ARGV[6])
                local best, bestScore = false, math.huge
                local ranked = redis.call('ZRANGE', REGISTRY, 0, -1, 'WITHSCORES')
                for i = 1, #ranked, 2 do
                  local id, load = ranked[i], tonumber(ranked[i + 1])
                  -- Ascending by load, and stations only add to it: nothing later can score lower.
                  if load >= bestScore then break end
                  local info = PREFIX .. 'munit:' .. id
                  if redis.call('EXISTS', info .. ':alive') == 1 and redis.call('HGET', info, 'draining') ~= 'true' then
                    local score = load + redis.call('SCARD', info .. ':stations') * weight
                    if score < bestScore then best, bestScore = id, score end
                  end
                end
                if not best then return {'none'} end
                redis.call('HSET', STATION, 'munit', best, 'room', ARGV[2], 'publisher', ARGV[3], 'roomKind', ARGV[4],
                  'hls', ARGV[5])
                redis.call('SADD', PREFIX .. 'munit:' .. best .. ':stations', ARGV[1])
                return {'placed', best}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var (station, registry, prefix) = (keys[0], keys[1], keys[2]);
            double weight = double.Parse(args[5], CultureInfo.InvariantCulture);
            string? best = null;
            double bestScore = double.MaxValue;
            foreach (var (id, load) in ks.SortedSetAll(registry))
            {
                if (load >= bestScore)
                    break;
                string info = prefix + "munit:" + id;
                if (!ks.Exists(info + ":alive") || ks.HashGet(info, MunitInfoFields.Draining) == "true")
                    continue;
                double score = load + ks.SetLength(info + ":stations") * weight;
                if (score < bestScore)
                    (best, bestScore) = (id, score);
            }
            if (best is null)
                return ["none"];
            ks.HashSet(station, StationFields.Munit, best);
            ks.HashSet(station, StationFields.Room, args[1]);
            ks.HashSet(station, StationFields.Publisher, args[2]);
            ks.HashSet(station, StationFields.RoomKind, args[3]);
            ks.HashSet(station, StationFields.Hls, args[4]);
            ks.SetAdd(prefix + "munit:" + best + ":stations", args[0]);
            return ["placed", best];
        }

        public override string? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] == "placed" ? reply[1] : null;
    }

    /// <summary>
    /// ARGV: station id. Deletes the station hash and takes the station out of the set of the Munit the hash names
    /// (a Regulator may have moved it since it was placed: the hash is the truth). Reply: that Munit, or false when the
    /// station was already gone.
    /// </summary>
    public sealed class Remove : AtomicOperation<string?>
    {
        public static readonly Remove Instance = new();

        public override string Name => "munits.remove-station";

        public override string Script =>
            """
                local STATION, PREFIX = KEYS[1], KEYS[3]
                local munit = redis.call('HGET', STATION, 'munit')
                redis.call('DEL', STATION)
                if munit then redis.call('SREM', PREFIX .. 'munit:' .. munit .. ':stations', ARGV[1]) end
                return {munit}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var munit = ks.HashGet(keys[0], StationFields.Munit);
            ks.Delete(keys[0]);
            if (munit is not null)
                ks.SetRemove(keys[2] + "munit:" + munit + ":stations", args[0]);
            return [munit];
        }

        public override string? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) => reply[0];
    }
}
