using System.Text.Json;
using MobZ.Aws.Lambda;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.ApiGateway;

namespace MobZ.Signaling.Aws.Lambda;

/// <summary>
/// Recognises what invoked the function by the event's shape — a WebSocket event has requestContext.connectionId
/// and eventType; an HTTP API event has version "2.0" and requestContext.http; an EventBridge schedule has
/// source "aws.events" and detail-type "Scheduled Event" — and hands it to the matching handler. For API
/// Gateway events the <see cref="ProxyResponse"/> becomes the invocation's response.
/// </summary>
public sealed class ApiGatewayEventDispatcher(IWebSocketHandler? webSocketHandler, IHttpHandler? httpHandler)
    : ILambdaInvocationHandler
{
    public const string UnknownEventErrorType = "Runtime.UnknownEventShape";

    public enum EventShape
    {
        Unknown,
        WebSocket,
        HttpApi,
        Scheduled,
    }

    /// <summary>
    /// Called with the WebSocket event before its handler, so the Management API endpoint can follow the
    /// event's domainName and stage.
    /// </summary>
    public Action<WebSocketEvent>? OnWebSocketEvent { get; init; }

    /// <summary>Runs for EventBridge scheduled events (e.g. the rooms heartbeat sweep); null rejects them.</summary>
    public Func<CancellationToken, Task>? ScheduledHandler { get; init; }

    /// <summary>Work started by a handler that must finish after the response is posted (see <see
    /// cref="ILambdaInvocationHandler.AfterResponseAsync"/>).</summary>
    public Func<CancellationToken, Task>? AfterResponse { get; init; }

    public Task AfterResponseAsync(CancellationToken cancellationToken) =>
        AfterResponse?.Invoke(cancellationToken) ?? Task.CompletedTask;

    public async Task<ReadOnlyMemory<byte>> InvokeAsync(
        LambdaInvocation invocation,
        CancellationToken cancellationToken
    )
    {
        ProxyResponse response;
        switch (Detect(invocation.Event.Span))
        {
            case EventShape.WebSocket when webSocketHandler is not null:
                var wsEvent = JsonSerializer.Deserialize(
                    invocation.Event.Span,
                    ApiGatewayJsonContext.Default.WebSocketEvent
                )!;
                OnWebSocketEvent?.Invoke(wsEvent);
                response = await webSocketHandler.HandleAsync(wsEvent, cancellationToken).ConfigureAwait(false);
                break;
            case EventShape.HttpApi when httpHandler is not null:
                var httpEvent = JsonSerializer.Deserialize(
                    invocation.Event.Span,
                    ApiGatewayJsonContext.Default.HttpApiEvent
                )!;
                response = await httpHandler.HandleAsync(httpEvent, cancellationToken).ConfigureAwait(false);
                break;
            case EventShape.Scheduled when ScheduledHandler is not null:
                await ScheduledHandler(cancellationToken).ConfigureAwait(false);
                return "{}"u8.ToArray();
            case var shape:
                throw new LambdaFunctionException(
                    UnknownEventErrorType,
                    shape == EventShape.Unknown
                        ? "The event is neither an API Gateway WebSocket event, an HTTP API (2.0) event nor an EventBridge schedule."
                        : $"This function has no handler for {shape} events (MOBZ_HANDLER)."
                );
        }
        return JsonSerializer.SerializeToUtf8Bytes(response, ApiGatewayJsonContext.Default.ProxyResponse);
    }

    public static EventShape Detect(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return EventShape.Unknown;
            if (
                root.TryGetProperty("source", out var source)
                && source.ValueKind == JsonValueKind.String
                && source.GetString() == "aws.events"
                && root.TryGetProperty("detail-type", out var detailType)
                && detailType.ValueKind == JsonValueKind.String
                && detailType.GetString() == "Scheduled Event"
            )
            {
                return EventShape.Scheduled;
            }

            if (!root.TryGetProperty("requestContext", out var context) || context.ValueKind != JsonValueKind.Object)
                return EventShape.Unknown;
            if (
                context.TryGetProperty("connectionId", out var id)
                && id.ValueKind == JsonValueKind.String
                && context.TryGetProperty("eventType", out var type)
                && type.ValueKind == JsonValueKind.String
            )
            {
                return EventShape.WebSocket;
            }

            if (
                root.TryGetProperty("version", out var version)
                && version.ValueKind == JsonValueKind.String
                && version.GetString() == "2.0"
                && context.TryGetProperty("http", out var http)
                && http.ValueKind == JsonValueKind.Object
            )
            {
                return EventShape.HttpApi;
            }

            return EventShape.Unknown;
        }
        catch (JsonException)
        {
            return EventShape.Unknown;
        }
    }
}
