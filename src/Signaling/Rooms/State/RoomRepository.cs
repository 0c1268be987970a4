using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Media;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.State;

namespace MobZ.Signaling.Rooms.State;

/// <summary>
/// Room membership in the store. Joining and leaving a room's slots are named atomic operations
/// (<see cref="RoomOperations"/>), one server-side step each; the other multi-key changes are conditional commits
/// whose conditions guard exactly what was read before them, re-read and retried when one fails, so concurrent
/// Lambdas never see half a change.
/// </summary>
public sealed class RoomRepository(IStateStore store, IOptions<RoomOptions> options, TimeProvider time)
{
    private const int MaxAttempts = 16;

    private RoomOptions Options => options.Value;

    public async Task<ConnectionMembership?> GetMembershipAsync(string connectionId)
    {
        var fields = await store.HashGetAllAsync(RoomKeys.Connection(connectionId)).ConfigureAwait(false);
        if (
            !fields.TryGetValue(RoomKeys.RoomField, out var roomId)
            || !fields.TryGetValue(RoomKeys.RoleField, out var role)
        )
        {
            return null;
        }

        var room = await store.HashGetAllAsync(RoomKeys.Room(roomId)).ConfigureAwait(false);
        if (!room.TryGetValue(RoomKeys.KindField, out var kindText) || !RoomKinds.TryParse(kindText, out var kind))
            return null;
        var grants =
            fields.TryGetValue(RoomKeys.GrantsField, out var g)
            && int.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out var flags)
                ? (AccessGrant)flags
                : AccessGrant.None;
        return new ConnectionMembership(
            connectionId,
            roomId,
            kind,
            role,
            room.GetValueOrDefault(RoomKeys.OwnerField) ?? "",
            grants
        );
    }

    /// <summary>Records what the connection's token granted; read by Join, removed with the connection.</summary>
    public Task SaveAccessAsync(string connectionId, ConnectionAccess access) =>
        store.SetStringAsync(
            RoomKeys.Access(connectionId),
            JsonSerializer.Serialize(access, RoomsJsonContext.Default.ConnectionAccess)
        );

    public async Task<ConnectionAccess?> GetAccessAsync(string connectionId) =>
        await store.GetStringAsync(RoomKeys.Access(connectionId)).ConfigureAwait(false) is { } json
            ? JsonSerializer.Deserialize(json, RoomsJsonContext.Default.ConnectionAccess)
            : null;

    /// <summary>Whether the connection's access record exists: every connection that passed $connect has one until it
    /// is gone, so an open connection without one means the store lost its data.</summary>
    public Task<bool> HasAccessAsync(string connectionId) => store.ExistsAsync(RoomKeys.Access(connectionId));

    public Task DeleteAccessAsync(string connectionId) => store.DeleteAsync(RoomKeys.Access(connectionId));

    public async Task<IReadOnlyList<Participant>> GetParticipantsAsync(string roomId, string role)
    {
        var all = await store.HashGetAllAsync(RoomKeys.Participants(roomId, role)).ConfigureAwait(false);
        var list = new List<Participant>(all.Count);
        foreach (var (id, json) in all)
            list.Add(new Participant(id, Parse(json)));
        SortByJoin(list);
        return list;
    }

    /// <summary>Earliest-joined first, ties by connection id.</summary>
    internal static void SortByJoin(List<Participant> list) =>
        list.Sort(
            static (a, b) =>
                a.Entry.JoinedAt != b.Entry.JoinedAt
                    ? a.Entry.JoinedAt.CompareTo(b.Entry.JoinedAt)
                    : string.CompareOrdinal(a.ConnectionId, b.ConnectionId)
        );

    /// <summary>The room's publishers (earliest-joined first) with the owner and the list version that describe them,
    /// read in one step (<see cref="RoomOperations.Publishers"/>); null when there is no such room.</summary>
    public Task<PublisherList?> GetPublisherListAsync(string roomId) =>
        store.RunAsync(RoomOperations.Publishers.Instance, RoomOperations.Keys(roomId), []);

    public async Task<IReadOnlyCollection<string>> GetParticipantIdsAsync(string roomId, string role) =>
        [.. (await store.HashGetAllAsync(RoomKeys.Participants(roomId, role)).ConfigureAwait(false)).Keys];

    public async Task<ParticipantEntry?> GetParticipantAsync(string roomId, string role, string connectionId)
    {
        var json = await store.HashGetAsync(RoomKeys.Participants(roomId, role), connectionId).ConfigureAwait(false);
        return json is null ? null : Parse(json);
    }

    /// <summary>The room's kind and owner ("" while nobody in it may own it); null when there is no such
    /// room.</summary>
    public async Task<(RoomKind Kind, string OwnerId)?> GetRoomAsync(string roomId)
    {
        var room = await store.HashGetAllAsync(RoomKeys.Room(roomId)).ConfigureAwait(false);
        if (!RoomKinds.TryParse(room.GetValueOrDefault(RoomKeys.KindField), out var kind))
            return null;
        return (kind, room.GetValueOrDefault(RoomKeys.OwnerField) ?? "");
    }

    public int MaxPublishers(RoomKind kind) =>
        kind switch
        {
            RoomKind.P2p => 2,
            RoomKind.M2m => Options.MaxM2mPublishers,
            _ => 1,
        };

    public int MaxViewers(RoomKind kind) =>
        kind switch
        {
            RoomKind.P2p => 0,
            RoomKind.M2m => Options.MaxM2mViewers,
            _ => Options.MaxP2mViewers,
        };

    /// <summary>
    /// Adds a connection to a room (creating the room when it is the first; the first joiner holding the admin
    /// grant becomes owner — or simply the first joiner when <see cref="RoomOptions.FirstJoinerIsOwner"/> is set),
    /// taking a publisher or viewer slot, and for a station publisher placing its station on
    /// <paramref name="pickMunit"/>'s Munit. A connection joins the heartbeat set the sweep reads unless
    /// <paramref name="heartbeats"/> is false (a WHIP session: no socket, its media is its liveness).
    /// </summary>
    /// <remarks>
    /// Three steps, none retried because of other joiners: the connection claims its one room (its own key), the
    /// station is placed (Munit keys), and the slot is taken by <see cref="RoomOperations.Join"/>, one server-side
    /// step on the room's keys that checks the kind, the limit and the owner as it takes the slot. A refusal undoes
    /// the claim and the station; a leave of this connection that ran before the slot existed is undone here.
    /// </remarks>
    public async Task<JoinOutcome> JoinAsync(
        string connectionId,
        string roomId,
        RoomKind kind,
        string role,
        ParticipantEntry entry,
        AccessGrant grants,
        bool heartbeats = true
    )
    {
        entry = entry with { Admin = (grants & AccessGrant.Admin) != 0 };
        string kindText = kind.ToText();
        string connKey = RoomKeys.Connection(connectionId);
        int max = role == ParticipantTypes.Publisher ? MaxPublishers(kind) : MaxViewers(kind);
        if (await store.HashGetAsync(connKey, RoomKeys.RoomField).ConfigureAwait(false) is { } inRoom)
            throw AlreadyInRoom(inRoom);
        if (max == 0)
            throw new SignalException(ErrorCodes.InvalidField, $"A {kindText} room has no {role}s");

        // Read first so that a join bound to be refused places no station; the operation checks both again.
        var existingKind = await store.HashGetAsync(RoomKeys.Room(roomId), RoomKeys.KindField).ConfigureAwait(false);
        if (existingKind is not null && existingKind != kindText)
            throw KindMismatch(roomId, existingKind);
        if (await store.HashLengthAsync(RoomKeys.Participants(roomId, role)).ConfigureAwait(false) >= max)
            throw RoomFull(roomId, role, max);

        var stored = entry with { JoinedAt = time.GetUtcNow().ToUnixTimeMilliseconds() };
        // The claim is one HSETNX, not a transaction: nothing else has to change with it, and the commands that
        // describe the connection go out together after it.
        if (!await store.HashSetAsync(connKey, RoomKeys.RoomField, roomId, When.NotExists).ConfigureAwait(false))
            throw AlreadyInRoom(await store.HashGetAsync(connKey, RoomKeys.RoomField).ConfigureAwait(false));
        var described = store.HashSetAsync(
            connKey,
            [
                new(RoomKeys.RoleField, role),
                new(RoomKeys.GrantsField, ((int)grants).ToString(CultureInfo.InvariantCulture)),
            ]
        );
        if (heartbeats)
        {
            await Task.WhenAll(
                    described,
                    store.SortedSetAddAsync(RoomKeys.Heartbeats(connectionId), connectionId, stored.JoinedAt)
                )
                .ConfigureAwait(false);
        }
        else
        {
            await described.ConfigureAwait(false);
        }

        JoinReply joined;
        try
        {
            if (role == ParticipantTypes.Publisher && kind.UsesStations())
            {
                var (stationId, munitId) = await PlaceStationAsync(roomId, connectionId, kind).ConfigureAwait(false);
                stored = stored with { StationId = stationId, MunitId = munitId };
            }

            joined = await store
                .RunAsync(
                    RoomOperations.Join.Instance,
                    RoomOperations.Keys(roomId),
                    [
                        connectionId,
                        kindText,
                        role,
                        max.ToString(CultureInfo.InvariantCulture),
                        Serialize(stored),
                        stored.Admin ? "1" : "0",
                        FirstJoinerIsOwnerArg,
                    ]
                )
                .ConfigureAwait(false);
            if (joined.Result == JoinResult.KindMismatch)
                throw KindMismatch(roomId, joined.ExistingKind);
            if (joined.Result == JoinResult.Full)
                throw RoomFull(roomId, role, max);
        }
        catch
        {
            await UndoClaimAsync(connectionId, roomId, stored.StationId).ConfigureAwait(false);
            throw;
        }

        // A leave of this connection (its socket closed mid-join) that came before the slot found none to remove.
        var conn = await store.HashGetAllAsync(connKey).ConfigureAwait(false);
        if (conn.GetValueOrDefault(RoomKeys.RoomField) != roomId || conn.ContainsKey(RoomKeys.LeavingField))
        {
            await store
                .RunAsync(
                    RoomOperations.Leave.Instance,
                    RoomOperations.Keys(roomId),
                    [connectionId, FirstJoinerIsOwnerArg]
                )
                .ConfigureAwait(false);
            if (stored.StationId is { } placed)
                await RemoveStationAsync(placed).ConfigureAwait(false);
            // That leave may have finished before this join described the connection and stamped its heartbeat.
            if (!conn.ContainsKey(RoomKeys.RoomField))
                await ClearUnclaimedAsync(connectionId).ConfigureAwait(false);

            throw new SignalException(ErrorCodes.NotInRoom, "This connection left while it was joining");
        }

        return new JoinOutcome(stored, joined.OwnerId);
    }

    /// <summary><see cref="RoomOptions.FirstJoinerIsOwner"/> as the join and leave scripts take it: the first joiner
    /// owns a new room, and anyone (not only admins) may inherit ownership.</summary>
    private string FirstJoinerIsOwnerArg => Options.FirstJoinerIsOwner ? "1" : "0";

    /// <summary>Removes the records of a connection that claims no room (its description, watched stations and
    /// heartbeat), unless a join claims it meanwhile; false then.</summary>
    private Task<bool> ClearUnclaimedAsync(string connectionId)
    {
        string connKey = RoomKeys.Connection(connectionId);
        return store
            .CreateTransaction()
            .When(new StateCondition.HashNotExists(connKey, RoomKeys.RoomField))
            .Delete(connKey)
            .Delete(RoomKeys.Watching(connectionId))
            .SortedSetRemove(RoomKeys.Heartbeats(connectionId), connectionId)
            .ExecuteAsync();
    }

    private static SignalException AlreadyInRoom(string? roomId) =>
        new(ErrorCodes.AlreadyInRoom, $"This connection is already in room {roomId}; Leave first");

    private static SignalException KindMismatch(string roomId, string? kind) =>
        new(ErrorCodes.RoomKindMismatch, $"Room {roomId} is a {kind} room");

    private static SignalException RoomFull(string roomId, string role, int max) =>
        new(ErrorCodes.RoomFull, $"Room {roomId} has no free {role} slot (limit {max})");

    /// <summary>A refused join gives back the connection's claim (and heartbeat) and the station it placed.</summary>
    private async Task UndoClaimAsync(string connectionId, string roomId, string? stationId)
    {
        string connKey = RoomKeys.Connection(connectionId);
        await store
            .CreateTransaction()
            .When(new StateCondition.HashEqual(connKey, RoomKeys.RoomField, roomId))
            .Delete(connKey)
            .SortedSetRemove(RoomKeys.Heartbeats(connectionId), connectionId)
            .ExecuteAsync()
            .ConfigureAwait(false);
        if (stationId is not null)
            await RemoveStationAsync(stationId).ConfigureAwait(false);
    }

    /// <summary>Places a new station on the least-loaded live Munit (<see cref="StationOperations.Place"/>: one step,
    /// never retried because of another placement).</summary>
    private async Task<(string StationId, string MunitId)> PlaceStationAsync(
        string roomId,
        string connectionId,
        RoomKind kind
    )
    {
        string stationId = NewStationId();
        var munitId = await store
            .RunAsync(
                StationOperations.Place.Instance,
                StationOperations.Keys(stationId),
                [
                    stationId,
                    roomId,
                    connectionId,
                    kind.ToText(),
                    kind == RoomKind.P2m ? "true" : "false",
                    Options.PlacementStationWeight.ToString("R", CultureInfo.InvariantCulture),
                ]
            )
            .ConfigureAwait(false);
        return munitId is null
            ? throw new SignalException(ErrorCodes.NoMunitAvailable, "No media server is available")
            : (stationId, munitId);
    }

    /// <summary>Removes a station wherever it is now (a Regulator may have moved it off a dead Munit: the station
    /// hash is the truth) and returns that Munit.</summary>
    private Task<string?> RemoveStationAsync(string stationId) =>
        store.RunAsync(StationOperations.Remove.Instance, StationOperations.Keys(stationId), [stationId]);

    /// <summary>
    /// Removes a connection from its room with everything it owned (slot, station, pending request,
    /// heartbeat). The owner's leave hands ownership to the earliest-joined admin publisher (else admin viewer; with
    /// <see cref="RoomOptions.FirstJoinerIsOwner"/>, anyone), leaving the room ownerless when there is none, and the
    /// last one out deletes the room (<see cref="RoomOperations.Leave"/>, one server-side step on the room's keys).
    /// Idempotent: null when the connection held no slot in a room, so of two concurrent leaves one reports it.
    /// </summary>
    public async Task<LeaveOutcome?> LeaveAsync(string connectionId)
    {
        string connKey = RoomKeys.Connection(connectionId);
        string? roomId = null;
        for (int attempt = 0; attempt < MaxAttempts && roomId is null; attempt++)
        {
            roomId = await store.HashGetAsync(connKey, RoomKeys.RoomField).ConfigureAwait(false);
            if (roomId is null)
            {
                // Only while no join claimed the connection in between: that join's records must not be cut away
                // under it (its slot would stay with nobody pointing at it); the next round leaves it instead.
                bool cleaned = await ClearUnclaimedAsync(connectionId).ConfigureAwait(false);
                if (cleaned)
                    return null;
                continue;
            }

            // Marked before the slot goes, so a join of this connection still under way undoes the slot it takes.
            bool marked = await store
                .CreateTransaction()
                .When(new StateCondition.HashEqual(connKey, RoomKeys.RoomField, roomId))
                .HashSet(connKey, RoomKeys.LeavingField, "1")
                .ExecuteAsync()
                .ConfigureAwait(false);
            if (!marked)
                roomId = null;
        }

        if (roomId is null)
            throw new SignalException(ErrorCodes.Busy, "The connection is changing too fast; try again");

        var watching = await store.SetMembersAsync(RoomKeys.Watching(connectionId)).ConfigureAwait(false);
        var left = await store
            .RunAsync(RoomOperations.Leave.Instance, RoomOperations.Keys(roomId), [connectionId, FirstJoinerIsOwnerArg])
            .ConfigureAwait(false);
        string? stationMunit = null;
        if (left.Entry?.StationId is { } stationId)
            stationMunit = await RemoveStationAsync(stationId).ConfigureAwait(false);
        // Last, so that a leave cut short is finished by the sweep, which finds the connection by its heartbeat.
        await store
            .CreateTransaction()
            .When(new StateCondition.HashEqual(connKey, RoomKeys.RoomField, roomId))
            .Delete(connKey)
            .Delete(RoomKeys.Watching(connectionId))
            .SortedSetRemove(RoomKeys.Heartbeats(connectionId), connectionId)
            .ExecuteAsync()
            .ConfigureAwait(false);
        if (!left.Left)
            return null;
        RoomKinds.TryParse(left.Kind, out var kind);
        return new LeaveOutcome(
            roomId,
            kind,
            left.Role!,
            left.Entry,
            left.PreviousOwner,
            left.NewOwner,
            left.RoomDeleted,
            watching
        )
        {
            StationMunitId = stationMunit,
        };
    }

    /// <summary>Records a viewer's PublishRequest so the owner's answer can be checked against it. Only a viewer of
    /// the room may ask: its slot in the room's viewers is the condition, on the room's keys like the
    /// request.</summary>
    public Task<bool> AddPublishRequestAsync(string roomId, string connectionId, string requestId) =>
        store
            .CreateTransaction()
            .When(new StateCondition.HashExists(RoomKeys.Viewers(roomId), connectionId))
            .HashSet(RoomKeys.PublishRequests(roomId), connectionId, requestId)
            .ExecuteAsync();

    public Task<string?> GetPublishRequestAsync(string roomId, string connectionId) =>
        store.HashGetAsync(RoomKeys.PublishRequests(roomId), connectionId);

    public Task<bool> RemovePublishRequestAsync(string roomId, string connectionId) =>
        store.HashDeleteAsync(RoomKeys.PublishRequests(roomId), connectionId);

    /// <summary>Turns a viewer with a pending PublishRequest into a publisher: its station is placed first, then the
    /// slot changes in one commit; a promotion that fails gives the station back.</summary>
    public async Task<ParticipantEntry> PromoteAsync(string roomId, RoomKind kind, string connectionId)
    {
        string connKey = RoomKeys.Connection(connectionId);
        string publishersKey = RoomKeys.Publishers(roomId);
        string viewersKey = RoomKeys.Viewers(roomId);
        string requestsKey = RoomKeys.PublishRequests(roomId);
        int max = MaxPublishers(kind);
        (string Id, string MunitId)? station = null;
        try
        {
            for (int attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var request = await store.HashGetAsync(requestsKey, connectionId).ConfigureAwait(false)
                    ?? throw new SignalException(
                        ErrorCodes.NoPendingRequest,
                        $"{connectionId} has no pending PublishRequest"
                    );
                var json = await store.HashGetAsync(viewersKey, connectionId).ConfigureAwait(false)
                    ?? throw new SignalException(
                        ErrorCodes.ParticipantNotFound,
                        $"{connectionId} is not a viewer in this room"
                    );
                if (await store.HashLengthAsync(publishersKey).ConfigureAwait(false) >= max)
                {
                    throw new SignalException(
                        ErrorCodes.RoomFull,
                        $"Room {roomId} has no free publisher slot (limit {max})"
                    );
                }

                var entry = Parse(json);
                // Placed once, before the first commit: a commit lost to another change of the room keeps it.
                if (kind.UsesStations())
                {
                    station ??= await PlaceStationAsync(roomId, connectionId, kind).ConfigureAwait(false);
                    entry = entry with { StationId = station.Value.Id, MunitId = station.Value.MunitId };
                }
                var version = await store
                    .HashGetAsync(RoomKeys.Room(roomId), RoomKeys.VersionField)
                    .ConfigureAwait(false);
                var tx = store
                    .CreateTransaction()
                    .When(new StateCondition.HashEqual(requestsKey, connectionId, request))
                    .When(new StateCondition.HashEqual(viewersKey, connectionId, json))
                    .When(new StateCondition.HashLengthLessThan(publishersKey, max))
                    .HashDelete(requestsKey, connectionId)
                    .HashDelete(viewersKey, connectionId)
                    .HashSet(publishersKey, connectionId, Serialize(entry));
                BumpVersion(tx, roomId, version);
                if (await tx.ExecuteAsync().ConfigureAwait(false))
                {
                    station = null; // the room now holds it
                    // The connection's own record follows the room (its keys are in another slot on a cluster);
                    // the promoted viewer hears of it only after this.
                    await store
                        .CreateTransaction()
                        .When(new StateCondition.HashEqual(connKey, RoomKeys.RoomField, roomId))
                        .HashSet(connKey, RoomKeys.RoleField, ParticipantTypes.Publisher)
                        .ExecuteAsync()
                        .ConfigureAwait(false);
                    return entry;
                }
            }
            throw new SignalException(ErrorCodes.Busy, $"Room {roomId} is changing too fast; try again");
        }
        finally
        {
            if (station is { } orphan)
                await RemoveStationAsync(orphan.Id).ConfigureAwait(false);
        }
    }

    /// <summary>Compare-and-set of a participant's audio/video flags.</summary>
    public Task<ParticipantEntry> UpdateMediaAsync(
        string roomId,
        string role,
        string connectionId,
        bool? audio,
        bool? video
    ) =>
        UpdateEntryAsync(roomId, role, connectionId, e =>
            e with
            {
                Audio = audio ?? e.Audio,
                Video = video ?? e.Video,
            }
        );

    /// <summary>Marks a publisher live (its Munit answered its offer) or not (its station moved and waits for a new
    /// offer). Returns whether this call changed it.</summary>
    public async Task<bool> MarkLiveAsync(string roomId, string connectionId, bool live = true)
    {
        bool changed = false;
        await UpdateEntryAsync(roomId, ParticipantTypes.Publisher, connectionId, e =>
            {
                changed = e.Live != live;
                return e with { Live = live };
            })
            .ConfigureAwait(false);
        return changed;
    }

    /// <summary>Compare-and-set of one participant's entry; an unchanged entry is not written.</summary>
    private async Task<ParticipantEntry> UpdateEntryAsync(
        string roomId,
        string role,
        string connectionId,
        Func<ParticipantEntry, ParticipantEntry> change
    )
    {
        string key = RoomKeys.Participants(roomId, role);
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var json = await store.HashGetAsync(key, connectionId).ConfigureAwait(false)
                ?? throw new SignalException(ErrorCodes.NotInRoom, "You are not in this room");
            var entry = Parse(json);
            var updated = change(entry);
            if (updated == entry)
                return entry;
            var tx = store
                .CreateTransaction()
                .When(new StateCondition.HashEqual(key, connectionId, json))
                .HashSet(key, connectionId, Serialize(updated));
            // A publisher's entry is part of the publisher list members are told (its flags, whether it is live).
            if (role == ParticipantTypes.Publisher)
            {
                var version = await store
                    .HashGetAsync(RoomKeys.Room(roomId), RoomKeys.VersionField)
                    .ConfigureAwait(false);
                BumpVersion(tx, roomId, version);
            }

            if (await tx.ExecuteAsync().ConfigureAwait(false))
                return updated;
        }
        throw new SignalException(ErrorCodes.Busy, "Too many concurrent updates; try again");
    }

    /// <summary>
    /// Queues the list-version bump of a change to the publisher list that commits as a transaction: the version read
    /// before is a condition, so a concurrent change makes this commit retry with the new one. The caller's other
    /// conditions keep a member's slot, so the room hash this writes exists.
    /// </summary>
    private static void BumpVersion(IStateTransaction tx, string roomId, string? version)
    {
        long next = (version is null ? 0 : long.Parse(version, CultureInfo.InvariantCulture)) + 1;
        tx.When(new StateCondition.HashEqual(RoomKeys.Room(roomId), RoomKeys.VersionField, version))
            .HashSet(RoomKeys.Room(roomId), RoomKeys.VersionField, next.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Claims telling the clients of one station move (true for exactly one caller while the claim
    /// lives).</summary>
    public Task<bool> ClaimMoveAnnouncementAsync(string stationId, string toMunitId, TimeSpan ttl) =>
        store.SetStringAsync(MunitKeys.MoveAnnounced(stationId, toMunitId), "1", ttl, When.NotExists);

    /// <summary>Claims telling the room about one lost publisher peer (true for exactly one caller while the claim
    /// lives).</summary>
    public Task<bool> ClaimPeerLostAnnouncementAsync(string eventId, TimeSpan ttl) =>
        store.SetStringAsync(RoomKeys.PeerLostAnnounced(eventId), "1", ttl, When.NotExists);

    /// <summary>Claims broadcasting PeerGone for a connection the store lost (true at most once per <paramref
    /// name="ttl"/>).</summary>
    public Task<bool> ClaimPeerGoneAsync(string connectionId, TimeSpan ttl) =>
        store.SetStringAsync(RoomKeys.PeerGoneAnnounced(connectionId), "1", ttl, When.NotExists);

    public Task<bool> AddWatchingAsync(string connectionId, string stationId) =>
        store.SetAddAsync(RoomKeys.Watching(connectionId), stationId);

    public Task<IReadOnlyDictionary<string, string>> GetStationAsync(string stationId) =>
        store.HashGetAllAsync(MunitKeys.Station(stationId));

    public Task<bool> TouchHeartbeatAsync(string connectionId) =>
        store.SortedSetAddAsync(
            RoomKeys.Heartbeats(connectionId),
            connectionId,
            time.GetUtcNow().ToUnixTimeMilliseconds()
        );

    public async Task<DateTimeOffset?> GetHeartbeatAsync(string connectionId) =>
        await store.SortedSetScoreAsync(RoomKeys.Heartbeats(connectionId), connectionId).ConfigureAwait(false) is { } ms
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms)
            : null;

    /// <summary>The <paramref name="take"/> connections heard from longest ago, before <paramref name="olderThan"/>,
    /// over every heartbeat shard.</summary>
    public async Task<IReadOnlyList<ScoredMember>> GetStaleConnectionsAsync(DateTimeOffset olderThan, int take)
    {
        long before = olderThan.ToUnixTimeMilliseconds();
        var stale = await ReadEveryShardAsync(key =>
                store.SortedSetRangeByScoreAsync(key, double.NegativeInfinity, before, 0, take)
            )
            .ConfigureAwait(false);
        return [.. stale.OrderBy(m => m.Score).Take(take)];
    }

    /// <summary>Every connection in a heartbeat set (which is every connection that joined and has not left).</summary>
    public async Task<IReadOnlyList<ScoredMember>> GetHeartbeatsAsync()
    {
        var all = await ReadEveryShardAsync(key =>
                store.SortedSetRangeByScoreAsync(key, double.NegativeInfinity, double.PositiveInfinity)
            )
            .ConfigureAwait(false);
        return [.. all];
    }

    /// <summary>One read of every heartbeat shard, side by side, their members together.</summary>
    private static async Task<IEnumerable<ScoredMember>> ReadEveryShardAsync(
        Func<string, Task<IReadOnlyList<ScoredMember>>> read
    ) => (await Task.WhenAll(RoomKeys.AllHeartbeats.Select(read)).ConfigureAwait(false)).SelectMany(shard => shard);

    private static string NewStationId() => "st-" + Guid.NewGuid().ToString("N");

    internal static ParticipantEntry Parse(string json) =>
        JsonSerializer.Deserialize(json, RoomsJsonContext.Default.ParticipantEntry) ?? new ParticipantEntry();

    internal static string Serialize(ParticipantEntry entry) =>
        JsonSerializer.Serialize(entry, RoomsJsonContext.Default.ParticipantEntry);
}

public sealed record ConnectionMembership(
    string ConnectionId,
    string RoomId,
    RoomKind Kind,
    string Role,
    string OwnerId,
    AccessGrant Grants
)
{
    public bool Has(AccessGrant grant) => (Grants & grant) == grant;

    public bool IsOwner => OwnerId == ConnectionId;
    public bool IsPublisher => Role == ParticipantTypes.Publisher;
}

public sealed record JoinOutcome(ParticipantEntry Entry, string OwnerId);

/// <summary>A room's publishers (earliest-joined first) with the owner ("" when none) and the publisher-list version
/// (<see cref="RoomKeys.VersionField"/>) they were read at.</summary>
public sealed record PublisherList(long Version, string OwnerId, IReadOnlyList<Participant> Publishers);

public sealed record LeaveOutcome(
    string RoomId,
    RoomKind Kind,
    string Role,
    ParticipantEntry? Entry,
    string? PreviousOwner,
    string? NewOwner,
    bool RoomDeleted,
    IReadOnlyList<string> Watching
)
{
    /// <summary>The Munit the station was on when it was removed (it may have moved since the join).</summary>
    public string? StationMunitId { get; init; }
}
