using System.Text.Json.Serialization;
using MobZ.Signaling.Abstractions;

namespace MobZ.Signaling.Aws.ApiGateway;

/// <summary>GET @connections/{id} answer, as the Management API documents it.</summary>
public sealed record GetConnectionResponse(
    [property: JsonPropertyName("ConnectedAt")] DateTimeOffset ConnectedAt,
    [property: JsonPropertyName("Identity")] GetConnectionIdentity Identity,
    [property: JsonPropertyName("LastActiveAt")] DateTimeOffset LastActiveAt
);

public sealed record GetConnectionIdentity(
    [property: JsonPropertyName("SourceIp")] string SourceIp,
    [property: JsonPropertyName("UserAgent")] string? UserAgent
);

/// <summary>The body of API Gateway error answers: {"message": "..."} (plus x-amzn-ErrorType header).</summary>
public sealed record ApiGatewayError([property: JsonPropertyName("message")] string? Message);

/// <summary>
/// Source-generated JSON for everything that crosses the API Gateway ↔ Lambda boundary: the events, the proxy
/// response, and the Management API bodies. The Lambda runtime and the local gateway both use it, so the JSON
/// the handlers see is byte-for-byte the same shape in both places.
/// </summary>
[JsonSerializable(typeof(WebSocketEvent))]
[JsonSerializable(typeof(HttpApiEvent))]
[JsonSerializable(typeof(ProxyResponse))]
[JsonSerializable(typeof(GetConnectionResponse))]
[JsonSerializable(typeof(ApiGatewayError))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public sealed partial class ApiGatewayJsonContext : JsonSerializerContext;
