using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Protocol;
using MobZ.PixelStreaming.Security;
using MobZ.PixelStreaming.Workers;
using MobZ.Signaling.Abstractions;
using MobZ.State;

namespace MobZ.PixelStreaming.Signaling;

/// <summary>
/// What happens around each matching transition: who is told what, which worker is called, and the
/// relay of WebRTC negotiation between a streamer and the one player it serves.
/// </summary>
public sealed class Sessions(
    IStateStore store,
    IConnectionSender sender,
    Matchmaker matchmaker,
    WorkerLocator workers,
    IStreamingWorkerClient workerClient,
    QueueStatus queue,
    ILogger<Sessions> logger
)
{
    private PsKeys Keys => matchmaker.Keys;

    /// <summary>How long a player that lost its streamer is shown that streamer's id when it comes back (the stock
    /// frontend retries for about 11 s).</summary>
    private static readonly TimeSpan ResumeWindow = TimeSpan.FromMinutes(2);

    /// <summary>
    /// What <c>listStreamers</c> answers: exactly one id, because Epic's stock player subscribes by itself to
    /// a list of one but stops at "Multiple streamers available" for more. A player back from losing its
    /// streamer gets that streamer's id (the stock frontend insists on it); everyone else the longest idle
    /// streamer, or <c>waiting_queue</c>. Subscribing to a listed id that is busy or gone matches another or queues.
    /// </summary>
    public async Task<string> StreamerToListAsync(string playerId, string connectionId)
    {
        var listed = await store.GetStringAsync(Keys.PlayerResume(playerId));
        if (listed is null)
        {
            var idle = await matchmaker.IdleStreamersAsync();
            listed = idle.Count > 0 ? idle[0] : MessageTypes.WaitingQueue;
        }
        // Remembered so that subscribing to it never fails, even if that streamer is gone by then.
        await store
            .CreateTransaction()
            .When(new StateCondition.HashEqual(Keys.Player(playerId), PsFields.Conn, connectionId))
            .HashSet(Keys.Player(playerId), PsFields.Listed, listed)
            .ExecuteAsync();
        return listed;
    }

    public async Task RegisterStreamerAsync(
        string connectionId,
        string? currentId,
        string? requestedId,
        string? sourceIp,
        CancellationToken ct
    )
    {
        if (currentId is not null)
        {
            await RenameStreamerAsync(connectionId, currentId, requestedId, ct);
            return;
        }
        var wanted = Identifiers.IsValid(requestedId) ? requestedId! : "streamer-" + Shorten(connectionId);
        var (committed, orphan) = await matchmaker.RegisterStreamerAsync(connectionId, wanted, IsAliveAsync);
        if (orphan is not null)
            await HandleOrphanAsync(committed, orphan, ct);
        var instance = await workers.BindStreamerAsync(committed, sourceIp);
        logger.LogInformation(
            "Streamer registered as {StreamerId} (requested {Requested}, instance {Instance})",
            committed,
            requestedId,
            instance
        );
        await SendAsync(
            connectionId,
            new EndpointIdConfirmMessage(committed),
            PsJsonContext.Default.EndpointIdConfirmMessage,
            ct
        );

        var match = await matchmaker.OfferStreamerAsync(committed, StreamerStates.Initializing);
        if (match is not null)
            await StartQueuedSessionAsync(match, ct);
    }

    /// <summary>
    /// A second <c>endpointId</c>: as Epic's server does, the streamer takes the new id (an invalid one keeps the
    /// current), gets it confirmed, and the player subscribed to it hears <c>streamerIdChanged</c>, so the stock
    /// frontend keeps following it (it re-subscribes to that id after a reconnect).
    /// </summary>
    private async Task RenameStreamerAsync(
        string connectionId,
        string currentId,
        string? requestedId,
        CancellationToken ct
    )
    {
        var wanted = Identifiers.IsValid(requestedId) ? requestedId! : currentId;
        var renamed = await matchmaker.RenameStreamerAsync(connectionId, currentId, wanted);
        if (renamed is null)
            return; // the streamer left meanwhile
        if (renamed.Id != currentId)
        {
            logger.LogInformation(
                "Streamer {StreamerId} renamed itself to {NewId} (requested {Requested})",
                currentId,
                renamed.Id,
                requestedId
            );
        }

        await SendAsync(
            connectionId,
            new EndpointIdConfirmMessage(renamed.Id),
            PsJsonContext.Default.EndpointIdConfirmMessage,
            ct
        );
        if (renamed.Id != currentId && renamed.PlayerConnectionId is { } playerConn)
        {
            await SendAsync(
                playerConn,
                new StreamerIdChangedMessage(renamed.Id),
                PsJsonContext.Default.StreamerIdChangedMessage,
                ct
            );
        }
    }

    public async Task SubscribeAsync(string playerId, string connectionId, string? streamerId, CancellationToken ct)
    {
        if (
            !string.IsNullOrEmpty(streamerId)
            && streamerId != MessageTypes.WaitingQueue
            && !await store.SetContainsAsync(Keys.Streamers, streamerId)
            && await store.HashGetAsync(Keys.Player(playerId), PsFields.Listed) != streamerId
        )
        {
            // As Epic's server: an id that names no streamer (and that we never listed to this player) fails.
            logger.LogInformation(
                "Player {PlayerId} subscribed to unknown streamer {StreamerId}",
                playerId,
                streamerId
            );
            await SendAsync(
                connectionId,
                new SubscribeFailedMessage($"Streamer {streamerId} does not exist."),
                PsJsonContext.Default.SubscribeFailedMessage,
                ct
            );
            return;
        }
        var result = await matchmaker.SubscribeAsync(playerId, connectionId, streamerId);
        // As Epic's server: the old streamer hears playerDisconnected before any new playerConnected.
        if (result.Released is not null)
            await EndSessionAsync(result.Released, "player subscribed again", ct);
        switch (result.Outcome)
        {
            case SubscribeOutcome.Matched:
                await StartSessionAsync(result.Match!, ct);
                break;
            case SubscribeOutcome.Queued:
                logger.LogInformation("Player {PlayerId} is waiting for a streamer", playerId);
                await queue.JoinedAsync(connectionId, result.Position, result.AverageServeMs, ct);
                break;
            default:
                await SendAsync(
                    connectionId,
                    new SubscribeFailedMessage("not connected"),
                    PsJsonContext.Default.SubscribeFailedMessage,
                    ct
                );
                break;
        }
    }

    public Task UnsubscribeAsync(string playerId, string connectionId, CancellationToken ct) =>
        ReleasePlayerAsync(playerId, connectionId, disconnecting: false, "player unsubscribed", ct);

    public Task PlayerLeftAsync(string playerId, string connectionId, string reason, CancellationToken ct) =>
        ReleasePlayerAsync(playerId, connectionId, disconnecting: true, reason, ct);

    private async Task ReleasePlayerAsync(
        string playerId,
        string connectionId,
        bool disconnecting,
        string reason,
        CancellationToken ct
    )
    {
        await PlayerReleasedAsync(
            await matchmaker.ReleasePlayerAsync(playerId, connectionId, disconnecting),
            reason,
            ct
        );
    }

    /// <summary>After a player gave up its place: its streamer's session ends, or the players behind it move
    /// up.</summary>
    public async Task PlayerReleasedAsync(PlayerRelease release, string reason, CancellationToken ct)
    {
        if (release.Streamer is not null)
            await EndSessionAsync(release.Streamer, reason, ct);
        else if (release.WasWaiting)
            await queue.MovedAsync(ct);
    }

    public async Task StreamerLeftAsync(string streamerId, string connectionId, CancellationToken ct)
    {
        var orphan = await matchmaker.RemoveStreamerAsync(streamerId, connectionId);
        if (orphan is not null)
            await HandleOrphanAsync(streamerId, orphan, ct);
    }

    private async Task HandleOrphanAsync(string streamerId, OrphanedPlayer orphan, CancellationToken ct)
    {
        if (orphan.Requeued)
        {
            logger.LogInformation(
                "Streamer {StreamerId} left before serving player {PlayerId}; the player is back at the head of the queue",
                streamerId,
                orphan.PlayerId
            );
            if (!await ServeQueueFromIdleStreamersAsync(ct))
                await queue.MovedAsync(ct);
            return;
        }
        // Epic's server closes the player's socket when its streamer goes: the stock frontend has no handler
        // for streamerDisconnected, but on a close it shows the reason and reconnects by itself.
        logger.LogInformation(
            "Player {PlayerId} lost streamer {StreamerId}; closing its socket",
            orphan.PlayerId,
            streamerId
        );
        await store.SetStringAsync(Keys.PlayerResume(orphan.PlayerId), streamerId, ResumeWindow);
        await ClosePlayerAsync(
            orphan.PlayerId,
            orphan.PlayerConnectionId,
            CloseCodes.Normal,
            "streamer disconnected",
            ct
        );
    }

    /// <summary>
    /// A player put back in the queue while a streamer was idle would wait behind nobody: idle streamers are
    /// offered the queue's head. (Streamers cannot turn idle while the queue is non-empty, so this sees them all.)
    /// </summary>
    /// <returns>true when a waiting player was served (the queue has been told it moved).</returns>
    private async Task<bool> ServeQueueFromIdleStreamersAsync(CancellationToken ct)
    {
        var served = false;
        foreach (var idle in await matchmaker.IdleStreamersAsync())
        {
            var match = await matchmaker.OfferStreamerAsync(idle, StreamerStates.Idle);
            if (match is not null)
            {
                await StartQueuedSessionAsync(match, ct);
                served = true;
            }
            if (await store.ListLengthAsync(Keys.Queue) == 0)
                break;
        }
        return served;
    }

    /// <summary>Ends a player's connection from the server side: its state goes now, then the socket is closed with the
    /// code and reason given.</summary>
    private async Task ClosePlayerAsync(
        string playerId,
        string playerConnectionId,
        int closeCode,
        string reason,
        CancellationToken ct
    )
    {
        await store.DeleteAsync(Keys.Connection(playerConnectionId));
        await sender.CloseConnectionAsync(playerConnectionId, closeCode, reason, ct);
        await PlayerLeftAsync(playerId, playerConnectionId, reason, ct);
    }

    /// <summary>A player id connected again: the old socket is closed and its session ended now, not when the gateway
    /// gets round to it.</summary>
    public async Task EndPreviousPlayerConnectionAsync(
        string previousConnectionId,
        ReleasedStreamer? released,
        CancellationToken ct
    )
    {
        await store.DeleteAsync(Keys.Connection(previousConnectionId));
        await sender.DeleteConnectionAsync(previousConnectionId, ct);
        if (released is not null)
            await EndSessionAsync(released, "player connected again elsewhere", ct);
    }

    public async Task StreamerDisconnectsPlayerAsync(
        string streamerId,
        string streamerConnectionId,
        string? playerId,
        string reason,
        CancellationToken ct
    )
    {
        var player = playerId is null ? null : await store.HashGetAllAsync(Keys.Player(playerId));
        if (
            player is null
            || player.GetValueOrDefault(PsFields.Streamer) != streamerId
            || !player.TryGetValue(PsFields.Conn, out var playerConn)
        )
        {
            logger.LogWarning(
                "Streamer {StreamerId} asked to disconnect player {PlayerId} it does not serve",
                streamerId,
                playerId
            );
            await SendAsync(
                streamerConnectionId,
                new ErrorMessage("disconnectPlayer: not your player"),
                PsJsonContext.Default.ErrorMessage,
                ct
            );
            return;
        }
        logger.LogInformation(
            "Streamer {StreamerId} disconnects player {PlayerId}: {Reason}",
            streamerId,
            playerId,
            reason
        );
        // Epic closes the player's socket with 1011 and the streamer's reason, which the stock frontend shows.
        await ClosePlayerAsync(playerId!, playerConn, CloseCodes.ServerError, reason, ct);
    }

    public async Task RelayToStreamerAsync(
        string playerId,
        string playerConnectionId,
        string type,
        JsonObject message,
        CancellationToken ct
    )
    {
        var player = await store.HashGetAllAsync(Keys.Player(playerId));
        if (
            player.GetValueOrDefault(PsFields.Conn) != playerConnectionId
            || !player.TryGetValue(PsFields.Streamer, out var streamerId)
        )
        {
            await SendAsync(
                playerConnectionId,
                new ErrorMessage($"{type}: not subscribed to a streamer"),
                PsJsonContext.Default.ErrorMessage,
                ct
            );
            return;
        }
        var streamer = await store.HashGetAllAsync(Keys.Streamer(streamerId));
        if (
            streamer.GetValueOrDefault(PsFields.Player) != playerId
            || !streamer.TryGetValue(PsFields.Conn, out var streamerConn)
        )
        {
            await SendAsync(
                playerConnectionId,
                new ErrorMessage($"{type}: the streamer is gone"),
                PsJsonContext.Default.ErrorMessage,
                ct
            );
            return;
        }
        // The streamer serves players by id: stamp it, whatever the player claimed.
        message["playerId"] = playerId;
        await SendRawAsync(streamerConn, message, ct);
        if (type == MessageTypes.Answer && await matchmaker.MarkStreamingAsync(streamerId, playerId))
            logger.LogInformation("Streamer {StreamerId} is streaming to player {PlayerId}", streamerId, playerId);
    }

    public async Task RelayToPlayerAsync(
        string streamerId,
        string streamerConnectionId,
        string type,
        JsonObject message,
        CancellationToken ct
    )
    {
        var playerId = InboundMessage.String(message, "playerId");
        if (playerId is null)
        {
            // Single-player streamers (and older plugins) omit it: the one player they serve is meant.
            playerId = await store.HashGetAsync(Keys.Streamer(streamerId), PsFields.Player);
        }
        var player = playerId is null ? null : await store.HashGetAllAsync(Keys.Player(playerId));
        if (
            player is null
            || player.GetValueOrDefault(PsFields.Streamer) != streamerId
            || !player.TryGetValue(PsFields.Conn, out var playerConn)
        )
        {
            logger.LogInformation(
                "Dropped {Type} from {StreamerId} to player {PlayerId} it does not serve",
                type,
                streamerId,
                playerId
            );
            await SendAsync(
                streamerConnectionId,
                new ErrorMessage($"{type}: player {playerId} is not yours"),
                PsJsonContext.Default.ErrorMessage,
                ct
            );
            return;
        }
        message.Remove("playerId");
        await SendRawAsync(playerConn, message, ct);
        if (type == MessageTypes.Offer)
            await matchmaker.MarkOfferedAsync(streamerId, playerId!);
    }

    public async Task SendAsync<T>(string connectionId, T message, JsonTypeInfo<T> typeInfo, CancellationToken ct)
    {
        var status = await sender.SendAsync(connectionId, JsonSerializer.SerializeToUtf8Bytes(message, typeInfo), ct);
        if (status != SendStatus.Sent)
            logger.LogDebug("Send to {Target} failed: {Status}", connectionId, status);
    }

    public async Task SendRawAsync(string connectionId, JsonObject message, CancellationToken ct)
    {
        var status = await sender.SendAsync(
            connectionId,
            JsonSerializer.SerializeToUtf8Bytes(message, PsNodeJsonContext.Default.JsonObject),
            ct
        );
        if (status != SendStatus.Sent)
            logger.LogDebug("Relay to {Target} failed: {Status}", connectionId, status);
    }

    private async Task StartSessionAsync(Match match, CancellationToken ct)
    {
        logger.LogInformation("Matched player {PlayerId} with streamer {StreamerId}", match.PlayerId, match.StreamerId);
        if (match.ProjectUrl is not null && await workers.WorkerOfInstanceAsync(match.InstanceId) is { } worker)
        {
            var load = await workerClient.LoadProjectAsync(
                worker,
                new LoadProjectRequest(match.PlayerId, match.ProjectUrl),
                ct
            );
            if (load.StatusCode >= 300)
            {
                logger.LogWarning(
                    "Worker of {StreamerId} refused loadProject ({Status}): {Body}",
                    match.StreamerId,
                    load.StatusCode,
                    load.Body
                );
            }
        }
        await SendAsync(
            match.StreamerConnectionId,
            new PlayerConnectedMessage(match.PlayerId, DataChannel: true, Sfu: false),
            PsJsonContext.Default.PlayerConnectedMessage,
            ct
        );
        var told = await matchmaker.ConfirmToldAsync(match);
        if (!told.Told)
        {
            // The player left while we were telling the streamer; whoever released it left the goodbye to us, and
            // the hand-over after it.
            logger.LogInformation(
                "Player {PlayerId} left streamer {StreamerId} before it was told of the player",
                match.PlayerId,
                match.StreamerId
            );
            await SendAsync(
                match.StreamerConnectionId,
                new PlayerDisconnectedMessage(match.PlayerId),
                PsJsonContext.Default.PlayerDisconnectedMessage,
                ct
            );
            if (told.Next is not null)
                await StartQueuedSessionAsync(told.Next, ct);
        }
    }

    /// <summary>A match taken from the queue's head: the session starts and everyone behind moves up.</summary>
    private async Task StartQueuedSessionAsync(Match match, CancellationToken ct)
    {
        await StartSessionAsync(match, ct);
        await queue.MovedAsync(ct);
    }

    private async Task EndSessionAsync(ReleasedStreamer released, string reason, CancellationToken ct)
    {
        logger.LogInformation(
            "Player {PlayerId} left streamer {StreamerId}: {Reason}",
            released.PlayerId,
            released.StreamerId,
            reason
        );
        // A streamer not yet told of the player hears of the departure from whoever is telling it of the arrival.
        if (released.Told)
        {
            await SendAsync(
                released.StreamerConnectionId,
                new PlayerDisconnectedMessage(released.PlayerId),
                PsJsonContext.Default.PlayerDisconnectedMessage,
                ct
            );
        }
        if (released.Offered)
        {
            if (released.Next is not null)
                await StartQueuedSessionAsync(released.Next, ct);
            return;
        }
        if (await workers.WorkerOfInstanceAsync(released.InstanceId) is { } worker)
        {
            // The worker restarts the instance; the streamer reconnects fresh and re-enters the pool then.
            var result = await workerClient.DisconnectAsync(
                worker,
                new DisconnectRequest(released.PlayerId, reason),
                ct
            );
            if (result.StatusCode >= 300)
            {
                logger.LogWarning(
                    "Worker of {StreamerId} refused disconnect ({Status}): {Body}",
                    released.StreamerId,
                    result.StatusCode,
                    result.Body
                );
            }

            return;
        }
        // One not yet told of the player is handed on by its teller, after the goodbye (Matchmaker.ConfirmToldAsync).
        if (!released.Told)
            return;
        // A streamer without a worker cannot be restarted: it serves the next player as it is.
        var next = await matchmaker.OfferStreamerAsync(released.StreamerId, StreamerStates.Released);
        if (next is not null)
            await StartQueuedSessionAsync(next, ct);
    }

    /// <summary>WebSocket close codes we send (RFC 6455 §7.4.1).</summary>
    private static class CloseCodes
    {
        public const int Normal = 1000;

        /// <summary>What Epic's server closes a kicked player with.</summary>
        public const int ServerError = 1011;
    }

    private async Task<bool> IsAliveAsync(string connectionId) =>
        await store.ExistsAsync(Keys.Connection(connectionId))
        && await sender.GetConnectionAsync(connectionId) is not null;

    private static string Shorten(string connectionId)
    {
        // API Gateway connection ids carry '=' and friends; keep what an id may hold.
        var kept = new string(connectionId.Where(c => char.IsAsciiLetterOrDigit(c)).ToArray());
        return kept.Length <= 12 ? kept : kept[^12..];
    }
}
