using MobZ.State;

namespace MobZ.PixelStreaming.Matching;

/// <summary>
/// Every Pixel Streaming state transition, each one named atomic operation on the store (<see cref="PsOperations"/>:
/// a Lua script on Redis, the same steps under the lock in-process), so none reads across round trips and none
/// retries. Invariants the transitions keep:
/// a streamer has at most one player; a player is in the queue at most once and only while waiting;
/// the queue is non-empty only while no streamer is idle (a streamer becomes idle only on an empty queue,
/// a player queues only when no streamer is idle), so the oldest waiting player is always served first.
/// </summary>
public sealed class Matchmaker(IStateStore store, PsKeys keys, TimeProvider time)
{
    private readonly IReadOnlyList<string> _keys = PsOperations.Keys(keys);

    public PsKeys Keys => keys;

    /// <summary>
    /// Records a player connection. A previous connection of the same player id is released and returned
    /// (with the streamer it held) so it can be closed and its streamer told.
    /// </summary>
    public Task<(string? Replaced, ReleasedStreamer? Released)> AddPlayerAsync(
        string playerId,
        string connectionId,
        string? projectUrl
    ) => store.RunAsync(PsOperations.AddPlayer.Instance, _keys, [playerId, connectionId, projectUrl ?? ""]);

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
        // Each pass either claims the id, removes its dead owner, or moves on to the next suffix: a search over
        // taken ids, not a retry (the claim itself is one atomic step).
        while (true)
        {
            var candidate = suffix == 0 ? requestedId : $"{requestedId}-{suffix}";
            var owner = await store.RunAsync(
                PsOperations.ClaimStreamer.Instance,
                _keys,
                [connectionId, candidate, NowArg()]
            );
            if (owner is null || owner == connectionId)
                return (candidate, orphan);
            if (!await isConnectionAlive(owner))
            {
                // A restarted instance reconnects before the gateway reported its old socket gone: the id is still its
                // own.
                orphan = await RemoveStreamerAsync(candidate, owner) ?? orphan;
                continue;
            }
            suffix++;
        }
    }

    /// <summary>
    /// A registered streamer sends <c>endpointId</c> again: as on Epic's server it takes the new id (suffixed on a
    /// clash, as at registration). Its record, its pool entry, its connection and its player's link move to the new
    /// id in one atomic step, so a concurrent match, release or removal happens wholly before or after it.
    /// </summary>
    /// <returns>The committed id (the current one when the wanted id is its own) and the player to tell; null when this
    /// connection no longer owns the streamer.</returns>
    public async Task<RenamedStreamer?> RenameStreamerAsync(string connectionId, string currentId, string requestedId)
    {
        // A search over taken ids, as at registration: each pass renames, or finds the candidate owned by another.
        for (var suffix = 0; ; suffix++)
        {
            var candidate = suffix == 0 ? requestedId : $"{requestedId}-{suffix}";
            var attempt = await store.RunAsync(
                PsOperations.RenameStreamer.Instance,
                _keys,
                [connectionId, currentId, candidate]
            );
            if (attempt.TakenBy is null)
                return attempt.Renamed;
        }
    }

    /// <summary>
    /// Puts a streamer in service: reserves it for the oldest waiting player, or makes it idle when nobody waits.
    /// <paramref name="fromState"/> is the state the caller saw; nothing happens if it changed meanwhile.
    /// </summary>
    public Task<Match?> OfferStreamerAsync(string streamerId, string fromState) =>
        store.RunAsync(PsOperations.OfferStreamer.Instance, _keys, [streamerId, fromState, NowArg()]);

    /// <summary>
    /// The subscribe of Epic's protocol: an idle streamer (the requested one first, else the longest idle), else the
    /// waiting queue. A previous subscription of the player is released first (returned, to be told).
    /// </summary>
    public Task<SubscribeResult> SubscribeAsync(string playerId, string connectionId, string? requestedStreamerId) =>
        store.RunAsync(
            PsOperations.Subscribe.Instance,
            _keys,
            [playerId, connectionId, requestedStreamerId ?? "", NowArg()]
        );

    /// <summary>
    /// After <c>playerConnected</c> was sent: records that the streamer knows of the player, if the player still holds
    /// it. Otherwise the player left (or moved on) in between and whoever released it found no record, so telling
    /// the streamer <c>playerDisconnected</c> is the caller's job, and so is handing the streamer on afterwards (done
    /// in the same step: <see cref="ToldOutcome.Next"/>). Matching and leaving may run on different nodes; this
    /// handshake is what keeps a streamer's messages in order: hello, goodbye, then the next player's hello. The
    /// release that ends the session reads the mark in the same step (<see cref="ReleasedStreamer.Told"/>) and it goes
    /// with the session (<see cref="PsFields.Told"/>); it names the streamer's connection, not its id, because a
    /// streamer may rename itself mid-session (endpointId), and one naming another connection counts for nothing.
    /// </summary>
    public Task<ToldOutcome> ConfirmToldAsync(Match match) =>
        store.RunAsync(
            PsOperations.ConfirmTold.Instance,
            _keys,
            [match.PlayerId, match.StreamerId, match.StreamerConnectionId, NowArg()]
        );

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
    /// set to RELEASED; a streamer told of the player and with no instance to restart it is handed to the next waiting
    /// player in the same step (<see cref="ReleasedStreamer.Next"/>). Only the connection that owns the player id can
    /// release it.
    /// </summary>
    public Task<PlayerRelease> ReleasePlayerAsync(string playerId, string connectionId, bool disconnecting) =>
        store.RunAsync(
            PsOperations.ReleasePlayerOperation.Instance,
            _keys,
            [playerId, connectionId, disconnecting ? "1" : "0", NowArg()]
        );

    /// <summary>
    /// A streamer left: its record goes. A player it had only been reserved for (no offer relayed yet: a
    /// streamer that restarts itself right after its previous player left) goes back to the head of the queue,
    /// so it keeps its turn; a player it was serving is back to not subscribed.
    /// </summary>
    public Task<OrphanedPlayer?> RemoveStreamerAsync(string streamerId, string connectionId) =>
        store.RunAsync(PsOperations.RemoveStreamer.Instance, _keys, [streamerId, connectionId]);

    /// <summary>
    /// A socket closed: its connection record is dropped, and a player's place is given up in the same step, as by
    /// <see cref="ReleasePlayerAsync"/>: a player's departure and its streamer's hand-over are one round trip.
    /// </summary>
    public Task<ClosedConnection> ConnectionClosedAsync(string connectionId) =>
        store.RunAsync(PsOperations.ConnectionClosed.Instance, _keys, [connectionId, NowArg()]);

    /// <summary>What <c>listStreamers</c> answers: the idle streamers, longest idle first.</summary>
    public async Task<IReadOnlyList<string>> IdleStreamersAsync()
    {
        var idle = await store.SortedSetRangeByScoreAsync(keys.Idle);
        var ids = new string[idle.Count];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = idle[i].Member;
        return ids;
    }

    private string NowArg() =>
        time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
