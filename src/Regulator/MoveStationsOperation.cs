using System.Globalization;
using MobZ.Contracts;
using MobZ.State.Atomic;

namespace MobZ.Regulator;

/// <summary>
/// <c>munits.move-stations</c>: moves every station of one Munit to live ones in one server-side step
/// (docs/state.md#named-atomic-operations), a Lua script on Redis and the same steps in C# in-process. KEYS: the
/// registry and <see cref="MunitKeys.Prefix"/> (the Munits' keys are built from it: they share its hash tag). ARGV:
/// the Munit, "1" when its heartbeat key must be gone (a dead Munit), the lease epoch it must still hold ("" for
/// any), "1" to retire it (its registration, heartbeat and registry entry go in the same step).
/// </summary>
/// <remarks>
/// The step first requires the Munit's registration to exist, and a retiring move deletes it: of all the Regulators
/// and sweeps that notice the same dead Munit, exactly one moves its stations, and the others find it gone. Targets
/// are the registered Munits that are alive and not draining; each station goes to the one with the fewest stations
/// so far (then the lowest reported load, then the registry's order), so a dead Munit's stations spread over the
/// survivors. A station id whose hash names another Munit (or none) is not that Munit's any more: it leaves the set
/// without moving. Reply: <c>moved</c> then station and target pairs; <c>gone</c>, <c>alive</c> or <c>fenced</c>
/// when a condition failed; <c>nowhere</c> and the station count when no Munit can take them (nothing changed).
/// </remarks>
internal sealed class MoveStationsOperation : AtomicOperation<MoveStationsReply>
{
    public static readonly MoveStationsOperation Instance = new();

    public static IReadOnlyList<string> Keys => [MunitKeys.Registry, MunitKeys.Prefix];

    public static IReadOnlyList<string> Args(string munitId, bool requireExpired, string? leaseEpoch, bool retire) =>
        [munitId, requireExpired ? "1" : "0", leaseEpoch ?? "", retire ? "1" : "0"];

    public override string Name => "munits.move-stations";

    public override string Script =>
        """
            local REGISTRY, PREFIX = KEYS[1], KEYS[2]
            local from, epoch, retire = ARGV[1], ARGV[3], ARGV[4] == '1'
            local info = PREFIX .. 'munit:' .. from
            local stations = redis.call('SMEMBERS', info .. ':stations')
            if #stations == 0 and not retire then return {'moved'} end
            if redis.call('HEXISTS', info, 'munitId') == 0 then return {'gone'} end
            if ARGV[2] == '1' and redis.call('EXISTS', info .. ':alive') == 1 then return {'alive'} end
            if epoch ~= '' and redis.call('HGET', info, 'epoch') ~= epoch then return {'fenced'} end
            local candidates = {}
            local ranked = redis.call('ZRANGE', REGISTRY, 0, -1, 'WITHSCORES')
            for i = 1, #ranked, 2 do
              local id = ranked[i]
              local other = PREFIX .. 'munit:' .. id
              if id ~= from and redis.call('EXISTS', other .. ':alive') == 1
                  and redis.call('HGET', other, 'draining') ~= 'true' then
                candidates[#candidates + 1] = {id = id, count = redis.call('SCARD', other .. ':stations')}
              end
            end
            if #stations > 0 and #candidates == 0 then return {'nowhere', tostring(#stations)} end
            local reply = {'moved'}
            for _, station in ipairs(stations) do
              local key = PREFIX .. 'station:' .. station
              redis.call('SREM', info .. ':stations', station)
              if redis.call('HGET', key, 'munit') == from then
                -- Registry order is load, then id: the first of the fewest is the least loaded of them.
                local target = candidates[1]
                for j = 2, #candidates do
                  if candidates[j].count < target.count then target = candidates[j] end
                end
                redis.call('SADD', PREFIX .. 'munit:' .. target.id .. ':stations', station)
                redis.call('HSET', key, 'munit', target.id)
                target.count = target.count + 1
                reply[#reply + 1] = station
                reply[#reply + 1] = target.id
              end
            end
            if retire then
              redis.call('DEL', info, info .. ':alive')
              redis.call('ZREM', REGISTRY, from)
            end
            return reply
            """;

    public override IReadOnlyList<string?> RunInProcess(
        IAtomicKeyspace ks,
        IReadOnlyList<string> keys,
        IReadOnlyList<string> args
    )
    {
        var (registry, prefix) = (keys[0], keys[1]);
        var (from, epoch, retire) = (args[0], args[2], args[3] == "1");
        string info = prefix + "munit:" + from;
        var stations = ks.SetMembers(info + ":stations");
        if (stations.Count == 0 && !retire)
            return ["moved"];
        if (ks.HashGet(info, MunitInfoFields.MunitId) is null)
            return ["gone"];
        if (args[1] == "1" && ks.Exists(info + ":alive"))
            return ["alive"];
        if (epoch.Length > 0 && ks.HashGet(info, MunitInfoFields.Epoch) != epoch)
            return ["fenced"];

        var candidates = new List<(string Id, long Count)>();
        foreach (var (id, _) in ks.SortedSetAll(registry))
        {
            string other = prefix + "munit:" + id;
            if (id != from && ks.Exists(other + ":alive") && ks.HashGet(other, MunitInfoFields.Draining) != "true")
                candidates.Add((id, ks.SetLength(other + ":stations")));
        }
        if (stations.Count > 0 && candidates.Count == 0)
            return ["nowhere", stations.Count.ToString(CultureInfo.InvariantCulture)];

        var reply = new List<string?> { "moved" };
        foreach (var station in stations)
        {
            string key = prefix + "station:" + station;
            ks.SetRemove(info + ":stations", station);
            if (ks.HashGet(key, StationFields.Munit) != from)
                continue;
            int target = 0;
            for (int j = 1; j < candidates.Count; j++)
            {
                if (candidates[j].Count < candidates[target].Count)
                    target = j;
            }
            var (targetId, count) = candidates[target];
            ks.SetAdd(prefix + "munit:" + targetId + ":stations", station);
            ks.HashSet(key, StationFields.Munit, targetId);
            candidates[target] = (targetId, count + 1);
            reply.AddRange([station, targetId]);
        }
        if (retire)
        {
            ks.Delete(info);
            ks.Delete(info + ":alive");
            ks.SortedSetRemove(registry, from);
        }
        return reply;
    }

    public override MoveStationsReply Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args)
    {
        var moves = new List<StationMove>((reply.Count - 1) / 2);
        for (int i = 1; reply[0] == "moved" && i + 1 < reply.Count; i += 2)
            moves.Add(new StationMove(reply[i]!, reply[i + 1]!));
        return new MoveStationsReply(reply[0]!, moves);
    }
}

/// <summary>What <see cref="MoveStationsOperation"/> did: <see cref="Outcome"/> is <c>moved</c> (with the moves, maybe
/// none) or the condition that stopped it.</summary>
internal sealed record MoveStationsReply(string Outcome, IReadOnlyList<StationMove> Moves)
{
    public bool Moved => Outcome == "moved";
}
