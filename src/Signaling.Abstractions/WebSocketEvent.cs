using System.Text.Json.Serialization;

namespace MobZ.Signaling.Abstractions;

/// <summary>
/// The event API Gateway (WebSocket API) sends a Lambda integration, field for field as AWS documents it.
/// The local gateway builds the same JSON, so handlers cannot tell the two apart.
/// </summary>
public sealed record WebSocketEvent
{
    [JsonPropertyName("requestContext")]
    public required WebSocketRequestContext RequestContext { get; init; }

    [JsonPropertyName("headers")]
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    [JsonPropertyName("multiValueHeaders")]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? MultiValueHeaders { get; init; }

    [JsonPropertyName("queryStringParameters")]
    public IReadOnlyDictionary<string, string>? QueryStringParameters { get; init; }

    [JsonPropertyName("multiValueQueryStringParameters")]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? MultiValueQueryStringParameters { get; init; }

    [JsonPropertyName("body")]
    public string? Body { get; init; }

    [JsonPropertyName("isBase64Encoded")]
    public bool IsBase64Encoded { get; init; }
}

public sealed record WebSocketRequestContext
{
    /// <summary>"$connect", "$disconnect", "$default" or a custom route key.</summary>
    [JsonPropertyName("routeKey")]
    public required string RouteKey { get; init; }

    /// <summary>"CONNECT", "MESSAGE" or "DISCONNECT".</summary>
    [JsonPropertyName("eventType")]
    public required string EventType { get; init; }

    [JsonPropertyName("connectionId")]
    public required string ConnectionId { get; init; }

    [JsonPropertyName("domainName")]
    public required string DomainName { get; init; }

    [JsonPropertyName("stage")]
    public required string Stage { get; init; }

    [JsonPropertyName("apiId")]
    public string? ApiId { get; init; }

    [JsonPropertyName("requestId")]
    public string? RequestId { get; init; }

    [JsonPropertyName("extendedRequestId")]
    public string? ExtendedRequestId { get; init; }

    [JsonPropertyName("messageId")]
    public string? MessageId { get; init; }

    [JsonPropertyName("messageDirection")]
    public string? MessageDirection { get; init; }

    [JsonPropertyName("connectedAt")]
    public long ConnectedAt { get; init; }

    [JsonPropertyName("requestTimeEpoch")]
    public long RequestTimeEpoch { get; init; }

    [JsonPropertyName("requestTime")]
    public string? RequestTime { get; init; }

    [JsonPropertyName("disconnectStatusCode")]
    public int? DisconnectStatusCode { get; init; }

    [JsonPropertyName("disconnectReason")]
    public string? DisconnectReason { get; init; }

    [JsonPropertyName("identity")]
    public required WebSocketIdentity Identity { get; init; }
}

public sealed record WebSocketIdentity
{
    [JsonPropertyName("sourceIp")]
    public required string SourceIp { get; init; }

    [JsonPropertyName("userAgent")]
    public string? UserAgent { get; init; }
}

public static class RouteKeys
{
    public const string Connect = "$connect";
    public const string Disconnect = "$disconnect";
    public const string Default = "$default";
}

public static class EventTypes
{
    public const string Connect = "CONNECT";
    public const string Message = "MESSAGE";
    public const string Disconnect = "DISCONNECT";
}
