using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Abstractions.Turn;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Media;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Rooms.Whip;

namespace MobZ.Signaling.Rooms.Actions;

/// <summary>
/// What each room signal does. Stateless between calls: everything it knows is read from the store, so
/// any Lambda instance can handle any message. One partial file per group of actions.
/// </summary>
public sealed partial class RoomSignals(
    RoomRepository rooms,
    MunitClient munits,
    RoomSender sender,
    TurnCredentials turn,
    PlaybackUrls playbackUrls,
    RoomsMetrics metrics,
    IOptions<RoomOptions> options,
    TimeProvider time,
    ILogger<RoomSignals> logger
)
{
    private RoomOptions Options => options.Value;

    private async Task<ConnectionMembership> RequireMembershipAsync(Invocation inv)
    {
        if (await rooms.GetMembershipAsync(inv.ConnectionId).ConfigureAwait(false) is { } me)
            return me;
        await ThrowIfStateLostAsync(inv).ConfigureAwait(false);
        throw new SignalException(ErrorCodes.NotInRoom, "Join a room first");
    }

    /// <summary>Refuses an action the connection's access token does not grant, naming the grant it needs.</summary>
    private static void RequireGrant(ConnectionMembership me, AccessGrant grant, string what)
    {
        if (!me.Has(grant))
        {
            throw new SignalException(
                ErrorCodes.Forbidden,
                $"{what} needs the \"{AccessGrants.Name(grant)}\" grant in your access token"
            );
        }
    }

    /// <summary>The grant publishing in a room of this kind needs: p2m publishers feed a public stream.</summary>
    private static AccessGrant PublishGrant(RoomKind kind) =>
        kind == RoomKind.P2m ? AccessGrant.P2mPublish : AccessGrant.Publish;

    private static string Require(string? value, string field) =>
        string.IsNullOrEmpty(value)
            ? throw new SignalException(ErrorCodes.MissingField, $"\"{field}\" is required")
            : value;

    private static string RequireId(string? value, string field)
    {
        Require(value, field);
        if (!RoomIds.IsValid(value))
        {
            throw new SignalException(
                ErrorCodes.InvalidField,
                $"\"{field}\" must be 1-{RoomIds.MaxLength} letters, digits, '-', '_' or '.'"
            );
        }

        return value!;
    }

    /// <summary>Connection ids of everyone in the room; the entries are not parsed (a 200-viewer fan-out needs only
    /// ids).</summary>
    private async Task<IReadOnlyList<string>> MembersAsync(string roomId)
    {
        var publishers = await rooms.GetParticipantIdsAsync(roomId, ParticipantTypes.Publisher).ConfigureAwait(false);
        var viewers = await rooms.GetParticipantIdsAsync(roomId, ParticipantTypes.Viewer).ConfigureAwait(false);
        var all = new List<string>(publishers.Count + viewers.Count);
        all.AddRange(publishers);
        all.AddRange(viewers);
        return all;
    }

    private static PublisherInfo ToInfo(Participant p) =>
        new(p.ConnectionId, p.Entry.UserId, p.Entry.Audio, p.Entry.Video)
        {
            StationId = p.Entry.StationId,
            Live = p.Entry.Live,
        };

    /// <summary>Tells everyone in the room the current publisher list and owner, with the version they were read
    /// at.</summary>
    private async Task AnnouncePublishersAsync(Invocation inv, string roomId, string reason, string? except = null)
    {
        if (await rooms.GetPublisherListAsync(roomId).ConfigureAwait(false) is not { } list)
            return; // The room was deleted meanwhile; nobody is left to tell.
        var notice = new PublishListChangeAckNotice(
            roomId,
            list.OwnerId,
            reason,
            list.Publishers.Select(ToInfo).ToList(),
            list.Version
        );
        await sender
            .BroadcastAsync(inv, await MembersAsync(roomId).ConfigureAwait(false), notice, except)
            .ConfigureAwait(false);
    }

    private async Task AssignAsync(string roomId, RoomKind kind, string publisherId, ParticipantEntry entry)
    {
        if (entry.StationId is null || entry.MunitId is null)
            return;
        logger.LogInformation(
            "Station {StationId} of {PublisherId} assigned to Munit {MunitId}",
            entry.StationId,
            publisherId,
            entry.MunitId
        );
        await munits
            .SendAsync(
                entry.MunitId,
                new AssignSignal(entry.StationId, roomId, publisherId, kind.ToText(), kind == RoomKind.P2m)
            )
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Removes a connection from its room and tells whoever must know: its Munit (Unassign), the stations
    /// it watched (leave), and the room (PublishListChangeAck when a publisher or the owner changed).
    /// Used by Leave, Kick, $disconnect, Gone sends and the heartbeat sweep alike.
    /// </summary>
    public async Task<LeaveOutcome?> RemoveAsync(Invocation inv, string connectionId, string reason)
    {
        var outcome = await rooms.LeaveAsync(connectionId).ConfigureAwait(false);
        if (outcome is null)
            return null;
        using var scope = logger.BeginScope(
            new Dictionary<string, object> { ["roomId"] = outcome.RoomId, ["removedConnectionId"] = connectionId }
        );
        logger.LogInformation(
            "{ConnectionId} removed from room {RoomId} ({Reason}); room deleted: {RoomDeleted}",
            connectionId,
            outcome.RoomId,
            reason,
            outcome.RoomDeleted
        );

        if (outcome.Entry?.StationId is { } stationId && outcome.StationMunitId is { } munitId)
            await munits.SendAsync(munitId, new UnassignSignal(stationId)).ConfigureAwait(false);
        // A WHIP session counts as ended once it was live (a POST that failed half-way was counted as refused).
        if (WhipSessions.IsSession(connectionId) && outcome.Entry is { Live: true })
            metrics.WhipEnded(reason);

        foreach (var watched in outcome.Watching)
        {
            var station = await rooms.GetStationAsync(watched).ConfigureAwait(false);
            if (station.TryGetValue(StationFields.Munit, out var watchedMunit))
                await munits.NotifyAsync(watchedMunit, MediaOps.Leave, watched, connectionId).ConfigureAwait(false);
        }

        bool publisherLeft = outcome.Role == ParticipantTypes.Publisher;
        bool ownerChanged = outcome.NewOwner != outcome.PreviousOwner;
        // An owner who leaves changes more than the list: "ownerChanged" tells everyone to look at ownerId.
        if (!outcome.RoomDeleted && (publisherLeft || ownerChanged))
        {
            await AnnouncePublishersAsync(inv, outcome.RoomId, ownerChanged ? ChangeReasons.OwnerChanged : reason)
                .ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>Cleans up every connection a send found gone (and those its cleanup finds, in turn).</summary>
    public async Task RemoveGoneAsync(Invocation inv)
    {
        // Bounded: each pass removes one connection from the store, so a room cannot loop forever.
        for (int i = 0; i < 10_000 && inv.TryTakeGone(out var gone); i++)
        {
            logger.LogInformation("{GoneConnectionId} answered Gone; removing it", gone);
            await RemoveAsync(inv, gone, ChangeReasons.Left).ConfigureAwait(false);
        }
    }

    private IDisposable? RoomScope(string roomId) =>
        logger.BeginScope(new Dictionary<string, object> { ["roomId"] = roomId });
}
