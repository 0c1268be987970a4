using System.Text;
using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms.Actions;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.State;

namespace MobZ.Signaling.Rooms.Whip;

/// <summary>
/// WHIP ingest (RFC 9725) into p2m rooms, as an HTTP API integration (docs/whip.md):
/// <list type="bullet">
/// <item><c>POST /whip/{room}</c> with an <c>application/sdp</c> offer and <c>Authorization: Bearer &lt;token&gt;</c>
/// (an access token for the room with the <c>p2m-publish</c> grant) → 201 with the Munit's answer and the session URL
/// in <c>Location</c>;</item>
/// <item><c>DELETE /whip/{room}/{session}</c> (same token) → 200: the station closes, the playlist ends;</item>
/// <item><c>PATCH</c> → 405: the Munit is ICE-lite and its answer carries its candidates, so neither trickle nor ICE
/// restart is needed (RFC 9725 §4.3.1 allows a server without them to answer 405);</item>
/// <item><c>OPTIONS</c> → 204 with CORS headers, so a browser WHIP client on another origin may call it.</item>
/// </list>
/// Fail closed: no token, a bad one, the wrong room or a missing grant is refused before anything is read or placed.
/// </summary>
public sealed class WhipHandler(
    AccessTokenValidator tokens,
    RoomSignals signals,
    RoomsMetrics metrics,
    ILogger<WhipHandler> logger
) : IHttpHandler
{
    public const string Prefix = "/whip";
    public const string SdpType = "application/sdp";

    public async Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken)
    {
        string method = evt.RequestContext.Http.Method.ToUpperInvariant();
        string path = evt.RawPath.TrimEnd('/');
        string[] segments =
            path.Length > Prefix.Length && path.StartsWith(Prefix + "/", StringComparison.Ordinal)
                ? path[(Prefix.Length + 1)..].Split('/')
                : [];
        if (method == "OPTIONS")
            return Preflight(segments.Length);
        switch (segments.Length)
        {
            case 1 when method == "POST":
                return await PublishAsync(evt, Uri.UnescapeDataString(segments[0]), cancellationToken)
                    .ConfigureAwait(false);
            case 1:
                return NotAllowed("POST, OPTIONS");
            case 2 when method == "DELETE":
                return await EndAsync(
                        evt,
                        Uri.UnescapeDataString(segments[0]),
                        Uri.UnescapeDataString(segments[1]),
                        cancellationToken
                    )
                    .ConfigureAwait(false);
            case 2:
                // PATCH (trickle ICE, ICE restart) included: not supported, so 405 as RFC 9725 says.
                return NotAllowed("DELETE, OPTIONS");
            default:
                return Text(404, "Not found: WHIP endpoints are /whip/{room}");
        }
    }

    private async Task<ProxyResponse> PublishAsync(HttpApiEvent evt, string roomId, CancellationToken ct)
    {
        var (claims, refused) = await AuthorizeAsync(evt, roomId, ct).ConfigureAwait(false);
        if (refused is not null)
            return refused;
        string contentType = (Header(evt, "content-type") ?? "").Split(';')[0].Trim();
        if (!string.Equals(contentType, SdpType, StringComparison.OrdinalIgnoreCase))
            return Refuse(new(415, "not_sdp", $"The offer must be sent as Content-Type: {SdpType}"));
        string offer = Body(evt);
        if (WhipOffer.Check(offer) is { } bad)
            return Refuse(bad);

        WhipPublished published;
        try
        {
            published = await signals.PublishWhipAsync(roomId, claims!, offer, ct).ConfigureAwait(false);
        }
        catch (SignalException ex)
        {
            return Refuse(FromSignal(ex, roomId));
        }
        catch (StateUnavailableException ex)
        {
            logger.LogWarning("WHIP publish refused: the store is unavailable ({Error})", ex.Message);
            return Refuse(new(503, "store_unavailable", "The room store is unavailable; retry shortly"));
        }
        metrics.WhipStarted();
        string location = $"{Prefix}/{roomId}/{published.SessionId}";
        return WithCors(
            new ProxyResponse
            {
                StatusCode = 201,
                Headers = new Dictionary<string, string> { ["content-type"] = SdpType, ["location"] = location },
                Body = published.AnswerSdp,
            }
        );
    }

    private async Task<ProxyResponse> EndAsync(HttpApiEvent evt, string roomId, string sessionId, CancellationToken ct)
    {
        var (_, refused) = await AuthorizeAsync(evt, roomId, ct).ConfigureAwait(false);
        if (refused is not null)
            return refused;
        if (!await signals.EndWhipAsync(roomId, sessionId, ct).ConfigureAwait(false))
            return Text(404, $"No WHIP session {sessionId} in room {roomId}");
        logger.LogInformation("WHIP session {SessionId} in room {RoomId} ended by DELETE", sessionId, roomId);
        return WithCors(new ProxyResponse { StatusCode = 200 });
    }

    /// <summary>The bearer token must be valid, cover the room and hold p2m-publish; 401 or 403 otherwise.</summary>
    private async Task<(AccessClaims? Claims, ProxyResponse? Refused)> AuthorizeAsync(
        HttpApiEvent evt,
        string roomId,
        CancellationToken ct
    )
    {
        string? header = Header(evt, "authorization");
        string? token =
            header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? header[7..].Trim()
                : null;
        if (string.IsNullOrEmpty(token))
            return (null, Unauthorized("no_token", "A bearer token is required (Authorization: Bearer <token>)", null));
        var check = await tokens.ValidateAsync(token, ct).ConfigureAwait(false);
        if (!check.IsValid)
            return (null, Unauthorized(check.Kind.ToString(), "The bearer token was refused: " + check.Failure, check));
        var claims = check.Claims!;
        if (!RoomIds.IsValid(roomId))
        {
            return (
                null,
                Refuse(new(400, "bad_room", $"A room name is 1-{RoomIds.MaxLength} letters, digits, '-', '_' or '.'"))
            );
        }
        if (!claims.Covers(roomId))
            return (null, Refuse(new(403, "wrong_room", $"The token is for room \"{claims.Room}\", not \"{roomId}\"")));
        if (!claims.Has(AccessGrant.P2mPublish))
        {
            return (
                null,
                Refuse(
                    new(403, "no_grant", $"Publishing needs the \"{AccessGrants.P2mPublishName}\" grant in the token")
                )
            );
        }
        return (claims, null);
    }

    private static WhipRefusal FromSignal(SignalException ex, string roomId) =>
        ex.Code switch
        {
            ErrorCodes.RoomKindMismatch => new(409, "not_p2m", $"{ex.Message}; WHIP publishes into p2m rooms only"),
            ErrorCodes.RoomFull => new(409, "publisher_exists", $"Room {roomId} already has its p2m publisher"),
            ErrorCodes.NoMunitAvailable => new(503, "no_munit", "No media server is available; retry shortly"),
            ErrorCodes.MunitTimeout => new(503, "munit_timeout", "The media server did not answer in time; retry"),
            ErrorCodes.Busy => new(503, "busy", ex.Message),
            ErrorCodes.MunitError => new(
                400,
                "offer_refused",
                "The media server could not answer the offer: " + ex.Message
            ),
            _ => new(500, "error", ex.Message),
        };

    private ProxyResponse Refuse(WhipRefusal refusal)
    {
        metrics.WhipRefused(refusal.Status, refusal.Reason);
        logger.LogInformation(
            "WHIP request refused with {Status} ({Reason}): {Message}",
            refusal.Status,
            refusal.Reason,
            refusal.Message
        );
        var response = Text(refusal.Status, refusal.Message);
        return refusal.Status == 503
            ? response with
            {
                Headers = new Dictionary<string, string>(response.Headers!) { ["retry-after"] = "1" },
            }
            : response;
    }

    private ProxyResponse Unauthorized(string reason, string message, AccessCheck? check)
    {
        var response = Refuse(new(401, reason, message));
        // RFC 6750 §3: a bad token says so; a missing one only names the scheme.
        string challenge = check is null ? "Bearer realm=\"mobz\"" : "Bearer realm=\"mobz\", error=\"invalid_token\"";
        return response with
        {
            Headers = new Dictionary<string, string>(response.Headers!) { ["www-authenticate"] = challenge },
        };
    }

    private static ProxyResponse NotAllowed(string allow)
    {
        var response = Text(405, "Method not allowed here; allowed: " + allow);
        return response with { Headers = new Dictionary<string, string>(response.Headers!) { ["allow"] = allow } };
    }

    /// <summary>CORS preflight (and a plain OPTIONS): what a browser on another origin may send.</summary>
    private static ProxyResponse Preflight(int segments) =>
        WithCors(
            new ProxyResponse
            {
                StatusCode = 204,
                Headers = new Dictionary<string, string>
                {
                    ["access-control-allow-methods"] = "POST, DELETE, PATCH, OPTIONS",
                    ["access-control-allow-headers"] = "authorization, content-type, if-match",
                    ["access-control-max-age"] = "86400",
                    ["allow"] = segments == 2 ? "DELETE, OPTIONS" : "POST, OPTIONS",
                    ["accept-post"] = SdpType,
                },
            }
        );

    private static ProxyResponse Text(int status, string message) =>
        WithCors(
            new ProxyResponse
            {
                StatusCode = status,
                Headers = new Dictionary<string, string> { ["content-type"] = "text/plain; charset=utf-8" },
                Body = message,
            }
        );

    /// <summary>Any origin may call (the bearer token, not a cookie, is the credential); the session URL is
    /// readable.</summary>
    private static ProxyResponse WithCors(ProxyResponse response)
    {
        var headers = response.Headers is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string>(response.Headers);
        headers["access-control-allow-origin"] = "*";
        headers["access-control-expose-headers"] = "location";
        return response with { Headers = headers };
    }

    private static string? Header(HttpApiEvent evt, string name) =>
        evt.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string Body(HttpApiEvent evt)
    {
        if (string.IsNullOrEmpty(evt.Body))
            return "";
        if (!evt.IsBase64Encoded)
            return evt.Body;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(evt.Body));
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
