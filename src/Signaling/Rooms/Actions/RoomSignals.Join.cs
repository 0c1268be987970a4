using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    public const int MaxUserIdLength = 256;

    public async Task JoinAsync(Invocation inv, JoinMessage msg)
    {
        string roomId = RequireId(msg.RoomId, "roomId");
        using var scope = RoomScope(roomId);
        if (!RoomKinds.TryParse(Require(msg.RoomKind, "roomKind"), out var kind))
            throw new SignalException(ErrorCodes.InvalidField, "\"roomKind\" must be p2p, m2m or p2m");
        string role = msg.Role ?? (kind == RoomKind.P2m ? ParticipantTypes.Viewer : ParticipantTypes.Publisher);
        if (role is not (ParticipantTypes.Publisher or ParticipantTypes.Viewer))
            throw new SignalException(ErrorCodes.InvalidField, "\"role\" must be publisher or viewer");
        if (msg.UserId is { Length: > MaxUserIdLength })
            throw new SignalException(ErrorCodes.InvalidField, $"\"userId\" is longer than {MaxUserIdLength}");
        var access = await RequireAccessAsync(inv, roomId, kind, role).ConfigureAwait(false);

        // The user is who the token says; a different "userId" in the message is not believed.
        var entry = new ParticipantEntry
        {
            UserId = access.UserId,
            Audio = msg.Audio ?? true,
            Video = msg.Video ?? true,
        };
        var joined = await rooms
            .JoinAsync(inv.ConnectionId, roomId, kind, role, entry, access.Grants)
            .ConfigureAwait(false);
        logger.LogInformation(
            "{ConnectionId} joined {RoomKind} room {RoomId} as {Role}",
            inv.ConnectionId,
            kind.ToText(),
            roomId,
            role
        );

        await AssignAsync(roomId, kind, inv.ConnectionId, joined.Entry).ConfigureAwait(false);

        // The list, owner and version in one read: a change announced after it carries a higher version, so the joiner
        // can tell whether a PublishListChangeAck that overtook this JoinAck is newer. A leave of this connection that
        // deleted the room meanwhile leaves the join's own view.
        var list = await rooms.GetPublisherListAsync(roomId).ConfigureAwait(false)
            ?? new PublisherList(0, joined.OwnerId, []);
        var others = list.Publishers.Where(p => p.ConnectionId != inv.ConnectionId).ToList();
        var refused = new List<(PublisherInfo Publisher, string Reason)>();
        var publishers =
            kind == RoomKind.M2m && (access.Grants & AccessGrant.Subscribe) != 0
                ? await WithOffersAsync(inv, others, refused).ConfigureAwait(false)
                : others.Select(ToInfo).ToList();

        var ack = new JoinAckReply(
            roomId,
            kind.ToText(),
            inv.ConnectionId,
            role,
            list.OwnerId,
            IceServersFor(inv.ConnectionId),
            publishers,
            (int)Options.HeartbeatInterval.TotalMilliseconds,
            list.Version
        )
        {
            RequestId = inv.RequestId,
            StationId = joined.Entry.StationId,
            PlaybackUrl =
                kind == RoomKind.P2m && role == ParticipantTypes.Viewer ? PlaybackUrl(roomId, access.UserId) : null,
        };
        await sender.SendAsync(inv, inv.ConnectionId, ack).ConfigureAwait(false);

        // Listed live, but its Munit has no media for it: the publisher's connection to the Munit ended (or its host
        // died and the station moved with nobody left to tell). It is told to offer again; a dead connection answers
        // 410 and is removed with the rest of this invocation's gone connections, so the room stops showing a ghost.
        foreach (var (publisher, reason) in refused)
        {
            await TellMediaLostAsync(inv, roomId, publisher.ParticipantId, publisher.StationId!, reason)
                .ConfigureAwait(false);
        }

        if (role == ParticipantTypes.Publisher)
        {
            await AnnouncePublishersAsync(inv, roomId, ChangeReasons.Joined, except: inv.ConnectionId)
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What the connection's token (checked at $connect) lets it do here: enter this room at all, and take this role —
    /// a publisher needs publish (p2m-publish in a p2m room), a viewer subscribe.
    /// </summary>
    private async Task<ConnectionAccess> RequireAccessAsync(Invocation inv, string roomId, RoomKind kind, string role)
    {
        var access = await rooms.GetAccessAsync(inv.ConnectionId).ConfigureAwait(false)
            ?? throw await StateLostAsync(inv, fromAction: true).ConfigureAwait(false);
        var claims = access.ToClaims();
        if (!claims.Covers(roomId))
        {
            throw new SignalException(
                ErrorCodes.Forbidden,
                $"Your access token is for room \"{access.Room}\", not \"{roomId}\""
            );
        }

        if (!claims.Has(AccessGrant.Join))
            throw new SignalException(ErrorCodes.Forbidden, "Joining needs the \"join\" grant in your access token");
        var needed = role == ParticipantTypes.Publisher ? PublishGrant(kind) : AccessGrant.Subscribe;
        if (!claims.Has(needed))
        {
            throw new SignalException(
                ErrorCodes.Forbidden,
                $"Joining a {kind.ToText()} room as {role} needs the \"{AccessGrants.Name(needed)}\" grant in your access token"
            );
        }

        return access;
    }

    /// <summary>The configured ICE servers, plus this client's own TURN credentials when a TURN server is set
    /// up.</summary>
    private IReadOnlyList<IceServer> IceServersFor(string connectionId) =>
        turn.For(Options.Turn, connectionId) is { } relay
            ?
            [
                .. Options.IceServers,
                new IceServer
                {
                    Urls = [.. relay.Urls],
                    Username = relay.Username,
                    Credential = relay.Password,
                },
            ]
            : Options.IceServers;

    /// <summary>The room's LL-HLS URL, with a playback token for <paramref name="userId"/> when a signing key is
    /// configured.</summary>
    public string PlaybackUrl(string roomId, string userId) => playbackUrls.For(roomId, userId);

    /// <summary>
    /// m2m: asks each publisher's Munit for an offer to this joiner, all at once. A Munit that fails leaves
    /// that publisher without an offer; the client can still Watch it later. A Munit that refuses (it has no media
    /// for that station) lists the publisher not live and adds it to <paramref name="refused"/>.
    /// </summary>
    private async Task<List<PublisherInfo>> WithOffersAsync(
        Invocation inv,
        List<Participant> publishers,
        List<(PublisherInfo, string)> refused
    )
    {
        var tasks = publishers.Select(async p =>
        {
            var info = ToInfo(p);
            // A publisher that is not live yet has nothing to watch; the "published" announcement follows.
            if (p.Entry.StationId is not { } stationId || !p.Entry.Live)
                return info;
            try
            {
                var munitId = await StationMunitAsync(stationId).ConfigureAwait(false);
                var sdp = await munits
                    .RequestAsync(
                        munitId,
                        MediaOps.Watch,
                        stationId,
                        inv.ConnectionId,
                        cancellationToken: inv.CancellationToken
                    )
                    .ConfigureAwait(false);
                await rooms.AddWatchingAsync(inv.ConnectionId, stationId).ConfigureAwait(false);
                return info with { OfferSdp = sdp };
            }
            catch (SignalException ex)
            {
                logger.LogWarning(
                    "No offer for station {StationId} in JoinAck: {Code} {Message}",
                    stationId,
                    ex.Code,
                    ex.Message
                );
                if (ex.Code != ErrorCodes.MunitError)
                    return info;
                info = info with { Live = false };
                lock (refused)
                    refused.Add((info, ex.Message));
                return info;
            }
        });
        return [.. await Task.WhenAll(tasks).ConfigureAwait(false)];
    }
}
