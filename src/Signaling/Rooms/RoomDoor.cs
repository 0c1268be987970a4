using System.Text.Json;
using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms.State;
using MobZ.State;

namespace MobZ.Signaling.Rooms;

/// <summary>
/// $connect of the rooms API: nobody opens a socket without an access token. Browsers cannot set headers on a
/// WebSocket, so the token comes as the <c>access_token</c> query parameter (or an <c>Authorization: Bearer</c> header
/// from other clients). A missing or invalid token answers 401 and a token without the join grant 403, before the
/// socket opens — API Gateway passes a $connect integration's status to the client as the local gateway does. What
/// the token grants is recorded for the connection; Join and every later action are checked against it.
/// </summary>
public sealed class RoomDoor(
    AccessTokenValidator tokens,
    RoomRepository rooms,
    RoomsMetrics metrics,
    ILogger<RoomDoor> logger
)
{
    public const string TokenParameter = "access_token";

    public async Task<ProxyResponse> ConnectAsync(WebSocketEvent evt, CancellationToken cancellationToken)
    {
        string connectionId = evt.RequestContext.ConnectionId;
        var check = await tokens.ValidateAsync(TokenOf(evt), cancellationToken).ConfigureAwait(false);
        if (!check.IsValid)
            return Refuse(401, "Unauthorized", check.Failure!, check.Kind.ToString());
        var claims = check.Claims!;
        if (!claims.Has(AccessGrant.Join))
            return Refuse(403, "Forbidden", "the access token has no \"join\" grant", "NoJoinGrant");

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["userId"] = claims.UserId });
        try
        {
            await rooms.SaveAccessAsync(connectionId, ConnectionAccess.From(claims)).ConfigureAwait(false);
            // The heartbeat clock starts now, so a client that connects and never speaks is swept too (with its access
            // record).
            await rooms.TouchHeartbeatAsync(connectionId).ConfigureAwait(false);
        }
        catch (StateUnavailableException ex)
        {
            // A socket whose grants are not on record could do nothing; the client is told to retry, not shown a bare
            // 500.
            logger.LogWarning("$connect refused: the store is unavailable ({Error})", ex.Message);
            var refusal = Refuse(
                503,
                "Service Unavailable",
                "the room store is unavailable; retry shortly",
                "StoreUnavailable"
            );
            return refusal with
            {
                Headers = new Dictionary<string, string>(refusal.Headers!) { ["Retry-After"] = "1" },
            };
        }
        metrics.Connected();
        logger.LogInformation(
            "{UserId} connected with access to room {Room} ({Grants})",
            claims.UserId,
            claims.Room,
            string.Join(',', AccessGrants.Names(claims.Grants))
        );
        return ProxyResponse.Ok();
    }

    private ProxyResponse Refuse(int status, string message, string reason, string kind)
    {
        metrics.ConnectRefused(status, kind);
        logger.LogInformation("$connect refused with {Status}: {Reason}", status, reason);
        return new ProxyResponse
        {
            StatusCode = status,
            Headers = new Dictionary<string, string> { ["content-type"] = "application/json" },
            Body = JsonSerializer.Serialize(new DoorRefusal(message, reason), DoorJsonContext.Default.DoorRefusal),
        };
    }

    private static string? TokenOf(WebSocketEvent evt)
    {
        if (evt.QueryStringParameters?.GetValueOrDefault(TokenParameter) is { Length: > 0 } fromQuery)
            return fromQuery;
        var header = evt
            .Headers?.FirstOrDefault(h => string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
            .Value;
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header[7..].Trim()
            : null;
    }
}

/// <summary>The body of a refused $connect: API Gateway's own <c>message</c>, and why.</summary>
public sealed record DoorRefusal(
    [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message,
    [property: System.Text.Json.Serialization.JsonPropertyName("reason")] string Reason
);

[System.Text.Json.Serialization.JsonSerializable(typeof(DoorRefusal))]
internal sealed partial class DoorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
