using System.Text.Json;
using MobZ.State.Atomic;

namespace MobZ.Signaling.Rooms.State;

/// <summary>
/// Room membership as named atomic operations (docs/state.md#named-atomic-operations): taking a slot and leaving one
/// are each one Lua script on Redis and the same steps in C# in-process, so a join storm costs one server step per
/// join instead of optimistic commits that invalidate each other. Every operation gets the room's keys, which share
/// the room's hash tag (<see cref="RoomKeys"/>): the room hash, its publishers, viewers and publish requests.
/// Replies are flat string arrays, their first item the outcome.
/// </summary>
/// <remarks>
/// Every change to the publisher list (a publisher's slot or entry) or to the owner bumps the room's list version
/// (<see cref="RoomKeys.VersionField"/>) in the same step, and <see cref="Publishers"/> reads the list with the version
/// it describes: members are told lists along paths that can reorder them, and the version lets a member keep the
/// newest one it heard.
/// </remarks>
internal static class RoomOperations
{
    public static IReadOnlyList<string> Keys(string roomId) =>
        [
            RoomKeys.Room(roomId),
            RoomKeys.Publishers(roomId),
            RoomKeys.Viewers(roomId),
            RoomKeys.PublishRequests(roomId),
        ];

    /// <summary>
    /// ARGV: connection id, room kind, role, slot limit, entry JSON, "1" when the joiner may own the room (admin
    /// grant), "1" when the first joiner of a new room owns it. Takes a slot when the room is of that kind (or new)
    /// and the role has a free one; an ownerless room gets the joiner as owner when it may own it; a publisher or a
    /// new owner bumps the list version. Reply: <c>joined</c> and the owner (false when none), <c>kind</c> and the
    /// room's kind, or <c>full</c>.
    /// </summary>
    public sealed class Join : AtomicOperation<JoinReply>
    {
        public static readonly Join Instance = new();

        public override string Name => "rooms.join";

        public override string Script =>
            """
                local ROOM, PUBS, VIEWERS = KEYS[1], KEYS[2], KEYS[3]
                local conn, kind, role, max, entry = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
                local existing = redis.call('HGET', ROOM, 'kind')
                if existing and existing ~= kind then return {'kind', existing} end
                local slots = role == 'publisher' and PUBS or VIEWERS
                if redis.call('HLEN', slots) >= max then return {'full'} end
                if not existing then redis.call('HSET', ROOM, 'kind', kind) end
                local owner = redis.call('HGET', ROOM, 'owner')
                local changed = role == 'publisher'
                if not owner and (ARGV[6] == '1' or (ARGV[7] == '1' and not existing)) then
                  redis.call('HSET', ROOM, 'owner', conn)
                  owner, changed = conn, true
                end
                redis.call('HSET', slots, conn, entry)
                if changed then redis.call('HINCRBY', ROOM, 'version', 1) end
                return {'joined', owner}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var (conn, kind, role) = (args[0], args[1], args[2]);
            var existing = ks.HashGet(keys[0], RoomKeys.KindField);
            if (existing is not null && existing != kind)
                return ["kind", existing];
            var slots = role == ParticipantTypes.Publisher ? keys[1] : keys[2];
            if (ks.HashLength(slots) >= long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture))
                return ["full"];
            if (existing is null)
                ks.HashSet(keys[0], RoomKeys.KindField, kind);
            var owner = ks.HashGet(keys[0], RoomKeys.OwnerField);
            bool changed = role == ParticipantTypes.Publisher;
            if (owner is null && (args[5] == "1" || (args[6] == "1" && existing is null)))
            {
                ks.HashSet(keys[0], RoomKeys.OwnerField, conn);
                (owner, changed) = (conn, true);
            }

            ks.HashSet(slots, conn, args[4]);
            if (changed)
                BumpVersion(ks, keys[0]);
            return ["joined", owner];
        }

        public override JoinReply Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] switch
            {
                "joined" => new JoinReply(JoinResult.Joined, reply[1] ?? "", null),
                "kind" => new JoinReply(JoinResult.KindMismatch, "", reply[1]),
                _ => new JoinReply(JoinResult.Full, "", null),
            };
    }

    /// <summary>
    /// ARGV: connection id, "1" when anyone may inherit ownership (not only admins). Removes the connection's slot
    /// (publisher or viewer, whichever holds it) and pending request; the owner's leave hands ownership to the
    /// earliest-joined admin publisher, else admin viewer (ties by connection id), or leaves the room ownerless; the
    /// last one out deletes the room. A publisher's leave or an owner change bumps the list version. Reply:
    /// <c>left</c> or <c>absent</c> (no slot: nothing changed), then role, entry JSON, room kind, owner before, owner
    /// after, and "1" when the room was deleted.
    /// </summary>
    public sealed class Leave : AtomicOperation<LeaveReply>
    {
        public static readonly Leave Instance = new();

        public override string Name => "rooms.leave";

        // String comparison byte by byte: Lua's < follows the server's collation locale.
        public override string Script =>
            """
                local ROOM, PUBS, VIEWERS, REQUESTS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
                local conn, anyone = ARGV[1], ARGV[2] == '1'
                local kind = redis.call('HGET', ROOM, 'kind')
                local role, slots = 'publisher', PUBS
                local entry = redis.call('HGET', PUBS, conn)
                if not entry then
                  role, slots = 'viewer', VIEWERS
                  entry = redis.call('HGET', VIEWERS, conn)
                end
                redis.call('HDEL', REQUESTS, conn)
                if not entry then return {'absent', false, false, kind} end
                redis.call('HDEL', slots, conn)
                local owner = redis.call('HGET', ROOM, 'owner')
                if redis.call('HLEN', PUBS) + redis.call('HLEN', VIEWERS) == 0 then
                  redis.call('DEL', ROOM, PUBS, VIEWERS, REQUESTS)
                  return {'left', role, entry, kind, owner, false, '1'}
                end
                local newOwner = owner
                if owner == conn then
                  local function before(at, id, bestAt, bestId)
                    if at ~= bestAt then return at < bestAt end
                    for i = 1, math.min(#id, #bestId) do
                      local a, b = string.byte(id, i), string.byte(bestId, i)
                      if a ~= b then return a < b end
                    end
                    return #id < #bestId
                  end
                  newOwner = false
                  for _, h in ipairs({PUBS, VIEWERS}) do
                    local all = redis.call('HGETALL', h)
                    local bestAt = nil
                    for i = 1, #all, 2 do
                      local e = cjson.decode(all[i + 1])
                      local at = tonumber(e.joinedAt) or 0
                      if (anyone or e.admin == true) and (not newOwner or before(at, all[i], bestAt, newOwner)) then
                        newOwner, bestAt = all[i], at
                      end
                    end
                    if newOwner then break end
                  end
                  if newOwner then redis.call('HSET', ROOM, 'owner', newOwner) else redis.call('HDEL', ROOM, 'owner') end
                end
                if role == 'publisher' or newOwner ~= owner then redis.call('HINCRBY', ROOM, 'version', 1) end
                return {'left', role, entry, kind, owner, newOwner, false}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var (conn, anyone) = (args[0], args[1] == "1");
            var kind = ks.HashGet(keys[0], RoomKeys.KindField);
            var (role, slots) = (ParticipantTypes.Publisher, keys[1]);
            var entry = ks.HashGet(keys[1], conn);
            if (entry is null)
            {
                (role, slots) = (ParticipantTypes.Viewer, keys[2]);
                entry = ks.HashGet(keys[2], conn);
            }

            ks.HashDelete(keys[3], conn);
            if (entry is null)
                return ["absent", null, null, kind];
            ks.HashDelete(slots, conn);
            var owner = ks.HashGet(keys[0], RoomKeys.OwnerField);
            if (ks.HashLength(keys[1]) + ks.HashLength(keys[2]) == 0)
            {
                foreach (var key in keys)
                    ks.Delete(key);
                return ["left", role, entry, kind, owner, null, "1"];
            }

            var newOwner = owner;
            if (owner == conn)
            {
                newOwner = Successor(ks, keys, anyone);
                if (newOwner is null)
                    ks.HashDelete(keys[0], RoomKeys.OwnerField);
                else
                    ks.HashSet(keys[0], RoomKeys.OwnerField, newOwner);
            }

            if (role == ParticipantTypes.Publisher || newOwner != owner)
                BumpVersion(ks, keys[0]);
            return ["left", role, entry, kind, owner, newOwner, null];
        }

        private static string? Successor(IAtomicKeyspace ks, IReadOnlyList<string> keys, bool anyone)
        {
            foreach (var slots in new[] { keys[1], keys[2] })
            {
                string? best = null;
                long bestAt = 0;
                foreach (var (id, json) in ks.HashGetAll(slots))
                {
                    var e = RoomRepository.Parse(json);
                    bool earlier =
                        best is null
                        || e.JoinedAt < bestAt
                        || (e.JoinedAt == bestAt && string.CompareOrdinal(id, best) < 0);
                    if ((anyone || e.Admin) && earlier)
                        (best, bestAt) = (id, e.JoinedAt);
                }

                if (best is not null)
                    return best;
            }

            return null;
        }

        public override LeaveReply Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            new(
                reply[0] == "left",
                reply[1],
                reply[2] is { } json ? RoomRepository.Parse(json) : null,
                reply[3],
                Get(reply, 4),
                Get(reply, 5),
                Get(reply, 6) == "1"
            );

        private static string? Get(IReadOnlyList<string?> reply, int at) => reply.Count > at ? reply[at] : null;
    }

    /// <summary>
    /// No ARGV; changes nothing. Reads the room's publisher list with the owner and the list version that describe it,
    /// in one step, so no change can fall between them. Reply: <c>room</c>, the version ("0" before any change), the
    /// owner (false when none), then connection id and entry JSON of each publisher; or <c>absent</c> when there is no
    /// such room.
    /// </summary>
    public sealed class Publishers : AtomicOperation<PublisherList?>
    {
        public static readonly Publishers Instance = new();

        public override string Name => "rooms.publishers";

        public override string Script =>
            """
                local ROOM, PUBS = KEYS[1], KEYS[2]
                local room = redis.call('HMGET', ROOM, 'kind', 'version', 'owner')
                if not room[1] then return {'absent'} end
                local reply = {'room', room[2] or '0', room[3]}
                local all = redis.call('HGETALL', PUBS)
                for i = 1, #all do reply[#reply + 1] = all[i] end
                return reply
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            if (ks.HashGet(keys[0], RoomKeys.KindField) is null)
                return ["absent"];
            var reply = new List<string?>
            {
                "room",
                ks.HashGet(keys[0], RoomKeys.VersionField) ?? "0",
                ks.HashGet(keys[0], RoomKeys.OwnerField),
            };
            foreach (var (id, json) in ks.HashGetAll(keys[1]))
                reply.AddRange([id, json]);
            return reply;
        }

        public override PublisherList? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args)
        {
            if (reply[0] != "room")
                return null;
            var publishers = new List<Participant>((reply.Count - 3) / 2);
            for (int i = 3; i + 1 < reply.Count; i += 2)
                publishers.Add(new Participant(reply[i]!, RoomRepository.Parse(reply[i + 1]!)));
            RoomRepository.SortByJoin(publishers);
            return new PublisherList(
                long.Parse(reply[1]!, System.Globalization.CultureInfo.InvariantCulture),
                reply[2] ?? "",
                publishers
            );
        }
    }

    /// <summary>HINCRBY of the list version, in-process (the keyspace lock is held, so read and write are one
    /// step).</summary>
    private static void BumpVersion(IAtomicKeyspace ks, string roomKey)
    {
        long version = ks.HashGet(roomKey, RoomKeys.VersionField) is { } v
            ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture)
            : 0;
        ks.HashSet(
            roomKey,
            RoomKeys.VersionField,
            (version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
    }
}

internal enum JoinResult
{
    Joined,
    KindMismatch,
    Full,
}

/// <summary>What <see cref="RoomOperations.Join"/> did: the room's owner after a join ("" when none), the room's kind
/// when it was another.</summary>
internal sealed record JoinReply(JoinResult Result, string OwnerId, string? ExistingKind);

/// <summary>What <see cref="RoomOperations.Leave"/> did; <see cref="Left"/> false when the connection held no
/// slot.</summary>
internal sealed record LeaveReply(
    bool Left,
    string? Role,
    ParticipantEntry? Entry,
    string? Kind,
    string? PreviousOwner,
    string? NewOwner,
    bool RoomDeleted
);
