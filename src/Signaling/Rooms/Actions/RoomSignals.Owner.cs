using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using Microsoft.Extensions.Logging;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    public const int MaxReasonLength = 256;

    /// <summary>Kick (owner of an m2m or p2m room only): the target is told, removed as if it had left, and its
    /// socket is closed, so a kicked client cannot keep listening on the room's connection.</summary>
    public async Task KickAsync(Invocation inv, KickMessage msg)
    {
        string target = Require(msg.ParticipantId, "participantId");
        var me = await RequireOwnerAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        if (me.Kind == RoomKind.P2p)
            throw new SignalException(ErrorCodes.NotSupported, "A p2p call has no owner to kick anyone; Leave ends it");
        if (target == inv.ConnectionId)
            throw new SignalException(ErrorCodes.InvalidField, "The owner cannot kick itself; use Leave");
        await RequireInMyRoomAsync(me, target).ConfigureAwait(false);

        logger.LogInformation("Owner {ConnectionId} kicks {TargetConnectionId}", inv.ConnectionId, target);
        await sender.SendAsync(inv, target, new KickedNotice(me.RoomId, inv.ConnectionId)).ConfigureAwait(false);
        await RemoveAsync(inv, target, ChangeReasons.Kicked).ConfigureAwait(false);
        await sender.DisconnectAsync(inv, target).ConfigureAwait(false);
        await sender.SendAsync(inv, inv.ConnectionId, new KickAckReply(target) { RequestId = msg.RequestId }).ConfigureAwait(false);
    }

    /// <summary>PublishRequest: a viewer asks the owner for a publisher slot.</summary>
    public async Task PublishRequestAsync(Invocation inv, PublishRequestMessage msg)
    {
        var me = await RequireMembershipAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        if (me.Kind == RoomKind.P2p)
            throw new SignalException(ErrorCodes.NotSupported, "Both p2p peers publish already");
        if (me.IsPublisher)
            throw new SignalException(ErrorCodes.AlreadyPublisher, "You are publishing already");
        int max = rooms.MaxPublishers(me.Kind);
        if ((await rooms.GetParticipantsAsync(me.RoomId, ParticipantTypes.Publisher).ConfigureAwait(false)).Count >= max)
            throw new SignalException(ErrorCodes.RoomFull, $"Room {me.RoomId} has no free publisher slot (limit {max})");
        if (!await rooms.AddPublishRequestAsync(me.RoomId, inv.ConnectionId, msg.RequestId ?? "").ConfigureAwait(false))
            throw new SignalException(ErrorCodes.NotInRoom, "You left the room");

        var entry = await rooms.GetParticipantAsync(me.RoomId, ParticipantTypes.Viewer, inv.ConnectionId).ConfigureAwait(false);
        await sender.SendAsync(inv, me.OwnerId, new PublishRequestNotice(inv.ConnectionId, entry?.UserId) { RequestId = msg.RequestId })
            .ConfigureAwait(false);
    }

    /// <summary>PublishAccept (owner only): the viewer becomes a publisher with a station; everyone hears of it.</summary>
    public async Task PublishAcceptAsync(Invocation inv, PublishDecisionMessage msg)
    {
        string target = Require(msg.ParticipantId, "participantId");
        var me = await RequireOwnerAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        await RequireInMyRoomAsync(me, target).ConfigureAwait(false);
        var requestId = await rooms.GetPublishRequestAsync(me.RoomId, target).ConfigureAwait(false);

        ParticipantEntry entry;
        try
        {
            entry = await rooms.PromoteAsync(me.RoomId, me.Kind, target, selector.PickAsync).ConfigureAwait(false);
        }
        catch (SignalException ex) when (ex.Code is ErrorCodes.RoomFull or ErrorCodes.NoMunitAvailable)
        {
            // The requester must not wait forever for an answer that cannot come.
            await rooms.RemovePublishRequestAsync(me.RoomId, target).ConfigureAwait(false);
            await sender.SendAsync(inv, target, new PublishRejectNotice(target) { RequestId = NullIfEmpty(requestId), Reason = ex.Code })
                .ConfigureAwait(false);
            throw;
        }
        logger.LogInformation("Owner {ConnectionId} let {TargetConnectionId} publish", inv.ConnectionId, target);
        await AssignAsync(me.RoomId, me.Kind, target, entry).ConfigureAwait(false);
        await sender.SendAsync(inv, target, new PublishAcceptNotice(target) { RequestId = NullIfEmpty(requestId), StationId = entry.StationId })
            .ConfigureAwait(false);
        await AnnouncePublishersAsync(inv, me.RoomId, ChangeReasons.Accepted).ConfigureAwait(false);
    }

    /// <summary>PublishReject (owner only): the viewer is told, with the owner's reason.</summary>
    public async Task PublishRejectAsync(Invocation inv, PublishDecisionMessage msg)
    {
        string target = Require(msg.ParticipantId, "participantId");
        if (msg.Reason is { Length: > MaxReasonLength })
            throw new SignalException(ErrorCodes.InvalidField, $"\"reason\" is longer than {MaxReasonLength}");
        var me = await RequireOwnerAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        await RequireInMyRoomAsync(me, target).ConfigureAwait(false);
        var requestId = await rooms.GetPublishRequestAsync(me.RoomId, target).ConfigureAwait(false);
        if (!await rooms.RemovePublishRequestAsync(me.RoomId, target).ConfigureAwait(false))
            throw new SignalException(ErrorCodes.NoPendingRequest, $"{target} has no pending PublishRequest");
        await sender.SendAsync(inv, target, new PublishRejectNotice(target) { RequestId = NullIfEmpty(requestId), Reason = msg.Reason })
            .ConfigureAwait(false);
    }

    private async Task<ConnectionMembership> RequireOwnerAsync(Invocation inv)
    {
        var me = await RequireMembershipAsync(inv).ConfigureAwait(false);
        if (!me.IsOwner)
            throw new SignalException(ErrorCodes.NotOwner, "Only the room owner may do this");
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
