using System.Globalization;
using Microsoft.AspNetCore.Http;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// Builds the events API Gateway sends a WebSocket API's Lambda integration, field for field:
/// CONNECT carries the upgrade request's headers and query string, MESSAGE the frame's body and a messageId,
/// DISCONNECT the close status and reason.
/// </summary>
public static class WebSocketEventFactory
{
    public static WebSocketEvent Connect(GatewayConnection connection, HttpRequest request, DateTimeOffset now)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var multiHeaders = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            var list = values.Where(v => v is not null).Select(v => v!).ToArray();
            headers[name] = string.Join(',', list);
            multiHeaders[name] = list;
        }
        // What API Gateway's front end adds.
        AddHeader(headers, multiHeaders, "X-Forwarded-For", connection.SourceIp);
        AddHeader(
            headers,
            multiHeaders,
            "X-Forwarded-Port",
            request.Host.Port?.ToString(CultureInfo.InvariantCulture) ?? (request.IsHttps ? "443" : "80")
        );
        AddHeader(headers, multiHeaders, "X-Forwarded-Proto", request.IsHttps ? "https" : "http");

        Dictionary<string, string>? query = null;
        Dictionary<string, IReadOnlyList<string>>? multiQuery = null;
        if (request.Query.Count > 0)
        {
            query = new Dictionary<string, string>(StringComparer.Ordinal);
            multiQuery = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var (name, values) in request.Query)
            {
                var list = values.Where(v => v is not null).Select(v => v!).ToArray();
                // API Gateway keeps the last value in the single-value map.
                query[name] = list.Length > 0 ? list[^1] : "";
                multiQuery[name] = list;
            }
        }

        return new WebSocketEvent
        {
            RequestContext = Context(connection, RouteKeys.Connect, EventTypes.Connect, now, messageId: null),
            Headers = headers,
            MultiValueHeaders = multiHeaders,
            QueryStringParameters = query,
            MultiValueQueryStringParameters = multiQuery,
            IsBase64Encoded = false,
        };
    }

    public static WebSocketEvent Message(
        GatewayConnection connection,
        string routeKey,
        string body,
        bool isBase64Encoded,
        DateTimeOffset now
    ) =>
        new()
        {
            RequestContext = Context(connection, routeKey, EventTypes.Message, now, ConnectionRegistry.NewToken(10)),
            Body = body,
            IsBase64Encoded = isBase64Encoded,
        };

    public static WebSocketEvent Disconnect(
        GatewayConnection connection,
        int statusCode,
        string reason,
        DateTimeOffset now
    ) =>
        new()
        {
            RequestContext = Context(connection, RouteKeys.Disconnect, EventTypes.Disconnect, now, messageId: null) with
            {
                DisconnectStatusCode = statusCode,
                DisconnectReason = reason,
            },
            Headers = new Dictionary<string, string>
            {
                ["Host"] = connection.Host,
                ["X-Forwarded-For"] = connection.SourceIp,
            },
            MultiValueHeaders = new Dictionary<string, IReadOnlyList<string>>
            {
                ["Host"] = [connection.Host],
                ["X-Forwarded-For"] = [connection.SourceIp],
            },
            IsBase64Encoded = false,
        };

    private static WebSocketRequestContext Context(
        GatewayConnection connection,
        string routeKey,
        string eventType,
        DateTimeOffset now,
        string? messageId
    )
    {
        var requestId = ConnectionRegistry.NewToken(10);
        return new WebSocketRequestContext
        {
            RouteKey = routeKey,
            EventType = eventType,
            ConnectionId = connection.Id,
            DomainName = connection.Host,
            Stage = connection.Api.Stage,
            ApiId = connection.Api.ApiId,
            RequestId = requestId,
            ExtendedRequestId = requestId,
            MessageId = messageId,
            MessageDirection = "IN",
            ConnectedAt = connection.ConnectedAt.ToUnixTimeMilliseconds(),
            RequestTimeEpoch = now.ToUnixTimeMilliseconds(),
            RequestTime = now.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
            Identity = new WebSocketIdentity { SourceIp = connection.SourceIp, UserAgent = connection.UserAgent },
        };
    }

    private static void AddHeader(
        Dictionary<string, string> headers,
        Dictionary<string, IReadOnlyList<string>> multi,
        string name,
        string value
    )
    {
        headers[name] = value;
        multi[name] = [value];
    }
}
