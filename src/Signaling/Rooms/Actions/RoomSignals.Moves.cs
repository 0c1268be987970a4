using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Rooms.Whip;
using MobZ.State;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    /// <summary>How long a node's claim on telling one move stays, so a late duplicate of the event is
    /// ignored.</summary>
    private static readonly TimeSpan MoveClaimTtl = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A Regulator moved a station to another Munit: the publisher's media has nowhere to go until it offers
    /// again, and viewers' connections point at the old Munit. Everyone in the room gets StationMoved; the
    /// publisher is not live until its new offer is answered, which then announces "published" as at the start.
    /// Of several nodes that hear the same move, the one whose claim lands tells the room.
    /// </summary>
    public async Task AnnounceMoveAsync(StationMove move, string reason, CancellationToken cancellationToken)
    {
        var station = await rooms.GetStationAsync(move.StationId).ConfigureAwait(false);
        if (
            station.GetValueOrDefault(StationFields.Munit) != move.ToMunitId
            || station.GetValueOrDefault(StationFields.Room) is not { } roomId
            || station.GetValueOrDefault(StationFields.Publisher) is not { } publisherId
        )
        {
            return; // Gone or moved again since: the newer event speaks for it.
        }

        if (!await rooms.ClaimMoveAnnouncementAsync(move.StationId, move.ToMunitId, MoveClaimTtl).ConfigureAwait(false))
            return;

        using var scope = RoomScope(roomId);
        logger.LogInformation(
            "Station {StationId} of {PublisherId} moved to Munit {MunitId} ({Reason}); telling the room",
            move.StationId,
            publisherId,
            move.ToMunitId,
            reason
        );
        if (WhipSessions.IsSession(publisherId))
        {
            // A WHIP client cannot follow its station to another Munit (its session URL has no way to say so): the
            // session ends, and its client reconnects with a new POST as after any failure.
            var whipInv = new Invocation("", null, cancellationToken);
            await RemoveAsync(whipInv, publisherId, ChangeReasons.MediaLost).ConfigureAwait(false);
            await RemoveGoneAsync(whipInv).ConfigureAwait(false);
            return;
        }
        try
        {
            await rooms.MarkLiveAsync(roomId, publisherId, live: false).ConfigureAwait(false);
        }
        catch (SignalException ex) when (ex.Code == ErrorCodes.NotInRoom)
        {
            return; // The publisher left meanwhile; its Leave told the room.
        }

        var inv = new Invocation("", null, cancellationToken);
        await sender
            .BroadcastAsync(
                inv,
                await MembersAsync(roomId).ConfigureAwait(false),
                new StationMovedNotice(roomId, move.StationId, publisherId, reason)
            )
            .ConfigureAwait(false);
        await RemoveGoneAsync(inv).ConfigureAwait(false);
    }
}
