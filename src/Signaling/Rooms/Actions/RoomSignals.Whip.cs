using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Rooms.Whip;

namespace MobZ.Signaling.Rooms.Actions;

/// <summary>A WHIP session that the room's Munit answered: its id (the publisher's id in the room) and the
/// answer.</summary>
public sealed record WhipPublished(string SessionId, string StationId, string AnswerSdp);

public sealed partial class RoomSignals
{
    /// <summary>
    /// A WHIP publisher joins a p2m room the way a WebSocket publisher does — Join (a station placed on a Munit, an
    /// HLS Assign), then its offer to the station's Munit — in one call. A refusal after the join (the Munit
    /// refuses the offer, or does not answer) takes the session out of the room again, so a failed POST leaves no
    /// publisher behind.
    /// </summary>
    /// <exception cref="SignalException">ROOM_KIND_MISMATCH, ROOM_FULL, NO_MUNIT_AVAILABLE, MUNIT_ERROR,
    /// MUNIT_TIMEOUT, BUSY.</exception>
    public async Task<WhipPublished> PublishWhipAsync(
        string roomId,
        AccessClaims claims,
        string offerSdp,
        CancellationToken cancellationToken
    )
    {
        using var scope = RoomScope(roomId);
        string sessionId = WhipSessions.NewId();
        var entry = new ParticipantEntry { UserId = claims.UserId };
        var joined = await rooms
            .JoinAsync(
                sessionId,
                roomId,
                RoomKind.P2m,
                ParticipantTypes.Publisher,
                entry,
                claims.Grants,
                heartbeats: false
            )
            .ConfigureAwait(false);
        var inv = new Invocation(sessionId, null, cancellationToken);
        string stationId = joined.Entry.StationId!;
        string? answer;
        try
        {
            await AssignAsync(roomId, RoomKind.P2m, sessionId, joined.Entry).ConfigureAwait(false);
            answer = await munits
                .RequestAsync(
                    joined.Entry.MunitId!,
                    MediaOps.Publish,
                    stationId,
                    sessionId,
                    r => r with { Sdp = offerSdp },
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (string.IsNullOrEmpty(answer))
                throw new SignalException(ErrorCodes.MunitError, "The media server sent no answer");
        }
        catch (Exception)
        {
            await RemoveAsync(new Invocation(sessionId, null, CancellationToken.None), sessionId, ChangeReasons.Left)
                .ConfigureAwait(false);
            throw;
        }

        await rooms.MarkLiveAsync(roomId, sessionId).ConfigureAwait(false);
        logger.LogInformation(
            "WHIP session {SessionId} of {UserId} is live in p2m room {RoomId} on station {StationId}",
            sessionId,
            claims.UserId,
            roomId,
            stationId
        );
        await AnnouncePublishersAsync(inv, roomId, ChangeReasons.Published).ConfigureAwait(false);
        await RemoveGoneAsync(inv).ConfigureAwait(false);
        return new WhipPublished(sessionId, stationId, answer);
    }

    /// <summary>
    /// Ends a WHIP session of <paramref name="roomId"/>: its station is unassigned (the Munit closes it and the HLS
    /// playlist gets EXT-X-ENDLIST) and the room hears the publisher left. False when there is no such session in
    /// that room.
    /// </summary>
    public async Task<bool> EndWhipAsync(string roomId, string sessionId, CancellationToken cancellationToken)
    {
        if (!WhipSessions.IsSession(sessionId) || !RoomIds.IsValid(sessionId))
            return false;
        if (await rooms.GetMembershipAsync(sessionId).ConfigureAwait(false) is not { } me || me.RoomId != roomId)
            return false;
        var inv = new Invocation(sessionId, null, cancellationToken);
        var outcome = await RemoveAsync(inv, sessionId, ChangeReasons.Left).ConfigureAwait(false);
        await RemoveGoneAsync(inv).ConfigureAwait(false);
        return outcome is not null;
    }
}
