using MobZ.State;

namespace MobZ.PixelStreaming.Matching;

/// <summary>
/// Every Pixel Streaming state transition, each one a single conditional commit on the store, retried
/// when a concurrent writer changed what it read. Invariants the transitions keep:
/// a streamer has at most one player; a player is in the queue at most once and only while waiting;
/// the queue is non-empty only while no streamer is idle (a streamer becomes idle only on an empty queue,
/// a player queues only when no streamer is idle), so the oldest waiting player is always served first.
/// </summary>
public sealed class Matchmaker(IStateStore store, PsKeys keys, TimeProvider time)
{
    private const int MaxAttempts = 200;
    private const int IdleCandidates = 8;

    public PsKeys Keys => keys;

    /// <summary>
    /// Records a player connection. A previous connection of the same player id is released and returned
    /// (with the streamer it held) so it can be closed and its streamer told.
    /// </summary>
    public async Task<(string? ReplacedConnection, ReleasedStreamer? Released)> AddPlayerAsync(
        string playerId,
        string connectionId,
        string? projectUrl
    )
    {
        string? replaced = null;
        ReleasedStreamer? released = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var previous = await store.HashGetAsync(keys.Player(playerId), PsFields.Conn);
            if (previous is not null && previous != connectionId)
            {
                // The same user connected again: the new connection takes the session over.
                released = await ReleasePlayerAsync(playerId, previous, disconnecting: true) ?? released;
                replaced = previous;
                continue;
            }
            var ok = await store
                .CreateTransaction()
                .When(new StateCondition.HashNotExists(keys.Player(playerId), PsFields.Conn))
                .HashSet(keys.Player(playerId), PsFields.Conn, connectionId)
                .HashSet(keys.Player(playerId), PsFields.State, PlayerStates.Idle)
                .HashSet(keys.Player(playerId), PsFields.ProjectUrl, projectUrl ?? "")
                .ExecuteAsync();
            if (ok)
                return (replaced, released);
        }
        throw new InvalidOperationException($"player {playerId} could not be registered: contention did not settle");
    }

    /// <summary>
    /// Claims a unique streamer id (suffixing clashes) in INITIALIZING. Reclaiming the id of a dead previous
    /// connection removes that streamer; the player it had (if any) is returned to be dealt with like any orphan.
    /// </summary>
    public async Task<(string Id, OrphanedPlayer? Orphan)> RegisterStreamerAsync(
        string connectionId,
        string requestedId,
        Func<string, Task<bool>> isConnectionAlive
    )
    {
        var suffix = 0;
        OrphanedPlayer? orphan = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var candidate = suffix == 0 ? requestedId : $"{requestedId}-{suffix}";
            var key = keys.Streamer(candidate);
            var ok = await store
                .CreateTransaction()
                .When(new StateCondition.KeyNotExists(key))
                .HashSet(key, PsFields.Conn, connectionId)
                .HashSet(key, PsFields.State, StreamerStates.Initializing)
                .HashSet(key, PsFields.Since, Now().ToString(System.Globalization.CultureInfo.InvariantCulture))
                .SetAdd(keys.Streamers, candidate)
                .HashSet(keys.Connection(connectionId), PsFields.Id, candidate)
                .ExecuteAsync();
            if (ok)
                return (candidate, orphan);

            var owner = await store.HashGetAsync(key, PsFields.Conn);
            if (owner == connectionId)
                return (candidate, orphan);
            if (owner is not null && !await isConnectionAlive(owner))
            {
                // A restarted instance reconnects before the gateway reported its old socket gone: the id is still its
                // own.
                orphan = await RemoveStreamerAsync(candidate, owner) ?? orphan;
                continue;
            }
            if (owner is not null)
                suffix++;
        }
        throw new InvalidOperationException(
            $"streamer id {requestedId} could not be claimed: contention did not settle"
        );
    }

    /// <summary>
    /// A registered streamer sends <c>endpointId</c> again: as on Epic's server it takes the new id (suffixed on a
    /// clash, as at registration). Its record, its pool entry, its connection and its player's link move to the new
    /// id in one commit that holds only if nothing of the record changed since it was read, so a concurrent match,
    /// release or removal either happens before the rename (and moves with it) or retries on the new id.
    /// </summary>
    /// <returns>The committed id (the current one when the wanted id is its own) and the player to tell; null when this
    /// connection no longer owns the streamer.</returns>
    public async Task<RenamedStreamer?> RenameStreamerAsync(string connectionId, string currentId, string requestedId)
    {
        var oldKey = keys.Streamer(currentId);
        var suffix = 0;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var candidate = suffix == 0 ? requestedId : $"{requestedId}-{suffix}";
            var streamer = await store.HashGetAllAsync(oldKey);
            if (streamer.GetValueOrDefault(PsFields.Conn) != connectionId)
                return null;
            var playerId = streamer.GetValueOrDefault(PsFields.Player);
            string? playerConn = null;
            if (candidate == currentId)
                return new RenamedStreamer(currentId, null, null);

            var newKey = keys.Streamer(candidate);
            var tx = store
                .CreateTransaction()
                .When(new StateCondition.KeyNotExists(newKey))
                .When(new StateCondition.HashLengthLessThan(oldKey, streamer.Count + 1));
            foreach (var (field, value) in streamer)
            {
                tx.When(new StateCondition.HashEqual(oldKey, field, value)).HashSet(newKey, field, value);
            }
            tx.Delete(oldKey)
                .SetRemove(keys.Streamers, currentId)
                .SetAdd(keys.Streamers, candidate)
                .When(new StateCondition.HashEqual(keys.Connection(connectionId), PsFields.Id, currentId))
                .HashSet(keys.Connection(connectionId), PsFields.Id, candidate);
            if (
                streamer.GetValueOrDefault(PsFields.State) == StreamerStates.Idle
                && await store.SortedSetScoreAsync(keys.Idle, currentId) is { } idleSince
            )
            {
                // Keeps its place among the idle streamers (longest idle is listed and matched first).
                tx.SortedSetRemove(keys.Idle, currentId).SortedSetAdd(keys.Idle, candidate, idleSince);
            }
            if (playerId is not null)
            {
                var playerKey = keys.Player(playerId);
                var player = await store.HashGetAllAsync(playerKey);
                if (
                    player.GetValueOrDefault(PsFields.Streamer) == currentId
                    && player.TryGetValue(PsFields.Conn, out var pc)
                )
                {
                    playerConn = pc;
                    tx.When(new StateCondition.HashEqual(playerKey, PsFields.Streamer, currentId))
                        .When(new StateCondition.HashEqual(playerKey, PsFields.Conn, pc))
                        .HashSet(playerKey, PsFields.Streamer, candidate);
                    if (player.GetValueOrDefault(PsFields.Listed) == currentId)
                        tx.HashSet(playerKey, PsFields.Listed, candidate);
                }
                else
                {
                    tx.When(new StateCondition.HashNotEqual(playerKey, PsFields.Streamer, currentId));
                }
            }
            if (await tx.ExecuteAsync())
                return new RenamedStreamer(candidate, playerConn is null ? null : playerId, playerConn);

            // The wanted id belongs to another streamer: take the next suffix. Otherwise something moved; read again.
            if (await store.HashGetAsync(newKey, PsFields.Conn) is { } owner && owner != connectionId)
                suffix++;
        }
        throw new InvalidOperationException(
            $"streamer {currentId} could not be renamed to {requestedId}: contention did not settle"
        );
    }

    /// <summary>
    /// Puts a streamer in service: reserves it for the oldest waiting player, or makes it idle when nobody waits.
    /// <paramref name="fromState"/> is the state the caller saw; nothing happens if it changed meanwhile.
    /// </summary>
    public async Task<Match?> OfferStreamerAsync(string streamerId, string fromState)
    {
        var streamerKey = keys.Streamer(streamerId);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var head = await store.ListRangeAsync(keys.Queue, 0, 0);
            if (head.Count == 0)
            {
                var idle = await store
                    .CreateTransaction()
                    .When(new StateCondition.HashEqual(streamerKey, PsFields.State, fromState))
                    .When(new StateCondition.ListLengthEqual(keys.Queue, 0))
                    .HashSet(streamerKey, PsFields.State, StreamerStates.Idle)
                    .HashDelete(streamerKey, PsFields.Player)
                    .SortedSetAdd(keys.Idle, streamerId, Now())
                    .ExecuteAsync();
                if (idle)
                    return null;
            }
            else
            {
                var playerId = head[0];
                var playerKey = keys.Player(playerId);
                var ok = await store
                    .CreateTransaction()
                    .When(new StateCondition.HashEqual(streamerKey, PsFields.State, fromState))
                    .When(new StateCondition.ListIndexEqual(keys.Queue, 0, playerId))
                    .When(new StateCondition.HashEqual(playerKey, PsFields.State, PlayerStates.Waiting))
                    .HashSet(streamerKey, PsFields.State, StreamerStates.Reserved)
                    .HashSet(streamerKey, PsFields.Player, playerId)
                    .SortedSetRemove(keys.Idle, streamerId)
                    .ListLeftPop(keys.Queue)
                    .HashSet(playerKey, PsFields.State, PlayerStates.Reserved)
                    .HashSet(playerKey, PsFields.Streamer, streamerId)
                    .ExecuteAsync();
                if (ok)
                    return await DescribeMatchAsync(streamerId, playerId);

                // A queue head whose player is no longer waiting (left without cleanup) is dropped.
                await store
                    .CreateTransaction()
                    .When(new StateCondition.ListIndexEqual(keys.Queue, 0, playerId))
                    .When(new StateCondition.HashNotEqual(playerKey, PsFields.State, PlayerStates.Waiting))
                    .ListLeftPop(keys.Queue)
                    .ExecuteAsync();
            }
            if (await store.HashGetAsync(streamerKey, PsFields.State) != fromState)
                return null;
        }
        throw new InvalidOperationException(
            $"streamer {streamerId} could not be put in service: contention did not settle"
        );
    }

    /// <summary>The subscribe of Epic's protocol: an idle streamer (the requested one first), else the waiting
    /// queue.</summary>
    public async Task<SubscribeResult> SubscribeAsync(string playerId, string connectionId, string? requestedStreamerId)
    {
        var playerKey = keys.Player(playerId);
        ReleasedStreamer? released = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var player = await store.HashGetAllAsync(playerKey);
            if (!player.TryGetValue(PsFields.Conn, out var conn) || conn != connectionId)
                return new SubscribeResult(SubscribeOutcome.NotConnected, Released: released);
            var state = player.GetValueOrDefault(PsFields.State);
            if (state != PlayerStates.Idle)
            {
                if (
                    state == PlayerStates.Waiting
                    && requestedStreamerId is null or "" or Protocol.MessageTypes.WaitingQueue
                )
                {
                    return new SubscribeResult(SubscribeOutcome.Queued, Released: released);
                }
                // Subscribing again replaces the previous subscription, as Epic's server does: the streamer it
                // held is released here and told (playerDisconnected) by the caller.
                released = await ReleasePlayerAsync(playerId, connectionId, disconnecting: false) ?? released;
                continue;
            }

            var candidates = new List<string>(IdleCandidates + 1);
            if (!string.IsNullOrEmpty(requestedStreamerId) && requestedStreamerId != Protocol.MessageTypes.WaitingQueue)
                candidates.Add(requestedStreamerId);
            foreach (var idle in await store.SortedSetRangeByScoreAsync(keys.Idle, take: IdleCandidates))
            {
                if (!candidates.Contains(idle.Member))
                    candidates.Add(idle.Member);
            }

            foreach (var streamerId in candidates)
            {
                var streamerKey = keys.Streamer(streamerId);
                var ok = await store
                    .CreateTransaction()
                    .When(new StateCondition.HashEqual(streamerKey, PsFields.State, StreamerStates.Idle))
                    .When(new StateCondition.HashEqual(playerKey, PsFields.Conn, connectionId))
                    .When(new StateCondition.HashEqual(playerKey, PsFields.State, PlayerStates.Idle))
                    .HashSet(streamerKey, PsFields.State, StreamerStates.Reserved)
                    .HashSet(streamerKey, PsFields.Player, playerId)
                    .SortedSetRemove(keys.Idle, streamerId)
                    .HashSet(playerKey, PsFields.State, PlayerStates.Reserved)
                    .HashSet(playerKey, PsFields.Streamer, streamerId)
                    .ExecuteAsync();
                if (ok)
                {
                    var match = await DescribeMatchAsync(streamerId, playerId);
                    return match is null
                        ? new SubscribeResult(SubscribeOutcome.NotConnected, Released: released)
                        : new SubscribeResult(SubscribeOutcome.Matched, match, released);
                }
                // An idle entry whose streamer record is gone (crashed host) must not block queueing forever.
                await store
                    .CreateTransaction()
                    .When(new StateCondition.KeyNotExists(streamerKey))
                    .SortedSetRemove(keys.Idle, streamerId)
                    .ExecuteAsync();
            }

            var queued = await store
                .CreateTransaction()
                .When(new StateCondition.SortedSetLengthLessThan(keys.Idle, 1))
                .When(new StateCondition.HashEqual(playerKey, PsFields.Conn, connectionId))
                .When(new StateCondition.HashEqual(playerKey, PsFields.State, PlayerStates.Idle))
                .ListRightPush(keys.Queue, playerId)
                .HashSet(playerKey, PsFields.State, PlayerStates.Waiting)
                .ExecuteAsync();
            if (queued)
                return new SubscribeResult(SubscribeOutcome.Queued, Released: released);
        }
        return new SubscribeResult(SubscribeOutcome.Contended, Released: released);
    }

    /// <summary>
    /// Notes that the streamer's offer reached its player: from now on the player has a peer connection with
    /// that streamer, and losing the streamer ends its session instead of putting it back in the queue.
    /// </summary>
    public Task<bool> MarkOfferedAsync(string streamerId, string playerId) =>
        store
            .CreateTransaction()
            .When(new StateCondition.HashEqual(keys.Player(playerId), PsFields.Streamer, streamerId))
            .HashSet(keys.Player(playerId), PsFields.Offered, "1")
            .ExecuteAsync();

    /// <summary>RESERVED → BUSY once the player's answer reached the streamer.</summary>
    public Task<bool> MarkStreamingAsync(string streamerId, string playerId) =>
        store
            .CreateTransaction()
            .When(new StateCondition.HashEqual(keys.Streamer(streamerId), PsFields.State, StreamerStates.Reserved))
            .When(new StateCondition.HashEqual(keys.Streamer(streamerId), PsFields.Player, playerId))
            .HashSet(keys.Streamer(streamerId), PsFields.State, StreamerStates.Busy)
            .HashSet(keys.Player(playerId), PsFields.State, PlayerStates.Streaming)
            .ExecuteAsync();

    /// <summary>
    /// A player unsubscribes (<paramref name="disconnecting"/> false) or leaves: out of the queue, or its streamer
    /// set to RELEASED. Only the connection that owns the player id can release it.
    /// </summary>
    public async Task<ReleasedStreamer?> ReleasePlayerAsync(string playerId, string connectionId, bool disconnecting)
    {
        var playerKey = keys.Player(playerId);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var player = await store.HashGetAllAsync(playerKey);
            if (!player.TryGetValue(PsFields.Conn, out var conn) || conn != connectionId)
                return null;
            var state = player.GetValueOrDefault(PsFields.State) ?? PlayerStates.Idle;

            var tx = store
                .CreateTransaction()
                .When(new StateCondition.HashEqual(playerKey, PsFields.Conn, connectionId))
                .When(new StateCondition.HashEqual(playerKey, PsFields.State, state));
            ReleasedStreamer? released = null;

            if (state == PlayerStates.Waiting)
            {
                tx.ListRemove(keys.Queue, playerId);
            }
            else if (
                state is PlayerStates.Reserved or PlayerStates.Streaming
                && player.TryGetValue(PsFields.Streamer, out var streamerId)
            )
            {
                var streamerKey = keys.Streamer(streamerId);
                var streamer = await store.HashGetAllAsync(streamerKey);
                tx.When(new StateCondition.HashEqual(playerKey, PsFields.Streamer, streamerId));
                if (
                    streamer.GetValueOrDefault(PsFields.Player) == playerId
                    && streamer.TryGetValue(PsFields.Conn, out var streamerConn)
                )
                {
                    tx.When(new StateCondition.HashEqual(streamerKey, PsFields.Player, playerId))
                        .HashSet(streamerKey, PsFields.State, StreamerStates.Released)
                        .HashDelete(streamerKey, PsFields.Player);
                    released = new ReleasedStreamer(streamerId, streamerConn, playerId);
                }
                else
                {
                    tx.When(new StateCondition.HashNotEqual(streamerKey, PsFields.Player, playerId));
                }
            }

            if (disconnecting)
            {
                tx.Delete(playerKey);
            }
            else
            {
                tx.HashSet(playerKey, PsFields.State, PlayerStates.Idle)
                    .HashDelete(playerKey, PsFields.Streamer)
                    .HashDelete(playerKey, PsFields.Offered);
            }

            if (await tx.ExecuteAsync())
                return released;
        }
        throw new InvalidOperationException($"player {playerId} could not be released: contention did not settle");
    }

    /// <summary>
    /// A streamer left: its record goes. A player it had only been reserved for (no offer relayed yet: a
    /// streamer that restarts itself right after its previous player left) goes back to the head of the queue,
    /// so it keeps its turn; a player it was serving is back to not subscribed.
    /// </summary>
    public async Task<OrphanedPlayer?> RemoveStreamerAsync(string streamerId, string connectionId)
    {
        var streamerKey = keys.Streamer(streamerId);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var streamer = await store.HashGetAllAsync(streamerKey);
            if (!streamer.TryGetValue(PsFields.Conn, out var conn) || conn != connectionId)
                return null;

            var tx = store
                .CreateTransaction()
                .When(new StateCondition.HashEqual(streamerKey, PsFields.Conn, connectionId))
                .Delete(streamerKey)
                .SetRemove(keys.Streamers, streamerId)
                .SortedSetRemove(keys.Idle, streamerId);
            OrphanedPlayer? orphan = null;

            if (streamer.TryGetValue(PsFields.Player, out var playerId))
            {
                var playerKey = keys.Player(playerId);
                tx.When(new StateCondition.HashEqual(streamerKey, PsFields.Player, playerId));
                var player = await store.HashGetAllAsync(playerKey);
                if (
                    player.GetValueOrDefault(PsFields.Streamer) == streamerId
                    && player.TryGetValue(PsFields.Conn, out var playerConn)
                )
                {
                    var requeue =
                        player.GetValueOrDefault(PsFields.State) == PlayerStates.Reserved
                        && !player.ContainsKey(PsFields.Offered);
                    tx.When(new StateCondition.HashEqual(playerKey, PsFields.Streamer, streamerId))
                        .When(
                            new StateCondition.HashEqual(
                                playerKey,
                                PsFields.State,
                                player.GetValueOrDefault(PsFields.State)
                            )
                        )
                        .HashDelete(playerKey, PsFields.Streamer)
                        .HashDelete(playerKey, PsFields.Offered);
                    if (requeue)
                    {
                        tx.When(new StateCondition.HashNotExists(playerKey, PsFields.Offered))
                            .ListLeftPush(keys.Queue, playerId)
                            .HashSet(playerKey, PsFields.State, PlayerStates.Waiting);
                    }
                    else
                    {
                        tx.HashSet(playerKey, PsFields.State, PlayerStates.Idle);
                    }
                    orphan = new OrphanedPlayer(playerId, playerConn, requeue);
                }
                else
                {
                    tx.When(new StateCondition.HashNotEqual(playerKey, PsFields.Streamer, streamerId));
                }
            }
            else
            {
                tx.When(new StateCondition.HashNotExists(streamerKey, PsFields.Player));
            }

            if (await tx.ExecuteAsync())
                return orphan;
        }
        throw new InvalidOperationException($"streamer {streamerId} could not be removed: contention did not settle");
    }

    /// <summary>What <c>listStreamers</c> answers: the idle streamers, longest idle first.</summary>
    public async Task<IReadOnlyList<string>> IdleStreamersAsync()
    {
        var idle = await store.SortedSetRangeByScoreAsync(keys.Idle);
        var ids = new string[idle.Count];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = idle[i].Member;
        return ids;
    }

    private async Task<Match?> DescribeMatchAsync(string streamerId, string playerId)
    {
        var streamerConn = await store.HashGetAsync(keys.Streamer(streamerId), PsFields.Conn);
        var player = await store.HashGetAllAsync(keys.Player(playerId));
        if (streamerConn is null || !player.TryGetValue(PsFields.Conn, out var playerConn))
            return null;
        var projectUrl = player.GetValueOrDefault(PsFields.ProjectUrl);
        return new Match(
            streamerId,
            streamerConn,
            playerId,
            playerConn,
            string.IsNullOrEmpty(projectUrl) ? null : projectUrl
        );
    }

    private double Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
