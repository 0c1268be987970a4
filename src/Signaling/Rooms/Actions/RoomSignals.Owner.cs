using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    public const int MaxReasonLength = 256;

    /// <summary>Kick (admin grant, m2m or p2m room): the target is told, removed as if it had left, and its
    /// socket is closed, so a kicked client cannot keep listening on the room's connection.</summary>
    public async Task KickAsync(Invocation inv, KickMessage msg)
    {
        string target = Require(msg.ParticipantId, "participantId");
        var me = await RequireModeratorAsync(inv, "Kicking").ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        if (me.Kind == RoomKind.P2p)
            throw new SignalException(ErrorCodes.NotSupported, "A p2p call has no owner to kick anyone; Leave ends it");
        if (target == inv.ConnectionId)
            throw new SignalException(ErrorCodes.InvalidField, "You cannot kick yourself; use Leave");
        await RequireInMyRoomAsync(me, target).ConfigureAwait(false);

        logger.LogInformation("Admin {ConnectionId} kicks {TargetConnectionId}", inv.ConnectionId, target);
        await sender.SendAsync(inv, target, new KickedNotice(me.RoomId, inv.ConnectionId)).ConfigureAwait(false);
        await RemoveAsync(inv, target, ChangeReasons.Kicked).ConfigureAwait(false);
        await sender.DisconnectAsync(inv, target).ConfigureAwait(false);
        await sender
            .SendAsync(inv, inv.ConnectionId, new KickAckReply(target) { RequestId = msg.RequestId })
            .ConfigureAwait(false);
    }

    /// <summary>PublishRequest: a viewer whose token may publish asks the owner (an admin) for a publisher
    /// slot.</summary>
    public async Task PublishRequestAsync(Invocation inv, PublishRequestMessage msg)
    {
        var me = await RequireMembershipAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        if (me.Kind == RoomKind.P2p)
            throw new SignalException(ErrorCodes.NotSupported, "Both p2p peers publish already");
        if (me.IsPublisher)
            throw new SignalException(ErrorCodes.AlreadyPublisher, "You are publishing already");
        RequireGrant(me, PublishGrant(me.Kind), "Publishing");
        if (me.OwnerId.Length == 0)
        {
            throw new SignalException(
                ErrorCodes.NoAdmin,
                "Nobody in the room may accept publishers (no one with the admin grant has joined)"
            );
        }

        int max = rooms.MaxPublishers(me.Kind);
        if (
            (await rooms.GetParticipantsAsync(me.RoomId, ParticipantTypes.Publisher).ConfigureAwait(false)).Count >= max
        )
        {
            throw new SignalException(
                ErrorCodes.RoomFull,
                $"Room {me.RoomId} has no free publisher slot (limit {max})"
            );
        }

        if (!await rooms.AddPublishRequestAsync(me.RoomId, inv.ConnectionId, msg.RequestId ?? "").ConfigureAwait(false))
            throw new SignalException(ErrorCodes.NotInRoom, "You left the room");

        var entry = await rooms
            .GetParticipantAsync(me.RoomId, ParticipantTypes.Viewer, inv.ConnectionId)
            .ConfigureAwait(false);
        await sender
            .SendAsync(
                inv,
                me.OwnerId,
                new PublishRequestNotice(inv.ConnectionId, entry?.UserId) { RequestId = msg.RequestId }
            )
            .ConfigureAwait(false);
    }

    /// <summary>PublishAccept (admin grant): the viewer becomes a publisher with a station; everyone hears of
    /// it.</summary>
    public async Task PublishAcceptAsync(Invocation inv, PublishDecisionMessage msg)
    {
        string target = Require(msg.ParticipantId, "participantId");
        var me = await RequireModeratorAsync(inv, "Accepting a publisher").ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        await RequireInMyRoomAsync(me, target).ConfigureAwait(false);
        var requestId = await rooms.GetPublishRequestAsync(me.RoomId, target).ConfigureAwait(false);

        ParticipantEntry entry;
        try
        {
            entry = await rooms.PromoteAsync(me.RoomId, me.Kind, target).ConfigureAwait(false);
        }
        catch (SignalException ex) when (ex.Code is ErrorCodes.RoomFull or ErrorCodes.NoMunitAvailable)
        {
            // The requester must not wait forever for an answer that cannot come.
            await rooms.RemovePublishRequestAsync(me.RoomId, target).ConfigureAwait(false);
            await sender
                .SendAsync(
                    inv,
                    target,
                    new PublishRejectNotice(target) { RequestId = NullIfEmpty(requestId), Reason = ex.Code }
                )
                .ConfigureAwait(false);
            throw;
        }
        logger.LogInformation("Admin {ConnectionId} let {TargetConnectionId} publish", inv.ConnectionId, target);
        await AssignAsync(me.RoomId, me.Kind, target, entry).ConfigureAwait(false);
        await sender
            .SendAsync(
                inv,
                target,
                new PublishAcceptNotice(target) { RequestId = NullIfEmpty(requestId), StationId = entry.StationId }
            )
            .ConfigureAwait(false);
        await AnnouncePublishersAsync(inv, me.RoomId, ChangeReasons.Accepted).ConfigureAwait(false);
    }

    /// <summary>PublishReject (admin grant): the viewer is told, with the admin's reason.</summary>
    public async Task PublishRejectAsync(Invocation inv, PublishDecisionMessage msg)
    {
        string target = Require(msg.ParticipantId, "participantId");
        if (msg.Reason is { Length: > MaxReasonLength })
            throw new SignalException(ErrorCodes.InvalidField, $"\"reason\" is longer than {MaxReasonLength}");
        var me = await RequireModeratorAsync(inv, "Rejecting a publisher").ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        await RequireInMyRoomAsync(me, target).ConfigureAwait(false);
        var requestId = await rooms.GetPublishRequestAsync(me.RoomId, target).ConfigureAwait(false);
        if (!await rooms.RemovePublishRequestAsync(me.RoomId, target).ConfigureAwait(false))
            throw new SignalException(ErrorCodes.NoPendingRequest, $"{target} has no pending PublishRequest");
        await sender
            .SendAsync(
                inv,
                target,
                new PublishRejectNotice(target) { RequestId = NullIfEmpty(requestId), Reason = msg.Reason }
            )
            .ConfigureAwait(false);
    }

    /// <summary>CloseRoom (admin grant): everyone else is told (Kicked, reason roomClosed), removed and disconnected;
    /// the closer leaves the room last and stays connected.</summary>
    public async Task CloseRoomAsync(Invocation inv, CloseRoomMessage msg)
    {
        var me = await RequireModeratorAsync(inv, "Closing the room").ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        logger.LogInformation("Admin {ConnectionId} closes room {RoomId}", inv.ConnectionId, me.RoomId);
        int removed = await CloseAsync(inv, me.RoomId, inv.ConnectionId).ConfigureAwait(false);
        await sender
            .SendAsync(inv, inv.ConnectionId, new CloseRoomAckReply(me.RoomId, removed) { RequestId = msg.RequestId })
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Removes everyone but <paramref name="by"/> (viewers first, so publishers' leaving is not announced to people
    /// about to go), then <paramref name="by"/> itself when it is a member. Returns how many others were removed.
    /// </summary>
    public async Task<int> CloseAsync(Invocation inv, string roomId, string by)
    {
        int removed = 0;
        foreach (var role in (string[])[ParticipantTypes.Viewer, ParticipantTypes.Publisher])
        {
            foreach (var id in await rooms.GetParticipantIdsAsync(roomId, role).ConfigureAwait(false))
            {
                if (id == by)
                    continue;
                inv.CancellationToken.ThrowIfCancellationRequested();
                await sender
                    .SendAsync(inv, id, new KickedNotice(roomId, by) { Reason = ChangeReasons.RoomClosed })
                    .ConfigureAwait(false);
                await RemoveAsync(inv, id, ChangeReasons.RoomClosed).ConfigureAwait(false);
                await sender.DisconnectAsync(inv, id).ConfigureAwait(false);
                removed++;
            }
        }
        await RemoveAsync(inv, by, ChangeReasons.RoomClosed).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Kick, PublishAccept/Reject and CloseRoom need the admin grant (or, with the development option
    /// <see cref="RoomOptions.FirstJoinerIsOwner"/>, ownership).</summary>
    private async Task<ConnectionMembership> RequireModeratorAsync(Invocation inv, string what)
    {
        var me = await RequireMembershipAsync(inv).ConfigureAwait(false);
        if (Options.FirstJoinerIsOwner && me.IsOwner)
            return me;
        RequireGrant(me, AccessGrant.Admin, what);
        return me;
    }

    private async Task RequireInMyRoomAsync(ConnectionMembership me, string target)
    {
        var theirs = await rooms.GetMembershipAsync(target).ConfigureAwait(false);
        if (theirs?.RoomId != me.RoomId)
            throw new SignalException(ErrorCodes.ParticipantNotFound, $"{target} is not in this room");
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
