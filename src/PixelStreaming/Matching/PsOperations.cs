using System.Globalization;
using MobZ.State.Atomic;

namespace MobZ.PixelStreaming.Matching;

/// <summary>
/// The Pixel Streaming transitions as named atomic operations (docs/state.md#named-atomic-operations): each one
/// Lua script on Redis and the same steps in C# in-process, so a transition is one server step with no retry.
/// Every operation gets the same KEYS, all under <see cref="PsKeys.SessionPrefix"/>'s hash tag: the key prefixes of
/// streamers, players and connections (a record's key is its prefix plus its id, as in <see cref="PsKeys"/>),
/// the streamer set, the idle set, the queue, the queue's statistics and the prefix of resume records. Replies are
/// flat string arrays, their first item the outcome.
/// </summary>
internal static class PsOperations
{
    public static IReadOnlyList<string> Keys(PsKeys keys) =>
        [
            keys.Streamer(""),
            keys.Player(""),
            keys.Connection(""),
            keys.Streamers,
            keys.Idle,
            keys.Queue,
            keys.QueueStats,
            keys.PlayerResume(""),
        ];

    // Shared by every script: key names and the player release that subscribe and add-player reuse.
    private const string Prelude = $$"""
        local SP, PP, CP, STREAMERS, IDLE, QUEUE = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
        local STATS, RESUME = KEYS[7], KEYS[8]
        -- The queue's head was handed a streamer: the time it waited (since the queue became non-empty or since the
        -- previous hand-over) feeds the exponentially weighted average of the wait estimate; the next head's wait
        -- starts now.
        local function served(now)
          local since = tonumber(redis.call('HGET', STATS, 'busySince'))
          if not since or tonumber(now) < since then return end
          local waited = tonumber(now) - since
          local old = tonumber(redis.call('HGET', STATS, 'avgServeMs'))
          local average = old and (old + {{QueueStatsFields.Weight}} * (waited - old)) or waited
          redis.call('HSET', STATS, 'avgServeMs', string.format('%.17g', average), 'busySince', now)
        end
        -- A player leaves its place: out of the queue, or its streamer RELEASED. Returns the released streamer's
        -- id, its connection, '1' when it had been told of the player (its told mark names this connection: the caller tells it
        -- the player left) and the instance it runs on (all false when none), then the player's previous state.
        local function release_player(pid, disconnecting)
          local pk = PP .. pid
          local state = redis.call('HGET', pk, 'state') or 'idle'
          local sid, sconn, told, inst = false, false, false, false
          if state == 'waiting' then
            redis.call('LREM', QUEUE, 0, pid)
          elseif state == 'reserved' or state == 'streaming' then
            local held = redis.call('HGET', pk, 'streamer')
            if held then
              local sk = SP .. held
              local conn = redis.call('HGET', sk, 'conn')
              if conn and redis.call('HGET', sk, 'player') == pid then
                redis.call('HSET', sk, 'state', 'RELEASED')
                redis.call('HDEL', sk, 'player')
                sid, sconn = held, conn
                inst = redis.call('HGET', sk, 'instance') or false
                -- Read here, where the player stops holding the streamer: a confirmation can no longer follow.
                if redis.call('HGET', pk, 'told') == conn then told = '1' end
              end
            end
          end
          if disconnecting then
            redis.call('DEL', pk)
          else
            redis.call('HSET', pk, 'state', 'idle')
            redis.call('HDEL', pk, 'streamer', 'offered', 'told')
          end
          return sid, sconn, told, inst, state
        end
        -- Puts a streamer in service: reserved for the oldest waiting player (queue heads no longer waiting are
        -- dropped on the way), else idle since now. Returns the match's player id, streamer connection, player
        -- connection, project URL and instance, or nothing when it went idle.
        local function offer_streamer(sid, now)
          local sk = SP .. sid
          while true do
            local pid = redis.call('LPOP', QUEUE)
            if not pid then
              redis.call('HSET', sk, 'state', 'IDLE')
              redis.call('HDEL', sk, 'player')
              redis.call('ZADD', IDLE, now, sid)
              return nil
            end
            local pk = PP .. pid
            if redis.call('HGET', pk, 'state') == 'waiting' then
              redis.call('HSET', sk, 'state', 'RESERVED', 'player', pid)
              redis.call('ZREM', IDLE, sid)
              redis.call('HSET', pk, 'state', 'reserved', 'streamer', sid)
              served(now)
              return {pid, redis.call('HGET', sk, 'conn'), redis.call('HGET', pk, 'conn'),
                redis.call('HGET', pk, 'projectUrl'), redis.call('HGET', sk, 'instance')}
            end
          end
        end
        -- A player unsubscribes or leaves (release-player, connection-closed): released as above; a released
        -- streamer that was told of the player and has no instance (nothing restarts it) is handed to the next
        -- waiting player in the same step: the caller tells it goodbye, then hello. One not yet told is left to
        -- its teller, which says goodbye and hands it over (confirm-told), so no hello overtakes a goodbye.
        -- Returns the reply items after the outcome: the released streamer's four, '1' when the player was waiting,
        -- then the hand-over's five (all false when none).
        local function leave(pid, disconnecting, now)
          local sid, sconn, told, inst, state = release_player(pid, disconnecting)
          local out = {sid, sconn, told, inst, state == 'waiting' and '1' or false}
          local match = sid and told and not inst and offer_streamer(sid, now) or {false, false, false, false, false}
          for i = 1, 5 do out[#out + 1] = match[i] end
          return out
        end

        """;

    /// <summary>Shared C# twin of the prelude's <c>release_player</c>: the reply items of the released streamer (id,
    /// connection, told, instance), then the player's previous state.</summary>
    private static (string?[] Released, string State) ReleasePlayer(
        IAtomicKeyspace ks,
        IReadOnlyList<string> keys,
        string playerId,
        bool disconnecting
    )
    {
        var pk = keys[1] + playerId;
        var state = ks.HashGet(pk, PsFields.State) ?? PlayerStates.Idle;
        string?[] released = [null, null, null, null];
        if (state == PlayerStates.Waiting)
        {
            ks.ListRemove(keys[5], playerId);
        }
        else if (
            state is PlayerStates.Reserved or PlayerStates.Streaming
            && ks.HashGet(pk, PsFields.Streamer) is { } held
        )
        {
            var sk = keys[0] + held;
            if (ks.HashGet(sk, PsFields.Conn) is { } conn && ks.HashGet(sk, PsFields.Player) == playerId)
            {
                ks.HashSet(sk, PsFields.State, StreamerStates.Released);
                ks.HashDelete(sk, PsFields.Player);
                var told = ks.HashGet(pk, PsFields.Told) == conn;
                released = [held, conn, told ? "1" : null, ks.HashGet(sk, Workers.WorkerLocator.InstanceField)];
            }
        }

        if (disconnecting)
        {
            ks.Delete(pk);
        }
        else
        {
            ks.HashSet(pk, PsFields.State, PlayerStates.Idle);
            ks.HashDelete(pk, PsFields.Streamer);
            ks.HashDelete(pk, PsFields.Offered);
            ks.HashDelete(pk, PsFields.Told);
        }

        return (released, state);
    }

    /// <summary>Shared C# twin of the prelude's <c>offer_streamer</c>.</summary>
    private static string?[]? OfferStreamerLocked(
        IAtomicKeyspace ks,
        IReadOnlyList<string> keys,
        string sid,
        string now
    )
    {
        var sk = keys[0] + sid;
        while (true)
        {
            if (ks.ListLeftPop(keys[5]) is not { } pid)
            {
                ks.HashSet(sk, PsFields.State, StreamerStates.Idle);
                ks.HashDelete(sk, PsFields.Player);
                ks.SortedSetAdd(keys[4], sid, double.Parse(now, CultureInfo.InvariantCulture));
                return null;
            }

            var pk = keys[1] + pid;
            if (ks.HashGet(pk, PsFields.State) == PlayerStates.Waiting)
            {
                ks.HashSet(sk, PsFields.State, StreamerStates.Reserved);
                ks.HashSet(sk, PsFields.Player, pid);
                ks.SortedSetRemove(keys[4], sid);
                ks.HashSet(pk, PsFields.State, PlayerStates.Reserved);
                ks.HashSet(pk, PsFields.Streamer, sid);
                Served(ks, keys, now);
                return
                [
                    pid,
                    ks.HashGet(sk, PsFields.Conn),
                    ks.HashGet(pk, PsFields.Conn),
                    ks.HashGet(pk, PsFields.ProjectUrl),
                    ks.HashGet(sk, Workers.WorkerLocator.InstanceField),
                ];
            }
        }
    }

    /// <summary>Shared C# twin of the prelude's <c>served</c>.</summary>
    private static void Served(IAtomicKeyspace ks, IReadOnlyList<string> keys, string now)
    {
        var at = double.Parse(now, CultureInfo.InvariantCulture);
        var since = QueueStatsFields.ParseMs(ks.HashGet(keys[6], QueueStatsFields.BusySince));
        if (since is null || at < since)
            return;
        var waited = at - since.Value;
        var average = QueueStatsFields.ParseMs(ks.HashGet(keys[6], QueueStatsFields.AverageMs)) is { } old
            ? old + (double.Parse(QueueStatsFields.Weight, CultureInfo.InvariantCulture) * (waited - old))
            : waited;
        ks.HashSet(keys[6], QueueStatsFields.AverageMs, average.ToString("R", CultureInfo.InvariantCulture));
        ks.HashSet(keys[6], QueueStatsFields.BusySince, now);
    }

    /// <summary>Shared C# twin of the prelude's <c>leave</c>.</summary>
    private static string?[] Leave(
        IAtomicKeyspace ks,
        IReadOnlyList<string> keys,
        string pid,
        bool disconnecting,
        string now
    )
    {
        var (released, state) = ReleasePlayer(ks, keys, pid, disconnecting);
        var match =
            released[0] is { } sid && released[2] == "1" && released[3] is null
                ? OfferStreamerLocked(ks, keys, sid, now)
                : null;
        return [.. released, state == PlayerStates.Waiting ? "1" : null, .. match ?? new string?[5]];
    }

    /// <summary>What <c>leave</c>'s reply items (from <paramref name="at"/>) say.</summary>
    private static PlayerRelease Left(IReadOnlyList<string?> reply, int at, string playerId)
    {
        var released = Released(reply, at, playerId);
        var next = released is null ? null : MatchOf(reply, at + 5, released.StreamerId);
        // leave offers every released streamer that was told and has no instance.
        return new PlayerRelease(
            released is null
                ? null
                : released with
                {
                    Offered = released.Told && released.InstanceId is null,
                    Next = next,
                },
            WasWaiting: reply[at + 4] == "1"
        );
    }

    /// <summary>The released streamer from the four reply items <c>release_player</c> gives, from
    /// <paramref name="at"/>.</summary>
    private static ReleasedStreamer? Released(IReadOnlyList<string?> reply, int at, string playerId) =>
        reply[at] is { } sid && reply[at + 1] is { } conn
            ? new ReleasedStreamer(sid, conn, playerId, Told: reply[at + 2] == "1", InstanceId: reply[at + 3])
            : null;

    /// <summary>
    /// ARGV: player id, connection id, project URL. A player connects: a previous connection of the same id is
    /// released as if it left; then the player is recorded, not subscribed. Reply: replaced connection, then the
    /// released streamer's id, connection, told flag and instance (each false when none).
    /// </summary>
    public sealed class AddPlayer : AtomicOperation<(string? Replaced, ReleasedStreamer? Released)>
    {
        public static readonly AddPlayer Instance = new();

        public override string Name => "ps.add-player";

        public override string Script =>
            Prelude
            + """
                local pid, conn = ARGV[1], ARGV[2]
                local pk = PP .. pid
                local previous = redis.call('HGET', pk, 'conn')
                if previous == conn then return {false, false, false, false, false} end
                local sid, sconn, told, inst = false, false, false, false
                if previous then sid, sconn, told, inst = release_player(pid, true) end
                redis.call('HSET', pk, 'conn', conn, 'state', 'idle', 'projectUrl', ARGV[3])
                return {previous, sid, sconn, told, inst}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var (pid, conn) = (args[0], args[1]);
            var pk = keys[1] + pid;
            var previous = ks.HashGet(pk, PsFields.Conn);
            if (previous == conn)
                return [null, null, null, null, null];
            string?[] released = [null, null, null, null];
            if (previous is not null)
                released = ReleasePlayer(ks, keys, pid, disconnecting: true).Released;
            ks.HashSet(pk, PsFields.Conn, conn);
            ks.HashSet(pk, PsFields.State, PlayerStates.Idle);
            ks.HashSet(pk, PsFields.ProjectUrl, args[2]);
            return [previous, .. released];
        }

        public override (string? Replaced, ReleasedStreamer? Released) Decode(
            IReadOnlyList<string?> reply,
            IReadOnlyList<string> args
        ) => (reply[0], Released(reply, 1, args[0]));
    }

    /// <summary>
    /// ARGV: connection id, streamer id, now (ms). Claims the id for the connection in INITIALIZING unless another
    /// connection owns it. Reply: <c>claimed</c>, or <c>taken</c> and the owning connection.
    /// </summary>
    public sealed class ClaimStreamer : AtomicOperation<string?>
    {
        public static readonly ClaimStreamer Instance = new();

        public override string Name => "ps.claim-streamer";

        public override string Script =>
            Prelude
            + """
                local conn, sid = ARGV[1], ARGV[2]
                local sk = SP .. sid
                local owner = redis.call('HGET', sk, 'conn')
                if owner then return {'taken', owner} end
                redis.call('DEL', sk)
                redis.call('HSET', sk, 'conn', conn, 'state', 'INITIALIZING', 'since', ARGV[3])
                redis.call('SADD', STREAMERS, sid)
                redis.call('HSET', CP .. conn, 'id', sid)
                return {'claimed'}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var (conn, sid) = (args[0], args[1]);
            var sk = keys[0] + sid;
            if (ks.HashGet(sk, PsFields.Conn) is { } owner)
                return ["taken", owner];
            // A record without an owner is what a late write left behind: claimed afresh.
            ks.Delete(sk);
            ks.HashSet(sk, PsFields.Conn, conn);
            ks.HashSet(sk, PsFields.State, StreamerStates.Initializing);
            ks.HashSet(sk, PsFields.Since, args[2]);
            ks.SetAdd(keys[3], sid);
            ks.HashSet(keys[2] + conn, PsFields.Id, sid);
            return ["claimed"];
        }

        /// <returns>null when claimed, else the connection that owns the id.</returns>
        public override string? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] == "taken" ? reply[1] : null;
    }

    /// <summary>
    /// ARGV: connection id, current id, wanted id. Moves the streamer's record, pool entries (keeping its place among
    /// the idle), connection and its player's link to the wanted id. Reply: <c>gone</c> (the connection no longer
    /// owns the streamer), <c>same</c>, <c>taken</c> + owner, or <c>renamed</c> + player id + player connection.
    /// </summary>
    public sealed class RenameStreamer : AtomicOperation<RenameAttempt>
    {
        public static readonly RenameStreamer Instance = new();

        public override string Name => "ps.rename-streamer";

        public override string Script =>
            Prelude
            + """
                local conn, cur, wanted = ARGV[1], ARGV[2], ARGV[3]
                local old, new = SP .. cur, SP .. wanted
                if redis.call('HGET', old, 'conn') ~= conn then return {'gone'} end
                if wanted == cur then return {'same'} end
                local owner = redis.call('HGET', new, 'conn')
                if owner then return {'taken', owner} end
                local state = redis.call('HGET', old, 'state')
                local pid = redis.call('HGET', old, 'player')
                redis.call('DEL', new)
                redis.call('HSET', new, unpack(redis.call('HGETALL', old)))
                redis.call('DEL', old)
                redis.call('SREM', STREAMERS, cur)
                redis.call('SADD', STREAMERS, wanted)
                redis.call('HSET', CP .. conn, 'id', wanted)
                local since = redis.call('ZSCORE', IDLE, cur)
                if since then
                  redis.call('ZREM', IDLE, cur)
                  if state == 'IDLE' then redis.call('ZADD', IDLE, since, wanted) end
                end
                if pid then
                  local pk = PP .. pid
                  local pconn = redis.call('HGET', pk, 'conn')
                  if pconn and redis.call('HGET', pk, 'streamer') == cur then
                    redis.call('HSET', pk, 'streamer', wanted)
                    if redis.call('HGET', pk, 'listed') == cur then redis.call('HSET', pk, 'listed', wanted) end
                    return {'renamed', pid, pconn}
                  end
                end
                return {'renamed', false, false}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var (conn, cur, wanted) = (args[0], args[1], args[2]);
            var (old, @new) = (keys[0] + cur, keys[0] + wanted);
            if (ks.HashGet(old, PsFields.Conn) != conn)
                return ["gone"];
            if (wanted == cur)
                return ["same"];
            if (ks.HashGet(@new, PsFields.Conn) is { } owner)
                return ["taken", owner];
            var record = ks.HashGetAll(old);
            var state = record.GetValueOrDefault(PsFields.State);
            var pid = record.GetValueOrDefault(PsFields.Player);
            ks.Delete(@new);
            foreach (var (field, value) in record)
                ks.HashSet(@new, field, value);
            ks.Delete(old);
            ks.SetRemove(keys[3], cur);
            ks.SetAdd(keys[3], wanted);
            ks.HashSet(keys[2] + conn, PsFields.Id, wanted);
            if (ks.SortedSetScore(keys[4], cur) is { } since)
            {
                ks.SortedSetRemove(keys[4], cur);
                if (state == StreamerStates.Idle)
                    ks.SortedSetAdd(keys[4], wanted, since);
            }

            if (pid is not null)
            {
                var pk = keys[1] + pid;
                if (ks.HashGet(pk, PsFields.Conn) is { } pconn && ks.HashGet(pk, PsFields.Streamer) == cur)
                {
                    ks.HashSet(pk, PsFields.Streamer, wanted);
                    if (ks.HashGet(pk, PsFields.Listed) == cur)
                        ks.HashSet(pk, PsFields.Listed, wanted);
                    return ["renamed", pid, pconn];
                }
            }

            return ["renamed", null, null];
        }

        public override RenameAttempt Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] switch
            {
                "gone" => new RenameAttempt(null, null),
                "same" => new RenameAttempt(new RenamedStreamer(args[1], null, null), null),
                "taken" => new RenameAttempt(null, reply[1]),
                _ => new RenameAttempt(
                    new RenamedStreamer(args[2], reply[2] is null ? null : reply[1], reply[2]),
                    null
                ),
            };
    }

    /// <summary>
    /// ARGV: streamer id, the state the caller saw, now (ms). Puts the streamer in service: reserved for the oldest
    /// waiting player (queue heads no longer waiting are dropped on the way), else idle. Reply: <c>unchanged</c> (its
    /// state is no longer the one seen), <c>idle</c>, or <c>matched</c> + player id, streamer connection, player
    /// connection, project URL, the streamer's instance.
    /// </summary>
    public sealed class OfferStreamer : AtomicOperation<Match?>
    {
        public static readonly OfferStreamer Instance = new();

        public override string Name => "ps.offer-streamer";

        public override string Script =>
            Prelude
            + """
                local sid = ARGV[1]
                if redis.call('HGET', SP .. sid, 'state') ~= ARGV[2] then return {'unchanged'} end
                local match = offer_streamer(sid, ARGV[3])
                if not match then return {'idle'} end
                return {'matched', match[1], match[2], match[3], match[4], match[5]}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            if (ks.HashGet(keys[0] + args[0], PsFields.State) != args[1])
                return ["unchanged"];
            return OfferStreamerLocked(ks, keys, args[0], args[2]) is { } match ? ["matched", .. match] : ["idle"];
        }

        public override Match? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] == "matched" ? MatchOf(reply, 1, args[0]) : null;
    }

    /// <summary>
    /// ARGV: player id, connection id, requested streamer id (empty or <c>waiting_queue</c> for any), now (ms).
    /// Epic's subscribe: a previous subscription is released first; then the requested streamer if idle, else the
    /// longest idle one (idle entries whose record is gone are dropped), else the player joins the queue (its wait
    /// clock starts when the queue was empty). Matched or queued, the streamer the player lost is no longer listed
    /// to it. Reply: outcome (<c>not_connected</c>, <c>queued</c>, <c>matched</c>), the released streamer's id,
    /// connection, told flag and instance, then for a match the streamer id, streamer connection, player
    /// connection, project URL and the streamer's instance, for the queue the player's position and the average
    /// wait (ms, false until measured).
    /// </summary>
    public sealed class Subscribe : AtomicOperation<SubscribeResult>
    {
        public static readonly Subscribe Instance = new();

        public override string Name => "ps.subscribe";

        public override string Script =>
            Prelude
            + """
                local pid, conn, requested = ARGV[1], ARGV[2], ARGV[3]
                local pk = PP .. pid
                if redis.call('HGET', pk, 'conn') ~= conn then return {'not_connected', false, false, false, false} end
                local anyone = requested == '' or requested == 'waiting_queue'
                local state = redis.call('HGET', pk, 'state')
                local rsid, rconn, rtold, rinst = false, false, false, false
                if state ~= 'idle' then
                  if state == 'waiting' and anyone then
                    redis.call('DEL', RESUME .. pid)
                    return {'queued', false, false, false, false, tostring((redis.call('LPOS', QUEUE, pid) or -1) + 1),
                      redis.call('HGET', STATS, 'avgServeMs')}
                  end
                  rsid, rconn, rtold, rinst = release_player(pid, false)
                end
                local function take(sid)
                  local sk = SP .. sid
                  redis.call('HSET', sk, 'state', 'RESERVED', 'player', pid)
                  redis.call('ZREM', IDLE, sid)
                  redis.call('HSET', pk, 'state', 'reserved', 'streamer', sid)
                  redis.call('DEL', RESUME .. pid)
                  return {'matched', rsid, rconn, rtold, rinst, sid, redis.call('HGET', sk, 'conn'), conn,
                    redis.call('HGET', pk, 'projectUrl'), redis.call('HGET', sk, 'instance')}
                end
                if not anyone and redis.call('HGET', SP .. requested, 'state') == 'IDLE' then return take(requested) end
                local i = 0
                while true do
                  local sid = redis.call('ZRANGE', IDLE, i, i)[1]
                  if not sid then break end
                  local state = redis.call('HGET', SP .. sid, 'state')
                  if state == 'IDLE' then return take(sid) end
                  if state then i = i + 1 else redis.call('ZREM', IDLE, sid) end
                end
                local position = redis.call('RPUSH', QUEUE, pid)
                redis.call('HSET', pk, 'state', 'waiting')
                redis.call('DEL', RESUME .. pid)
                if position == 1 then redis.call('HSET', STATS, 'busySince', ARGV[4]) end
                return {'queued', rsid, rconn, rtold, rinst, tostring(position), redis.call('HGET', STATS, 'avgServeMs')}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var (pid, conn, requested) = (args[0], args[1], args[2]);
            var pk = keys[1] + pid;
            if (ks.HashGet(pk, PsFields.Conn) != conn)
                return ["not_connected", null, null, null, null];
            var anyone = requested is "" or Protocol.MessageTypes.WaitingQueue;
            var state = ks.HashGet(pk, PsFields.State);
            string?[] released = [null, null, null, null];
            if (state != PlayerStates.Idle)
            {
                if (state == PlayerStates.Waiting && anyone)
                {
                    ks.Delete(keys[7] + pid);
                    return
                    [
                        "queued",
                        null,
                        null,
                        null,
                        null,
                        ((ks.ListPosition(keys[5], pid) ?? -1) + 1).ToString(CultureInfo.InvariantCulture),
                        ks.HashGet(keys[6], QueueStatsFields.AverageMs),
                    ];
                }
                released = ReleasePlayer(ks, keys, pid, disconnecting: false).Released;
            }

            IReadOnlyList<string?> Take(string sid)
            {
                var sk = keys[0] + sid;
                ks.HashSet(sk, PsFields.State, StreamerStates.Reserved);
                ks.HashSet(sk, PsFields.Player, pid);
                ks.SortedSetRemove(keys[4], sid);
                ks.HashSet(pk, PsFields.State, PlayerStates.Reserved);
                ks.HashSet(pk, PsFields.Streamer, sid);
                ks.Delete(keys[7] + pid);
                return
                [
                    "matched",
                    .. released,
                    sid,
                    ks.HashGet(sk, PsFields.Conn),
                    conn,
                    ks.HashGet(pk, PsFields.ProjectUrl),
                    ks.HashGet(sk, Workers.WorkerLocator.InstanceField),
                ];
            }

            if (!anyone && ks.HashGet(keys[0] + requested, PsFields.State) == StreamerStates.Idle)
                return Take(requested);
            var i = 0;
            while (ks.SortedSetFirst(keys[4], i + 1) is { } first && first.Count > i)
            {
                var sid = first[i];
                var streamerState = ks.HashGet(keys[0] + sid, PsFields.State);
                if (streamerState == StreamerStates.Idle)
                    return Take(sid);
                if (streamerState is null)
                    ks.SortedSetRemove(keys[4], sid);
                else
                    i++;
            }

            ks.ListRightPush(keys[5], pid);
            ks.HashSet(pk, PsFields.State, PlayerStates.Waiting);
            ks.Delete(keys[7] + pid);
            var position = ks.ListLength(keys[5]);
            if (position == 1)
                ks.HashSet(keys[6], QueueStatsFields.BusySince, args[3]);
            return
            [
                "queued",
                .. released,
                position.ToString(CultureInfo.InvariantCulture),
                ks.HashGet(keys[6], QueueStatsFields.AverageMs),
            ];
        }

        public override SubscribeResult Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args)
        {
            var playerId = args[0];
            var released = Released(reply, 1, playerId);
            return reply[0] switch
            {
                "matched" when MatchOf(reply, 6, reply[5], playerId) is { } match => new SubscribeResult(
                    SubscribeOutcome.Matched,
                    match,
                    released
                ),
                "queued" => new SubscribeResult(
                    SubscribeOutcome.Queued,
                    Released: released,
                    Position: int.Parse(reply[5]!, CultureInfo.InvariantCulture),
                    AverageServeMs: QueueStatsFields.ParseMs(reply[6])
                ),
                _ => new SubscribeResult(SubscribeOutcome.NotConnected, Released: released),
            };
        }
    }

    /// <summary>
    /// ARGV: player id, connection id, <c>1</c> when disconnecting, now (ms). A player unsubscribes or leaves: out of
    /// the queue, or its streamer RELEASED and, when it had been told of the player and has no instance to restart
    /// it, handed to the next waiting player (<c>leave</c> in the prelude); only the connection that owns the player
    /// id can. Reply: <c>not_owner</c>, or <c>released</c> + the
    /// released streamer's id, connection, told flag and instance, <c>1</c> when the player was waiting (the players
    /// behind it moved up), then the hand-over's player id, streamer connection, player connection, project URL and
    /// instance.
    /// </summary>
    public sealed class ReleasePlayerOperation : AtomicOperation<PlayerRelease>
    {
        public static readonly ReleasePlayerOperation Instance = new();

        public override string Name => "ps.release-player";

        public override string Script =>
            Prelude
            + """
                local pid = ARGV[1]
                if redis.call('HGET', PP .. pid, 'conn') ~= ARGV[2] then return {'not_owner'} end
                local out = leave(pid, ARGV[3] == '1', ARGV[4])
                table.insert(out, 1, 'released')
                return out
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            if (ks.HashGet(keys[1] + args[0], PsFields.Conn) != args[1])
                return ["not_owner"];
            return ["released", .. Leave(ks, keys, args[0], args[2] == "1", args[3])];
        }

        public override PlayerRelease Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] == "released" ? Left(reply, 1, args[0]) : new PlayerRelease(null, WasWaiting: false);
    }

    /// <summary>
    /// ARGV: streamer id, connection id. A streamer left: its record and pool entries go. A player it had only been
    /// reserved for (no offer relayed yet) goes back to the head of the queue; a player it served is back to not
    /// subscribed. Reply: <c>not_owner</c>, or <c>removed</c> + player id, player connection, <c>1</c> if requeued.
    /// </summary>
    public sealed class RemoveStreamer : AtomicOperation<OrphanedPlayer?>
    {
        public static readonly RemoveStreamer Instance = new();

        public override string Name => "ps.remove-streamer";

        public override string Script =>
            Prelude
            + """
                local sid = ARGV[1]
                local sk = SP .. sid
                if redis.call('HGET', sk, 'conn') ~= ARGV[2] then return {'not_owner'} end
                local pid = redis.call('HGET', sk, 'player')
                redis.call('DEL', sk)
                redis.call('SREM', STREAMERS, sid)
                redis.call('ZREM', IDLE, sid)
                if pid then
                  local pk = PP .. pid
                  local pconn = redis.call('HGET', pk, 'conn')
                  if pconn and redis.call('HGET', pk, 'streamer') == sid then
                    local requeue = redis.call('HGET', pk, 'state') == 'reserved'
                      and redis.call('HEXISTS', pk, 'offered') == 0
                    redis.call('HDEL', pk, 'streamer', 'offered', 'told')
                    if requeue then
                      redis.call('LPUSH', QUEUE, pid)
                      redis.call('HSET', pk, 'state', 'waiting')
                      return {'removed', pid, pconn, '1'}
                    end
                    redis.call('HSET', pk, 'state', 'idle')
                    return {'removed', pid, pconn, '0'}
                  end
                end
                return {'removed', false, false, '0'}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var sid = args[0];
            var sk = keys[0] + sid;
            if (ks.HashGet(sk, PsFields.Conn) != args[1])
                return ["not_owner"];
            var pid = ks.HashGet(sk, PsFields.Player);
            ks.Delete(sk);
            ks.SetRemove(keys[3], sid);
            ks.SortedSetRemove(keys[4], sid);
            if (pid is not null)
            {
                var pk = keys[1] + pid;
                if (ks.HashGet(pk, PsFields.Conn) is { } pconn && ks.HashGet(pk, PsFields.Streamer) == sid)
                {
                    var requeue =
                        ks.HashGet(pk, PsFields.State) == PlayerStates.Reserved
                        && ks.HashGet(pk, PsFields.Offered) is null;
                    ks.HashDelete(pk, PsFields.Streamer);
                    ks.HashDelete(pk, PsFields.Offered);
                    ks.HashDelete(pk, PsFields.Told);
                    if (requeue)
                    {
                        ks.ListLeftPush(keys[5], pid);
                        ks.HashSet(pk, PsFields.State, PlayerStates.Waiting);
                        return ["removed", pid, pconn, "1"];
                    }

                    ks.HashSet(pk, PsFields.State, PlayerStates.Idle);
                    return ["removed", pid, pconn, "0"];
                }
            }

            return ["removed", null, null, "0"];
        }

        public override OrphanedPlayer? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] == "removed" && reply[1] is { } pid && reply[2] is { } conn
                ? new OrphanedPlayer(pid, conn, reply[3] == "1")
                : null;
    }

    /// <summary>
    /// ARGV: how many. The queue's first players, oldest first, each with its connection (false when its record is
    /// gone), and the queue's average service time: who to tell a new position and the estimate's basis, read in one
    /// step instead of one lookup per waiting player. Reply: average (ms, false until measured), player id,
    /// connection, player id, connection, …
    /// </summary>
    public sealed class Waiting : AtomicOperation<WaitingPlayers>
    {
        public static readonly Waiting Instance = new();

        public override string Name => "ps.waiting";

        public override string Script =>
            Prelude
            + """
                local out = {redis.call('HGET', STATS, 'avgServeMs')}
                for _, pid in ipairs(redis.call('LRANGE', QUEUE, 0, tonumber(ARGV[1]) - 1)) do
                  out[#out + 1] = pid
                  out[#out + 1] = redis.call('HGET', PP .. pid, 'conn') or false
                end
                return out
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var count = Math.Min(ks.ListLength(keys[5]), long.Parse(args[0], CultureInfo.InvariantCulture));
            var reply = new string?[1 + (count * 2)];
            reply[0] = ks.HashGet(keys[6], QueueStatsFields.AverageMs);
            for (var i = 0; i < count; i++)
            {
                var pid = ks.ListIndex(keys[5], i)!;
                reply[1 + (2 * i)] = pid;
                reply[2 + (2 * i)] = ks.HashGet(keys[1] + pid, PsFields.Conn);
            }

            return reply;
        }

        public override WaitingPlayers Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args)
        {
            var players = new (string, string?)[(reply.Count - 1) / 2];
            for (var i = 0; i < players.Length; i++)
                players[i] = (reply[1 + (2 * i)]!, reply[2 + (2 * i)]);
            return new WaitingPlayers(QueueStatsFields.ParseMs(reply[0]), players);
        }
    }

    /// <summary>
    /// ARGV: player id, streamer id, streamer connection, now (ms). After <c>playerConnected</c> was sent: marks on
    /// the player that the streamer knows of it (its told mark, the streamer's connection), if it still holds it.
    /// Otherwise the player left in between, the release found no record and left the goodbye to the caller, and
    /// with it the hand-over: the streamer, still RELEASED on that connection and with no instance, is offered to
    /// the next waiting player. Reply: <c>told</c>, or <c>goodbye</c> + <c>1</c> when it was offered, then the
    /// hand-over's five items.
    /// </summary>
    public sealed class ConfirmTold : AtomicOperation<ToldOutcome>
    {
        public static readonly ConfirmTold Instance = new();

        public override string Name => "ps.confirm-told";

        public override string Script =>
            Prelude
            + """
                local pid, sid, sconn = ARGV[1], ARGV[2], ARGV[3]
                if redis.call('HGET', PP .. pid, 'streamer') == sid then
                  redis.call('HSET', PP .. pid, 'told', sconn)
                  return {'told'}
                end
                local sk = SP .. sid
                if redis.call('HGET', sk, 'conn') ~= sconn or redis.call('HGET', sk, 'state') ~= 'RELEASED'
                  or redis.call('HEXISTS', sk, 'instance') == 1 then
                  return {'goodbye', false}
                end
                local match = offer_streamer(sid, ARGV[4]) or {false, false, false, false, false}
                return {'goodbye', '1', match[1], match[2], match[3], match[4], match[5]}
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var (pid, sid, sconn) = (args[0], args[1], args[2]);
            if (ks.HashGet(keys[1] + pid, PsFields.Streamer) == sid)
            {
                ks.HashSet(keys[1] + pid, PsFields.Told, sconn);
                return ["told"];
            }

            var sk = keys[0] + sid;
            if (
                ks.HashGet(sk, PsFields.Conn) != sconn
                || ks.HashGet(sk, PsFields.State) != StreamerStates.Released
                || ks.HashGet(sk, Workers.WorkerLocator.InstanceField) is not null
            )
            {
                return ["goodbye", null];
            }

            return ["goodbye", "1", .. OfferStreamerLocked(ks, keys, sid, args[3]) ?? new string?[5]];
        }

        public override ToldOutcome Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            reply[0] == "told"
                ? new ToldOutcome(Told: true, Offered: false, Next: null)
                : new ToldOutcome(
                    Told: false,
                    Offered: reply[1] == "1",
                    Next: reply[1] == "1" ? MatchOf(reply, 2, args[1]) : null
                );
    }

    /// <summary>
    /// ARGV: connection id, now (ms). A socket closed: its connection record goes, in the same step as it is read,
    /// and a player's place is given up as by <see cref="ReleasePlayerOperation"/> (when the player id is still this
    /// connection's). Reply: the connection's role and id (false when it had none, or was dropped already), then for
    /// a player the release-player reply.
    /// </summary>
    public sealed class ConnectionClosed : AtomicOperation<ClosedConnection>
    {
        public static readonly ConnectionClosed Instance = new();

        public override string Name => "ps.connection-closed";

        public override string Script =>
            Prelude
            + """
                local conn = ARGV[1]
                local ck = CP .. conn
                local found = redis.call('HMGET', ck, 'role', 'id')
                redis.call('DEL', ck)
                local role, id = found[1], found[2]
                if role ~= 'player' or not id then return {role, id} end
                if redis.call('HGET', PP .. id, 'conn') ~= conn then return {role, id, 'not_owner'} end
                local out = leave(id, true, ARGV[2])
                table.insert(out, 1, 'released')
                table.insert(out, 1, id)
                table.insert(out, 1, role)
                return out
                """;

        public override IReadOnlyList<string?> RunInProcess(
            IAtomicKeyspace ks,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var ck = keys[2] + args[0];
            string? role = ks.HashGet(ck, PsFields.Role),
                id = ks.HashGet(ck, PsFields.Id);
            ks.Delete(ck);
            if (role != Roles.Player || id is null)
                return [role, id];
            if (ks.HashGet(keys[1] + id, PsFields.Conn) != args[0])
                return [role, id, "not_owner"];
            return [role, id, "released", .. Leave(ks, keys, id, disconnecting: true, args[1])];
        }

        public override ClosedConnection Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            new(
                reply[0],
                reply.Count > 1 ? reply[1] : null,
                reply.Count > 2 && reply[2] == "released" ? Left(reply, 3, reply[1]!) : null
            );
    }

    private static Match? MatchOf(IReadOnlyList<string?> reply, int at, string? streamerId, string? playerId = null)
    {
        // offer: player id, streamer conn, player conn, project URL, instance;
        // subscribe: streamer conn, player conn, project URL, instance (the player id is the caller's).
        if (playerId is null)
        {
            playerId = reply[at];
            at++;
        }

        if (
            streamerId is null
            || playerId is null
            || reply[at] is not { } streamerConn
            || reply[at + 1] is not { } playerConn
        )
        {
            return null;
        }
        var projectUrl = reply[at + 2];
        return new Match(
            streamerId,
            streamerConn,
            playerId,
            playerConn,
            string.IsNullOrEmpty(projectUrl) ? null : projectUrl,
            reply[at + 3]
        );
    }
}

/// <summary>One attempt at a rename: done (<see cref="Renamed"/>), the wanted id owned by another connection
/// (<see cref="TakenBy"/>), or neither: the connection no longer owns the streamer.</summary>
internal sealed record RenameAttempt(RenamedStreamer? Renamed, string? TakenBy);
