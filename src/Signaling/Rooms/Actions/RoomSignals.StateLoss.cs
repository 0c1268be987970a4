using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;

namespace MobZ.Signaling.Rooms.Actions;

public sealed partial class RoomSignals
{
    /// <summary>
    /// Refuses the action with STATE_LOST when the store has no record of this open connection. $connect writes the
    /// access record before the socket opens and only the connection's end deletes it ($disconnect, or the heartbeat
    /// sweep, which closes the socket too), so its absence means the
    /// store lost its data (Redis restarted empty). The room cannot be rebuilt from what is left — the access token
    /// itself is seen only at $connect — so the client is told to reconnect and join again, and every Munit drops
    /// this connection's stations and viewer peers: its rejoin gets a new station, never one beside an orphan.
    /// </summary>
    private async Task ThrowIfStateLostAsync(Invocation inv)
    {
        if (!await rooms.HasAccessAsync(inv.ConnectionId).ConfigureAwait(false))
            throw await StateLostAsync(inv, fromAction: true).ConfigureAwait(false);
    }

    /// <summary>How often a client that keeps sending after STATE_LOST makes every Regulator drop its media
    /// again.</summary>
    private static readonly TimeSpan PeerGoneThrottle = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A Regulator wrote back a station whose publisher is this connection (the store lost its data): when the store
    /// has no record of the connection either, its media is dropped on every Munit and, if its socket is still open,
    /// it is told STATE_LOST now rather than at its next Heartbeat.
    /// </summary>
    public async Task TellStateLostAsync(string connectionId, CancellationToken cancellationToken)
    {
        if (connectionId.Length == 0 || await rooms.HasAccessAsync(connectionId).ConfigureAwait(false))
            return;
        var inv = new Invocation(connectionId, null, cancellationToken);
        var lost = await StateLostAsync(inv).ConfigureAwait(false);
        await sender.SendAsync(inv, connectionId, new ErrorReply(lost.Code, lost.Message)).ConfigureAwait(false);
    }

    /// <summary>
    /// A connection the store has no record of (it lost its data) closed its socket or its media: nobody else will
    /// ever tell the Munits to drop its media, so they are told here.
    /// </summary>
    public Task ForgetLostConnectionAsync(string connectionId)
    {
        logger.LogInformation(
            "{ConnectionId} has no records in the store and is gone; dropping its media on every Munit",
            connectionId
        );
        return munits.BroadcastAsync(new PeerGoneSignal(connectionId));
    }

    /// <summary>
    /// Drops the connection's media on every Munit and returns the STATE_LOST error for it. From a client's actions at
    /// most once per <see cref="PeerGoneThrottle"/>, so one that ignores STATE_LOST cannot make every Regulator walk
    /// its stations for each message; the other paths (a write-back, a $disconnect) always broadcast — each is a
    /// further chance for a Regulator that missed an earlier one on the at-most-once bus.
    /// </summary>
    private async Task<SignalException> StateLostAsync(Invocation inv, bool fromAction = false)
    {
        logger.LogWarning(
            "{ConnectionId} has no records in the store (the store lost its data); telling it to reconnect",
            inv.ConnectionId
        );
        if (!fromAction || await rooms.ClaimPeerGoneAsync(inv.ConnectionId, PeerGoneThrottle).ConfigureAwait(false))
            await munits.BroadcastAsync(new PeerGoneSignal(inv.ConnectionId)).ConfigureAwait(false);
        return new SignalException(
            ErrorCodes.StateLost,
            "The server lost this connection's records (its store restarted empty); reconnect with a fresh access token and Join again"
        );
    }
}
