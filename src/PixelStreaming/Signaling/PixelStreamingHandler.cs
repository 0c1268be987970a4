using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Protocol;
using MobZ.PixelStreaming.Security;
using MobZ.Signaling.Abstractions;
using MobZ.State;

namespace MobZ.PixelStreaming.Signaling;

/// <summary>
/// Epic's Pixel Streaming signalling (UE 5.5, protocol 1.x) as an API Gateway WebSocket integration:
/// <c>$connect</c> admits streamers (IP allow-list) and players (JWT); <c>$default</c> routes on the JSON
/// <c>type</c>; <c>$disconnect</c> releases whatever the connection held. All state is in the store, so any
/// number of handler instances (Lambdas) can serve one deployment.
/// </summary>
public sealed class PixelStreamingHandler(
    IStateStore store,
    Matchmaker matchmaker,
    Greeting greeting,
    IDeferredWork deferred,
    PlayerTokenValidator tokens,
    StreamerAllowList allowList,
    Sessions sessions,
    ILogger<PixelStreamingHandler> logger
) : IWebSocketHandler
{
    private PsKeys Keys => matchmaker.Keys;

    public async Task<ProxyResponse> HandleAsync(WebSocketEvent evt, CancellationToken cancellationToken)
    {
        var connectionId = evt.RequestContext.ConnectionId;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ConnectionId"] = connectionId });
        try
        {
            return evt.RequestContext.RouteKey switch
            {
                RouteKeys.Connect => await ConnectAsync(evt, connectionId),
                RouteKeys.Disconnect => await DisconnectAsync(connectionId, cancellationToken),
                _ => await MessageAsync(evt, connectionId, cancellationToken),
            };
        }
        catch (StateUnavailableException e)
        {
            // Redis unreachable or frozen past its command timeout: tell the client to retry, not a bare 500 or
            // "internal error".
            logger.LogWarning(
                "Pixel Streaming route {Route} refused: the store is unavailable ({Error})",
                evt.RequestContext.RouteKey,
                e.Message
            );
            if (evt.RequestContext.RouteKey == RouteKeys.Connect)
            {
                var refusal = ProxyResponse.Status(
                    503,
                    "{\"message\":\"Service Unavailable\",\"reason\":\"the store is unavailable; retry shortly\"}"
                );
                return refusal with
                {
                    Headers = new Dictionary<string, string>(refusal.Headers ?? new Dictionary<string, string>())
                    {
                        ["Retry-After"] = "1",
                    },
                };
            }
            await sessions.SendAsync(
                connectionId,
                new ErrorMessage("store unavailable; retry shortly"),
                PsJsonContext.Default.ErrorMessage,
                cancellationToken
            );
            return ProxyResponse.Ok();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Pixel Streaming route {Route} failed", evt.RequestContext.RouteKey);
            if (evt.RequestContext.RouteKey == RouteKeys.Connect)
                return ProxyResponse.Status(500, "internal error");
            await sessions.SendAsync(
                connectionId,
                new ErrorMessage("internal error"),
                PsJsonContext.Default.ErrorMessage,
                cancellationToken
            );
            return ProxyResponse.Ok();
        }
    }

    private async Task<ProxyResponse> ConnectAsync(WebSocketEvent evt, string connectionId)
    {
        var query = evt.QueryStringParameters;
        var type = query?.GetValueOrDefault("type") ?? Roles.Streamer;
        var sourceIp = StreamerAllowList.Normalize(evt.RequestContext.Identity.SourceIp)
            ?? evt.RequestContext.Identity.SourceIp;
        var connKey = Keys.Connection(connectionId);

        if (type == Roles.Streamer)
        {
            if (!await allowList.IsAllowedAsync(sourceIp))
            {
                logger.LogWarning("Streamer refused: source {SourceIp} is not on the allow-list", sourceIp);
                return ProxyResponse.Status(403, "streamer address not allowed");
            }
            await store.HashSetAsync(
                connKey,
                [
                    new(PsFields.Role, Roles.Streamer),
                    new(PsFields.SourceIp, sourceIp),
                    new(PsFields.Greeting, GreetingStates.Pending),
                ]
            );
            logger.LogInformation("Streamer connected from {SourceIp}", sourceIp);
            deferred.Defer("ps-greeting", ct => greeting.DeliverWithRetryAsync(connectionId, Roles.Streamer, ct));
            return ProxyResponse.Ok();
        }

        if (type != Roles.Player)
            return ProxyResponse.Status(400, "type must be player or streamer");

        var check = await tokens.ValidateAsync(query?.GetValueOrDefault("token"));
        if (!check.IsValid)
        {
            logger.LogWarning("Player refused from {SourceIp}: {Reason}", sourceIp, check.Failure);
            return ProxyResponse.Status(401, check.Failure);
        }
        var projectUrl = ProjectUrl(query?.GetValueOrDefault("projectUrl"));
        if (projectUrl is null)
            return ProxyResponse.Status(400, "projectUrl (an absolute http or https URL, URL-encoded) is required");

        var playerId = check.PlayerId!;
        await store.HashSetAsync(
            connKey,
            [
                new(PsFields.Role, Roles.Player),
                new(PsFields.Id, playerId),
                new(PsFields.SourceIp, sourceIp),
                new(PsFields.ProjectUrl, projectUrl),
                new(PsFields.Greeting, GreetingStates.Pending),
            ]
        );
        var (previous, released) = await matchmaker.AddPlayerAsync(playerId, connectionId, projectUrl);
        if (previous is not null)
        {
            logger.LogInformation(
                "Player {PlayerId} reconnected; closing its previous connection {Previous}",
                playerId,
                previous
            );
            await sessions.EndPreviousPlayerConnectionAsync(previous, released, CancellationToken.None);
        }
        logger.LogInformation("Player {PlayerId} connected from {SourceIp}", playerId, sourceIp);
        deferred.Defer("ps-greeting", ct => greeting.DeliverWithRetryAsync(connectionId, Roles.Player, ct));
        return ProxyResponse.Ok();
    }

    private async Task<ProxyResponse> DisconnectAsync(string connectionId, CancellationToken cancellationToken)
    {
        var (role, id, release) = await matchmaker.ConnectionClosedAsync(connectionId);
        if (id is null)
            return ProxyResponse.Ok();

        if (role == Roles.Player)
        {
            logger.LogInformation("Player {PlayerId} disconnected", id);
            if (release is not null)
                await sessions.PlayerReleasedAsync(release, "player disconnected", cancellationToken);
        }
        else if (role == Roles.Streamer)
        {
            logger.LogInformation("Streamer {StreamerId} disconnected", id);
            await sessions.StreamerLeftAsync(id, connectionId, cancellationToken);
        }
        return ProxyResponse.Ok();
    }

    private async Task<ProxyResponse> MessageAsync(
        WebSocketEvent evt,
        string connectionId,
        CancellationToken cancellationToken
    )
    {
        var conn = await store.HashGetAllAsync(Keys.Connection(connectionId));
        if (!conn.TryGetValue(PsFields.Role, out var role))
        {
            await ReplyErrorAsync(connectionId, "unknown connection; reconnect", cancellationToken);
            return ProxyResponse.Ok();
        }
        await greeting.EnsureSentAsync(
            connectionId,
            role,
            conn.GetValueOrDefault(PsFields.Greeting),
            cancellationToken
        );

        var body = evt.Body;
        if (body is null || body.Length > IConnectionSender.MaxPayloadBytes)
        {
            await ReplyErrorAsync(
                connectionId,
                body is null ? "empty message" : "message too large",
                cancellationToken
            );
            return ProxyResponse.Ok();
        }
        if (!InboundMessage.TryParse(body, out var message, out var type))
        {
            await ReplyErrorAsync(connectionId, InboundMessage.NotAnObject, cancellationToken);
            return ProxyResponse.Ok();
        }

        var id = conn.GetValueOrDefault(PsFields.Id);
        using var scope = logger.BeginScope(
            new Dictionary<string, object> { ["Role"] = role, ["EndpointId"] = id ?? "" }
        );
        var handled =
            role == Roles.Player
                ? await PlayerMessageAsync(connectionId, id!, type, message, cancellationToken)
                : await StreamerMessageAsync(
                    connectionId,
                    id,
                    conn.GetValueOrDefault(PsFields.SourceIp),
                    type,
                    message,
                    cancellationToken
                );
        if (!handled)
        {
            // Epic's server logs a type it has no handler for and answers nothing; clients written against it
            // (the Unreal plugin, the frontend) expect no reply, and get none here either: a counted drop.
            logger.LogInformation("Dropped unsupported {Role} message {Type}", role, Truncate(type));
            PsMetrics.DroppedMessages.Add(1, new("reason", "unknown_type"), new("role", role));
        }
        return ProxyResponse.Ok();
    }

    private async Task<bool> PlayerMessageAsync(
        string connectionId,
        string playerId,
        string type,
        JsonObject message,
        CancellationToken ct
    )
    {
        switch (type)
        {
            case MessageTypes.ListStreamers:
                var listed = await sessions.StreamerToListAsync(playerId, connectionId);
                await sessions.SendAsync(
                    connectionId,
                    new StreamerListMessage([listed]),
                    PsJsonContext.Default.StreamerListMessage,
                    ct
                );
                return true;
            case MessageTypes.Subscribe:
                var requested = InboundMessage.String(message, "streamerId");
                await sessions.SubscribeAsync(playerId, connectionId, requested, ct);
                return true;
            case MessageTypes.Unsubscribe:
                await sessions.UnsubscribeAsync(playerId, connectionId, ct);
                return true;
            case MessageTypes.Answer
            or MessageTypes.IceCandidate
            or MessageTypes.LayerPreference
            or MessageTypes.DataChannelRequest
            or "peerDataChannelsReady":
                await sessions.RelayToStreamerAsync(playerId, connectionId, type, message, ct);
                return true;
            case MessageTypes.Ping:
                await PongAsync(connectionId, message, ct);
                return true;
            case MessageTypes.Pong or MessageTypes.Stats:
                return true;
            default:
                return false;
        }
    }

    private async Task<bool> StreamerMessageAsync(
        string connectionId,
        string? streamerId,
        string? sourceIp,
        string type,
        JsonObject message,
        CancellationToken ct
    )
    {
        switch (type)
        {
            case MessageTypes.EndpointId:
                var requested = InboundMessage.String(message, "id");
                await sessions.RegisterStreamerAsync(connectionId, streamerId, requested, sourceIp, ct);
                return true;
            case MessageTypes.Ping:
                await PongAsync(connectionId, message, ct);
                return true;
            case MessageTypes.Pong or MessageTypes.Stats:
                return true;
        }
        if (streamerId is null)
        {
            await ReplyErrorAsync(connectionId, $"'{Truncate(type)}' before endpointId", ct);
            return true;
        }
        switch (type)
        {
            case MessageTypes.Offer
            or MessageTypes.Answer
            or MessageTypes.IceCandidate
            or MessageTypes.PeerDataChannels:
                await sessions.RelayToPlayerAsync(streamerId, connectionId, type, message, ct);
                return true;
            case MessageTypes.DisconnectPlayer:
                var playerId = InboundMessage.String(message, "playerId");
                var reason = InboundMessage.String(message, "reason") ?? "disconnected by streamer";
                await sessions.StreamerDisconnectsPlayerAsync(streamerId, connectionId, playerId, reason, ct);
                return true;
            default:
                return false;
        }
    }

    private Task PongAsync(string connectionId, JsonObject message, CancellationToken ct)
    {
        // Epic echoes time exactly as it came (Date.now() beyond 32 bits, a fractional performance.now(), ...):
        // the client computes its round trip from it, so it is copied, never converted.
        var pong = new JsonObject { ["type"] = MessageTypes.Pong };
        if (message["time"] is { } time)
            pong["time"] = time.DeepClone();
        return sessions.SendRawAsync(connectionId, pong, ct);
    }

    private Task ReplyErrorAsync(string connectionId, string text, CancellationToken ct) =>
        sessions.SendAsync(connectionId, new ErrorMessage(text), PsJsonContext.Default.ErrorMessage, ct);

    /// <summary>
    /// The gateway hands over query values decoded once; clients that encode the URL themselves before
    /// putting it in the query (as the seed's did) arrive still encoded, so one more decode is tried.
    /// Only http(s) URLs with a host pass: the URL reaches the streamer's worker and pages that may link it,
    /// where javascript:, data: or file: would be an injection.
    /// </summary>
    private static string? ProjectUrl(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
            return null;
        if (IsWebUrl(raw))
            return raw;
        var decoded = Uri.UnescapeDataString(raw);
        return IsWebUrl(decoded) ? decoded : null;
    }

    private static bool IsWebUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(uri.Host);

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64];
}
