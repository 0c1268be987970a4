using MobZ.Contracts;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using Microsoft.Extensions.Logging;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    /// <summary>How long a node's claim on telling one lost peer stays, so a late duplicate of the event is ignored.</summary>
    private static readonly TimeSpan PeerLostClaimTtl = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A Munit saw a publisher's media peer end by itself (<see cref="PeerLostEvent"/>). Its station stays, but nothing
    /// flows until it offers again: the publisher is listed not live (viewers get no offer for it, and the room hears
    /// PublishListChangeAck "mediaLost"), and the publisher gets MediaLost so it offers again — its answered offer then
    /// announces "published" as at the start. Of several nodes that hear the event, the one whose claim lands tells.
    /// </summary>
    public async Task AnnouncePeerLostAsync(PeerLostEvent lost, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(lost.EventId))
            return;
        var station = await rooms.GetStationAsync(lost.StationId).ConfigureAwait(false);
        if (station.GetValueOrDefault(StationFields.Munit) != lost.MunitId
            || station.GetValueOrDefault(StationFields.Publisher) != lost.PeerId
            || station.GetValueOrDefault(StationFields.Room) is not { } roomId)
            return; // The station moved or closed since: that change speaks for it.
        if (!await rooms.ClaimPeerLostAnnouncementAsync(lost.EventId, PeerLostClaimTtl).ConfigureAwait(false))
            return;

        using var scope = RoomScope(roomId);
        logger.LogInformation("Publisher {PublisherId} of station {StationId} lost its media on Munit {MunitId} ({Reason}); telling the room",
            lost.PeerId, lost.StationId, lost.MunitId, lost.Reason);
        bool wasLive;
        try
        {
            wasLive = await rooms.MarkLiveAsync(roomId, lost.PeerId, live: false).ConfigureAwait(false);
        }
        catch (SignalException ex) when (ex.Code == ErrorCodes.NotInRoom)
        {
            return; // The publisher left meanwhile; its Leave told the room.
        }

        var inv = new Invocation("", null, cancellationToken);
        await sender.SendAsync(inv, lost.PeerId, new MediaLostNotice(roomId, lost.StationId, lost.Reason)).ConfigureAwait(false);
        if (wasLive)
            await AnnouncePublishersAsync(inv, roomId, ChangeReasons.MediaLost, except: lost.PeerId).ConfigureAwait(false);
        await RemoveGoneAsync(inv).ConfigureAwait(false);
    }
}
