using System.Text.Json;
using MobZ.Aws.ApiGateway;
using MobZ.Signaling;

namespace MobZ.Aws.Lambda;

/// <summary>
/// Recognises what API Gateway sent by its shape — a WebSocket event has requestContext.connectionId and
/// eventType; an HTTP API event has version "2.0" and requestContext.http — and hands it to the matching
/// handler; the <see cref="ProxyResponse"/> becomes the invocation's response.
/// </summary>
public sealed class ApiGatewayEventDispatcher(IWebSocketHandler? webSocketHandler, IHttpHandler? httpHandler) : ILambdaInvocationHandler
{
    public const string UnknownEventErrorType = "Runtime.UnknownEventShape";

    public enum EventShape { Unknown, WebSocket, HttpApi }

    /// <summary>
    /// Called with the WebSocket event before its handler, so the Management API endpoint can follow the
    /// event's domainName and stage.
    /// </summary>
    public Action<WebSocketEvent>? OnWebSocketEvent { get; init; }

    public async Task<ReadOnlyMemory<byte>> InvokeAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        ProxyResponse response;
        switch (Detect(invocation.Event.Span))
        {
            case EventShape.WebSocket when webSocketHandler is not null:
                var wsEvent = JsonSerializer.Deserialize(invocation.Event.Span, ApiGatewayJsonContext.Default.WebSocketEvent)!;
                OnWebSocketEvent?.Invoke(wsEvent);
                response = await webSocketHandler.HandleAsync(wsEvent, cancellationToken).ConfigureAwait(false);
                break;
            case EventShape.HttpApi when httpHandler is not null:
                var httpEvent = JsonSerializer.Deserialize(invocation.Event.Span, ApiGatewayJsonContext.Default.HttpApiEvent)!;
                response = await httpHandler.HandleAsync(httpEvent, cancellationToken).ConfigureAwait(false);
                break;
            case var shape:
                throw new LambdaFunctionException(UnknownEventErrorType,
                    shape == EventShape.Unknown
                        ? "The event is neither an API Gateway WebSocket event nor an HTTP API (2.0) event."
                        : $"This function has no handler for {shape} events (MOBZ_HANDLER).");
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
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("requestContext", out var context) || context.ValueKind != JsonValueKind.Object)
                return EventShape.Unknown;
            if (context.TryGetProperty("connectionId", out var id) && id.ValueKind == JsonValueKind.String
                && context.TryGetProperty("eventType", out var type) && type.ValueKind == JsonValueKind.String)
                return EventShape.WebSocket;
            if (root.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.String && version.GetString() == "2.0"
                && context.TryGetProperty("http", out var http) && http.ValueKind == JsonValueKind.Object)
                return EventShape.HttpApi;
            return EventShape.Unknown;
        }
        catch (JsonException)
        {
            return EventShape.Unknown;
        }
    }
}
