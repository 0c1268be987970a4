using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    public const int MaxLayerLength = 16;

    /// <summary>Offer, Answer and IceCandidate: forwarded to the other peer in p2p, relayed to the station's Munit
    /// otherwise.</summary>
    public async Task MediaSignalAsync(Invocation inv, string action, MediaSignalMessage msg)
    {
        if (action == RoomActions.IceCandidate)
            Require(msg.Candidate, "candidate");
        else
            Require(msg.Sdp, "sdp");
        var me = await RequireMembershipAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        if (me.Kind == RoomKind.P2p)
            await ForwardToPeerAsync(inv, me, action, msg).ConfigureAwait(false);
        else
            await RelayToMunitAsync(inv, me, action, msg).ConfigureAwait(false);
    }

    private async Task ForwardToPeerAsync(
        Invocation inv,
        ConnectionMembership me,
        string action,
        MediaSignalMessage msg
    )
    {
        string? target = msg.To;
        if (target is null)
        {
            foreach (
                var peer in await rooms
                    .GetParticipantsAsync(me.RoomId, ParticipantTypes.Publisher)
                    .ConfigureAwait(false)
            )
            {
                if (peer.ConnectionId != inv.ConnectionId)
                    target = peer.ConnectionId;
            }
            if (target is null)
                throw new SignalException(ErrorCodes.ParticipantNotFound, "The other peer has not joined yet");
        }
        else if (
            target == inv.ConnectionId
            || await rooms.GetParticipantAsync(me.RoomId, ParticipantTypes.Publisher, target).ConfigureAwait(false)
                is null
        )
        {
            throw new SignalException(ErrorCodes.ParticipantNotFound, $"{target} is not a peer in this room");
        }

        // No requestId: it is the sender's, and a notice to someone else never carries it.
        var notice = new MediaSignalNotice(action)
        {
            From = inv.ConnectionId,
            Sdp = msg.Sdp,
            Candidate = msg.Candidate,
            SdpMid = msg.SdpMid,
            SdpMLineIndex = msg.SdpMLineIndex,
        };
        await sender.SendAsync(inv, target, notice).ConfigureAwait(false);
    }

    private async Task RelayToMunitAsync(Invocation inv, ConnectionMembership me, string action, MediaSignalMessage msg)
    {
        switch (action)
        {
            case RoomActions.Offer:
            {
                // A publisher's offer to its own station; the Munit answers.
                var (ownStation, ownMunit) = await OwnStationAsync(me).ConfigureAwait(false);
                var sdp = await munits
                    .RequestAsync(
                        ownMunit,
                        MediaOps.Publish,
                        ownStation,
                        inv.ConnectionId,
                        r => r with { Sdp = msg.Sdp },
                        inv.CancellationToken
                    )
                    .ConfigureAwait(false);
                // The first answered offer makes the station watchable: stored before the publisher hears its
                // answer (a joiner after that gets an offer for it), then everyone who got "joined" before (and
                // could not Watch yet) is told. Later offers renegotiate and announce nothing.
                bool wentLive = await rooms.MarkLiveAsync(me.RoomId, inv.ConnectionId).ConfigureAwait(false);
                await sender
                    .SendAsync(
                        inv,
                        inv.ConnectionId,
                        new MediaSignalNotice(RoomActions.Answer)
                        {
                            RequestId = msg.RequestId,
                            StationId = ownStation,
                            Sdp = sdp,
                        }
                    )
                    .ConfigureAwait(false);
                if (wentLive)
                {
                    logger.LogInformation(
                        "Publisher {ConnectionId} is live on station {StationId}",
                        inv.ConnectionId,
                        ownStation
                    );
                    await AnnouncePublishersAsync(inv, me.RoomId, ChangeReasons.Published, except: inv.ConnectionId)
                        .ConfigureAwait(false);
                }
                break;
            }
            case RoomActions.Answer:
            {
                // A receiver's answer to the offer it got in JoinAck or WatchAck.
                var (stationId, munitId) = await ResolveStationAsync(me, Require(msg.StationId, "stationId"))
                    .ConfigureAwait(false);
                await munits
                    .RequestAsync(
                        munitId,
                        MediaOps.Answer,
                        stationId,
                        inv.ConnectionId,
                        r => r with { Sdp = msg.Sdp },
                        inv.CancellationToken
                    )
                    .ConfigureAwait(false);
                break;
            }
            default:
            {
                string stationId,
                    munitId;
                if (msg.StationId is null)
                {
                    (stationId, munitId) = await OwnStationAsync(me).ConfigureAwait(false);
                }
                else
                {
                    (stationId, munitId) = await ResolveStationAsync(me, msg.StationId).ConfigureAwait(false);
                }
                await munits
                    .RequestAsync(
                        munitId,
                        MediaOps.Candidate,
                        stationId,
                        inv.ConnectionId,
                        r =>
                            r with
                            {
                                Candidate = msg.Candidate,
                                SdpMid = msg.SdpMid,
                                SdpMLineIndex = msg.SdpMLineIndex,
                            },
                        inv.CancellationToken
                    )
                    .ConfigureAwait(false);
                break;
            }
        }
    }

    /// <summary>Watch: the Munit's offer for receiving one publisher's station.</summary>
    public async Task WatchAsync(Invocation inv, WatchMessage msg)
    {
        if (msg.StationId is null && msg.PublisherId is null)
            throw new SignalException(ErrorCodes.MissingField, "\"stationId\" or \"publisherId\" is required");
        var me = await RequireMembershipAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        if (me.Kind == RoomKind.P2p)
            throw new SignalException(ErrorCodes.NotSupported, "p2p rooms have no stations; media goes peer to peer");
        RequireGrant(me, AccessGrant.Subscribe, "Watching");

        string stationId,
            munitId,
            publisherId;
        if (msg.StationId is not null)
        {
            (stationId, munitId) = await ResolveStationAsync(me, msg.StationId).ConfigureAwait(false);
            publisherId = (await rooms.GetStationAsync(stationId).ConfigureAwait(false)).GetValueOrDefault(
                StationFields.Publisher
            ) ?? "";
        }
        else
        {
            var entry = await rooms
                .GetParticipantAsync(me.RoomId, ParticipantTypes.Publisher, msg.PublisherId!)
                .ConfigureAwait(false);
            if (entry?.StationId is not { } s)
            {
                throw new SignalException(
                    ErrorCodes.ParticipantNotFound,
                    $"{msg.PublisherId} is not a publisher in this room"
                );
            }

            (stationId, munitId) = await ResolveStationAsync(me, s).ConfigureAwait(false);
            publisherId = msg.PublisherId!;
        }
        if (publisherId == inv.ConnectionId)
            throw new SignalException(ErrorCodes.InvalidField, "You cannot watch your own station");

        var sdp = await munits
            .RequestAsync(
                munitId,
                MediaOps.Watch,
                stationId,
                inv.ConnectionId,
                cancellationToken: inv.CancellationToken
            )
            .ConfigureAwait(false)
            ?? throw new SignalException(ErrorCodes.MunitError, "The media server sent no offer");
        await rooms.AddWatchingAsync(inv.ConnectionId, stationId).ConfigureAwait(false);
        await sender
            .SendAsync(
                inv,
                inv.ConnectionId,
                new WatchAckReply(stationId, publisherId, sdp) { RequestId = msg.RequestId }
            )
            .ConfigureAwait(false);
    }

    /// <summary>SimulcastUpdate: a receiver picks the layer it gets from one station.</summary>
    public async Task SimulcastUpdateAsync(Invocation inv, SimulcastUpdateMessage msg)
    {
        string layer = Require(msg.Layer, "layer");
        if (layer.Length > MaxLayerLength || !layer.All(char.IsAsciiLetterOrDigit))
            throw new SignalException(ErrorCodes.InvalidField, "\"layer\" must be a rid or a layer index");
        var me = await RequireMembershipAsync(inv).ConfigureAwait(false);
        using var scope = RoomScope(me.RoomId);
        if (me.Kind == RoomKind.P2p)
            throw new SignalException(ErrorCodes.NotSupported, "p2p rooms have no stations");
        var (stationId, munitId) = await ResolveStationAsync(me, Require(msg.StationId, "stationId"))
            .ConfigureAwait(false);
        await munits
            .RequestAsync(
                munitId,
                MediaOps.Simulcast,
                stationId,
                inv.ConnectionId,
                r => r with { Layer = layer },
                inv.CancellationToken
            )
            .ConfigureAwait(false);
        await sender
            .SendAsync(
                inv,
                inv.ConnectionId,
                new SimulcastUpdateAckReply(stationId, layer) { RequestId = msg.RequestId }
            )
            .ConfigureAwait(false);
    }

    private async Task<(string StationId, string MunitId)> OwnStationAsync(ConnectionMembership me)
    {
        if (!me.IsPublisher)
        {
            throw new SignalException(
                ErrorCodes.NotPublisher,
                "Only a publisher sends an offer; ask with PublishRequest"
            );
        }

        var entry = await rooms
            .GetParticipantAsync(me.RoomId, ParticipantTypes.Publisher, me.ConnectionId)
            .ConfigureAwait(false);
        if (entry?.StationId is not { } stationId)
            throw new SignalException(ErrorCodes.StationNotFound, "You have no station");
        return await ResolveStationAsync(me, stationId).ConfigureAwait(false);
    }

    /// <summary>The Munit a station runs on now (the station hash is the truth; stations move off dead
    /// Munits).</summary>
    private async Task<string> StationMunitAsync(string stationId) =>
        (await rooms.GetStationAsync(stationId).ConfigureAwait(false)).GetValueOrDefault(StationFields.Munit)
        ?? throw new SignalException(ErrorCodes.StationNotFound, $"Station {stationId} is gone");

    /// <summary>A station id from a client, checked to belong to the client's own room.</summary>
    private async Task<(string StationId, string MunitId)> ResolveStationAsync(
        ConnectionMembership me,
        string stationId
    )
    {
        var station = await rooms.GetStationAsync(stationId).ConfigureAwait(false);
        if (
            station.GetValueOrDefault(StationFields.Room) != me.RoomId
            || !station.TryGetValue(StationFields.Munit, out var munitId)
        )
        {
            throw new SignalException(ErrorCodes.StationNotFound, $"Station {stationId} is not in your room");
        }

        return (stationId, munitId);
    }
}
