using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// The WebSocket half of the local API Gateway. For each upgrade request: create the connection id, invoke
/// $connect BEFORE accepting (a non-2xx answer rejects the upgrade with that status and headers), accept, then turn
/// every received message into a MESSAGE event routed by the API's route selection expression, and end with $disconnect
/// carrying the close status. Messages over 128 KB close the connection with 1009, as AWS does; a client whose
/// unhandled messages exceed <see cref="GatewayOptions.MaxInboundBytesPerConnection"/> is closed with 1008.
/// </summary>
public sealed class WebSocketGateway(
    ConnectionRegistry registry,
    GatewayOptions options,
    TimeProvider time,
    ILoggerFactory loggerFactory
)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<WebSocketGateway>();

    public ConnectionRegistry Connections => registry;
    public GatewayOptions Options => options;

    public async Task HandleAsync(HttpContext context, WebSocketApi api)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await context.Response.WriteAsync("{\"message\":\"Upgrade Required\"}").ConfigureAwait(false);
            return;
        }

        if (!OriginAllowed(context.Request))
        {
            _logger.LogWarning(
                "WebSocket upgrade from origin {Origin} refused (not in the allowed origins)",
                context.Request.Headers.Origin.ToString()
            );
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("{\"message\":\"Forbidden\"}").ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        var sourceIp = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        var connection = registry.Create(
            api,
            now,
            sourceIp,
            context.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null,
            context.Request.Host.Value ?? "localhost"
        );
        using var scope = _logger.BeginScope(
            new Dictionary<string, object> { ["ConnectionId"] = connection.Id, ["ApiId"] = api.ApiId }
        );
        try
        {
            var connectResponse = await ConnectionDispatcher
                .InvokeAsync(
                    api.Handler,
                    WebSocketEventFactory.Connect(connection, context.Request, now),
                    options.IntegrationTimeout,
                    _logger
                )
                .ConfigureAwait(false);
            if (connectResponse.StatusCode is < 200 or > 299)
            {
                _logger.LogInformation("$connect rejected the upgrade with {Status}", connectResponse.StatusCode);
                context.Response.StatusCode = connectResponse.StatusCode;
                // The integration's headers reach the client as API Gateway passes them: a 503's Retry-After tells it
                // when to retry.
                foreach (var (name, value) in connectResponse.Headers ?? new Dictionary<string, string>())
                    context.Response.Headers[name] = value;
                if (connectResponse.Body is { Length: > 0 } body)
                    await context.Response.WriteAsync(body).ConfigureAwait(false);
                return;
            }

            var subProtocol = FindHeader(connectResponse.Headers, "Sec-WebSocket-Protocol");
            using var socket = await context
                .WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = subProtocol })
                .ConfigureAwait(false);
            connection.MarkOpen(socket);
            _logger.LogInformation("Connected from {SourceIp} to {Path}", sourceIp, api.Path);

            var dispatcher = new ConnectionDispatcher(connection, options, registry.Metrics, _logger);
            var (status, reason) = await ReceiveLoopAsync(connection, socket, dispatcher).ConfigureAwait(false);
            connection.MarkClosed();
            registry.Remove(connection);
            _logger.LogInformation("Disconnected: {Status} {Reason}", status, reason);
            await dispatcher
                .CompleteAsync(WebSocketEventFactory.Disconnect(connection, status, reason, time.GetUtcNow()))
                .ConfigureAwait(false);
        }
        finally
        {
            connection.MarkClosed();
            registry.Remove(connection);
        }
    }

    private async Task<(int Status, string Reason)> ReceiveLoopAsync(
        GatewayConnection connection,
        WebSocket socket,
        ConnectionDispatcher dispatcher
    )
    {
        // One pooled buffer per connection, one byte larger than the limit so an oversize message is detected
        // without ever allocating for it.
        var buffer = ArrayPool<byte>.Shared.Rent(IConnectionSender.MaxPayloadBytes + 1);
        var filled = 0;
        var discarding = false;
        try
        {
            while (true)
            {
                var result = await socket
                    .ReceiveAsync(
                        buffer.AsMemory(filled, IConnectionSender.MaxPayloadBytes + 1 - filled),
                        connection.Aborted
                    )
                    .ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await connection.AnswerClientCloseAsync(socket).ConfigureAwait(false);
                    return connection.ServerClose is { } server
                        ? ((int)server.Status, server.Reason)
                        : ClientCloseReason(socket.CloseStatus, socket.CloseStatusDescription);
                }
                connection.Touch(time.GetUtcNow());
                if (discarding)
                {
                    // Closing: drain what the client still sends until its close frame arrives.
                    filled = 0;
                    continue;
                }
                filled += result.Count;
                if (filled > IConnectionSender.MaxPayloadBytes)
                {
                    _logger.LogWarning(
                        "Message over {Limit} bytes; closing with 1009",
                        IConnectionSender.MaxPayloadBytes
                    );
                    await connection
                        .CloseAsync(
                            WebSocketCloseStatus.MessageTooBig,
                            "Message too big",
                            options.CloseHandshakeTimeout
                        )
                        .ConfigureAwait(false);
                    discarding = true;
                    filled = 0;
                    continue;
                }
                if (!result.EndOfMessage)
                    continue;

                var evt = BuildMessageEvent(connection, buffer.AsSpan(0, filled), result.MessageType);
                var cost = filled + options.InboundMessageOverheadBytes;
                filled = 0;
                if (!dispatcher.TryEnqueue(evt, cost))
                {
                    _logger.LogWarning(
                        "More than {Limit} bytes received and not yet handled; closing with 1008",
                        options.MaxInboundBytesPerConnection
                    );
                    registry.Metrics.InboundOverflowClosed();
                    await connection
                        .CloseAsync(
                            WebSocketCloseStatus.PolicyViolation,
                            $"Too many unhandled messages: more than {options.MaxInboundBytesPerConnection} bytes queued",
                            options.CloseHandshakeTimeout
                        )
                        .ConfigureAwait(false);
                    discarding = true;
                }
            }
        }
        catch (Exception ex)
            when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (connection.ServerClose is { } server)
                return ((int)server.Status, server.Reason);
            _logger.LogDebug(ex, "Connection ended without a close frame");
            return (1006, "Going away");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private WebSocketEvent BuildMessageEvent(
        GatewayConnection connection,
        ReadOnlySpan<byte> payload,
        WebSocketMessageType type
    )
    {
        var now = time.GetUtcNow();
        if (type == WebSocketMessageType.Binary)
        {
            return WebSocketEventFactory.Message(
                connection,
                RouteKeys.Default,
                Convert.ToBase64String(payload),
                isBase64Encoded: true,
                now
            );
        }

        var route = connection.Api.RouteSelection.SelectRoute(payload, connection.Api.Registration.Routes);
        return WebSocketEventFactory.Message(
            connection,
            route,
            Encoding.UTF8.GetString(payload),
            isBase64Encoded: false,
            now
        );
    }

    /// <summary>AWS's wording for a client-initiated close, e.g. "Client-side close frame status code '1000'
    /// (NORMAL_CLOSURE) - with reason 'bye'".</summary>
    private static (int Status, string Reason) ClientCloseReason(WebSocketCloseStatus? status, string? description)
    {
        var code = status is null ? 1005 : (int)status.Value;
        var name = code switch
        {
            1000 => "NORMAL_CLOSURE",
            1001 => "GOING_AWAY",
            1002 => "PROTOCOL_ERROR",
            1003 => "UNSUPPORTED_DATA",
            1005 => "NO_STATUS_CODE",
            1007 => "INVALID_PAYLOAD_DATA",
            1008 => "POLICY_VIOLATION",
            1009 => "MESSAGE_TOO_BIG",
            1011 => "INTERNAL_ERROR",
            _ => "UNKNOWN",
        };
        var withReason = string.IsNullOrEmpty(description) ? "without reason" : $"with reason '{description}'";
        return (code, $"Client-side close frame status code '{code}' ({name}) - {withReason}");
    }

    /// <summary>
    /// A browser always sends Origin; without an allow-list only the page's own origin and loopback pages may open
    /// a socket, so a site the developer visits cannot talk to their local stack as them.
    /// </summary>
    private bool OriginAllowed(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
            return true;
        if (options.AllowedOrigins is { } allowed)
            return allowed.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
            return false;
        return string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase) || uri.IsLoopback;
    }

    private static string? FindHeader(IReadOnlyDictionary<string, string>? headers, string name) =>
        headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
