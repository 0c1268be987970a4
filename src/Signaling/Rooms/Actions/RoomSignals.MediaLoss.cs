using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Rooms.Whip;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    /// <summary>How long a node's claim on telling one lost peer stays, so a late duplicate of the event is
    /// ignored.</summary>
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
        if (
            station.GetValueOrDefault(StationFields.Munit) != lost.MunitId
            || station.GetValueOrDefault(StationFields.Publisher) != lost.PeerId
            || station.GetValueOrDefault(StationFields.Room) is not { } roomId
        )
        {
            return; // The station moved or closed since: that change speaks for it.
        }

        if (!await rooms.ClaimPeerLostAnnouncementAsync(lost.EventId, PeerLostClaimTtl).ConfigureAwait(false))
            return;

        using var scope = RoomScope(roomId);
        logger.LogInformation(
            "Publisher {PublisherId} of station {StationId} lost its media on Munit {MunitId} ({Reason}); telling the room",
            lost.PeerId,
            lost.StationId,
            lost.MunitId,
            lost.Reason
        );
        var inv = new Invocation("", null, cancellationToken);
        if (WhipSessions.IsSession(lost.PeerId))
        {
            // A WHIP client does not offer again on the same session: its stream is over (HLS viewers see ENDLIST).
            await RemoveAsync(inv, lost.PeerId, ChangeReasons.MediaLost).ConfigureAwait(false);
            await RemoveGoneAsync(inv).ConfigureAwait(false);
            return;
        }
        await TellMediaLostAsync(inv, roomId, lost.PeerId, lost.StationId, lost.Reason).ConfigureAwait(false);
        await RemoveGoneAsync(inv).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists the publisher not live, tells it to offer again (MediaLost) and the room that it is not live
    /// ("mediaLost"). A publisher whose connection is gone answers 410 to the notice, so the caller's
    /// <see cref="RemoveGoneAsync"/> removes it from the room.
    /// </summary>
    private async Task TellMediaLostAsync(
        Invocation inv,
        string roomId,
        string publisherId,
        string stationId,
        string reason
    )
    {
        bool wasLive;
        try
        {
            wasLive = await rooms.MarkLiveAsync(roomId, publisherId, live: false).ConfigureAwait(false);
        }
        catch (SignalException ex) when (ex.Code == ErrorCodes.NotInRoom)
        {
            // The publisher left meanwhile (its Leave told the room) — or the store lost its records and this station
            // is an orphan whose PeerGone a Regulator missed: its peer ending (the client closed it to rejoin) is the
            // last chance to close it.
            if (!await rooms.HasAccessAsync(publisherId).ConfigureAwait(false))
                await ForgetLostConnectionAsync(publisherId).ConfigureAwait(false);
            return;
        }
        await sender.SendAsync(inv, publisherId, new MediaLostNotice(roomId, stationId, reason)).ConfigureAwait(false);
        if (wasLive)
        {
            await AnnouncePublishersAsync(inv, roomId, ChangeReasons.MediaLost, except: publisherId)
                .ConfigureAwait(false);
        }
    }
}
