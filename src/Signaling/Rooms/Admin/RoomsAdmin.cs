using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Actions;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Media;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.State;

namespace MobZ.Signaling.Rooms.Admin;

/// <summary>One member of a room as the admin API lists it.</summary>
public sealed record RoomMemberView(
    string ConnectionId,
    string Role,
    string? UserId,
    bool Owner,
    bool Audio,
    bool Video,
    string? StationId,
    string? MunitId,
    bool Live
);

/// <summary>A room as the admin API lists it; <see cref="Version"/> is its publisher-list version, the one the members'
/// newest PublishListChangeAck should carry (docs/protocol.md), so a client stuck on an older list shows.</summary>
public sealed record RoomView(
    string RoomId,
    string Kind,
    string? OwnerId,
    IReadOnlyList<RoomMemberView> Members,
    long Version
);

/// <summary>A registered Munit: its registration hash, whether its heartbeat key is still alive, its
/// stations.</summary>
public sealed record MunitView(
    string MunitId,
    string? Address,
    int Port,
    int Capacity,
    double Load,
    bool Draining,
    int Stations,
    int Subscribers,
    bool Alive,
    IReadOnlyList<string> StationIds
);

/// <summary>
/// What an operator does to rooms and Munits (docs/operations.md): list rooms with their members and stations,
/// list Munits, close a room, kick a member, and order a Munit to drain, revive or stop. Everything reads the
/// store, so any signaling node (or the Lambda http function) serves it. Members who are removed are told
/// with the same Kicked notice an owner's Kick sends (by "admin"), then disconnected.
/// </summary>
public sealed class RoomsAdmin(
    IStateStore store,
    RoomRepository rooms,
    RoomSignals signals,
    RoomSender sender,
    MunitClient munits,
    ILogger<RoomsAdmin> logger
)
{
    /// <summary>Who removed a member, as the Kicked notice names it.</summary>
    public const string AdminActor = "admin";

    /// <summary>Rooms with at least one connection (a room exists only while someone is in it), sorted by id.</summary>
    public async Task<IReadOnlyList<RoomView>> ListRoomsAsync(CancellationToken ct = default)
    {
        // Every connection that ever spoke is in the heartbeat set; its connection hash names its room.
        var connections = await rooms.GetHeartbeatsAsync().ConfigureAwait(false);
        var roomIds = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var connection in connections)
        {
            ct.ThrowIfCancellationRequested();
            if (
                await store
                    .HashGetAsync(RoomKeys.Connection(connection.Member), RoomKeys.RoomField)
                    .ConfigureAwait(false) is
                { } roomId
            )
            {
                roomIds.Add(roomId);
            }
        }
        var list = new List<RoomView>(roomIds.Count);
        foreach (var roomId in roomIds)
        {
            if (await GetRoomAsync(roomId).ConfigureAwait(false) is { } room)
                list.Add(room);
        }

        return list;
    }

    public async Task<RoomView?> GetRoomAsync(string roomId)
    {
        var room = await store.HashGetAllAsync(RoomKeys.Room(roomId)).ConfigureAwait(false);
        if (!room.TryGetValue(RoomKeys.KindField, out var kind))
            return null;
        var owner = room.GetValueOrDefault(RoomKeys.OwnerField);
        var members = new List<RoomMemberView>();
        foreach (var role in new[] { ParticipantTypes.Publisher, ParticipantTypes.Viewer })
        {
            foreach (var p in await rooms.GetParticipantsAsync(roomId, role).ConfigureAwait(false))
            {
                // The station may have moved since the join: its hash names the Munit that runs it now.
                string? munitId = p.Entry.MunitId;
                if (
                    p.Entry.StationId is { } stationId
                    && (await rooms.GetStationAsync(stationId).ConfigureAwait(false)).TryGetValue(
                        StationFields.Munit,
                        out var now
                    )
                )
                {
                    munitId = now;
                }

                members.Add(
                    new RoomMemberView(
                        p.ConnectionId,
                        role,
                        p.Entry.UserId,
                        p.ConnectionId == owner,
                        p.Entry.Audio,
                        p.Entry.Video,
                        p.Entry.StationId,
                        munitId,
                        p.Entry.Live
                    )
                );
            }
        }
        long version = long.TryParse(
            room.GetValueOrDefault(RoomKeys.VersionField),
            System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture,
            out var v
        )
            ? v
            : 0;
        return new RoomView(roomId, kind, owner, members, version);
    }

    /// <summary>Removes one member as an owner's Kick does: told, removed (the room hears of it),
    /// disconnected.</summary>
    /// <returns>false when that connection is not in that room.</returns>
    public async Task<bool> KickAsync(string roomId, string connectionId, CancellationToken ct = default)
    {
        var membership = await rooms.GetMembershipAsync(connectionId).ConfigureAwait(false);
        if (membership is null || membership.RoomId != roomId)
            return false;
        logger.LogInformation("Admin kicks {ConnectionId} from room {RoomId}", connectionId, roomId);
        await RemoveAsync(roomId, connectionId, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Removes everyone (viewers first, so publishers' leaving is not announced to people about to
    /// go).</summary>
    /// <returns>the number of members removed, or null when there is no such room.</returns>
    public async Task<int?> CloseRoomAsync(string roomId, CancellationToken ct = default)
    {
        var room = await GetRoomAsync(roomId).ConfigureAwait(false);
        if (room is null)
            return null;
        logger.LogInformation("Admin closes room {RoomId} ({Members} members)", roomId, room.Members.Count);
        var inv = new Invocation(AdminActor, null, ct);
        int removed = await signals.CloseAsync(inv, roomId, AdminActor).ConfigureAwait(false);
        await signals.RemoveGoneAsync(inv).ConfigureAwait(false);
        return removed;
    }

    private async Task RemoveAsync(string roomId, string connectionId, CancellationToken ct)
    {
        var inv = new Invocation(connectionId, null, ct);
        await sender.SendAsync(inv, connectionId, new KickedNotice(roomId, AdminActor)).ConfigureAwait(false);
        await signals.RemoveAsync(inv, connectionId, ChangeReasons.Kicked).ConfigureAwait(false);
        await sender.DisconnectAsync(inv, connectionId).ConfigureAwait(false);
        await signals.RemoveGoneAsync(inv).ConfigureAwait(false);
    }

    /// <summary>Registered Munits, least loaded first (the order placement uses).</summary>
    public async Task<IReadOnlyList<MunitView>> ListMunitsAsync()
    {
        var ids = await store
            .SortedSetRangeByScoreAsync(MunitKeys.Registry, double.NegativeInfinity, double.PositiveInfinity)
            .ConfigureAwait(false);
        var list = new List<MunitView>(ids.Count);
        foreach (var id in ids)
        {
            if (await GetMunitAsync(id.Member).ConfigureAwait(false) is { } munit)
                list.Add(munit);
        }

        return list;
    }

    public async Task<MunitView?> GetMunitAsync(string munitId)
    {
        var info = await store.HashGetAllAsync(MunitKeys.Info(munitId)).ConfigureAwait(false);
        if (info.Count == 0)
            return null;
        var stations = await store.SetMembersAsync(MunitKeys.Stations(munitId)).ConfigureAwait(false);
        bool alive = await store.ExistsAsync(MunitKeys.Alive(munitId)).ConfigureAwait(false);
        return new MunitView(
            munitId,
            info.GetValueOrDefault(MunitInfoFields.Address),
            Int(info, MunitInfoFields.Port),
            Int(info, MunitInfoFields.Capacity),
            double.TryParse(
                info.GetValueOrDefault(MunitInfoFields.Load),
                System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture,
                out var load
            )
                ? load
                : 0,
            info.GetValueOrDefault(MunitInfoFields.Draining) == "true",
            Int(info, MunitInfoFields.Stations),
            Int(info, MunitInfoFields.Subscribers),
            alive,
            [.. stations.Order(StringComparer.Ordinal)]
        );
    }

    /// <summary>Publishes a Drain, Revive or Stop order on the Munit's channel, as the Regulator takes them.</summary>
    /// <returns>false when no such Munit is registered.</returns>
    public async Task<bool> OrderAsync(string munitId, MunitSignal order)
    {
        if (order is not (DrainSignal or ReviveSignal or StopSignal))
            throw new ArgumentException("only drain, revive and stop are admin orders", nameof(order));
        if (!await store.ExistsAsync(MunitKeys.Info(munitId)).ConfigureAwait(false))
            return false;
        logger.LogInformation("Admin orders {Order} to Munit {MunitId}", order.GetType().Name, munitId);
        await munits.SendAsync(munitId, order).ConfigureAwait(false);
        return true;
    }

    private static int Int(IReadOnlyDictionary<string, string> fields, string name) =>
        int.TryParse(
            fields.GetValueOrDefault(name),
            System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture,
            out var v
        )
            ? v
            : 0;
}
