using System.Text.Json.Serialization;

namespace MobZ.Signaling.Abstractions;

/// <summary>API Gateway HTTP API (payload format 2.0) request, as a Lambda integration receives it.</summary>
public sealed record HttpApiEvent
{
    [JsonPropertyName("version")]
    public string Version { get; init; } = "2.0";

    [JsonPropertyName("routeKey")]
    public required string RouteKey { get; init; }

    [JsonPropertyName("rawPath")]
    public required string RawPath { get; init; }

    [JsonPropertyName("rawQueryString")]
    public string RawQueryString { get; init; } = "";

    [JsonPropertyName("headers")]
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    [JsonPropertyName("queryStringParameters")]
    public IReadOnlyDictionary<string, string>? QueryStringParameters { get; init; }

    [JsonPropertyName("pathParameters")]
    public IReadOnlyDictionary<string, string>? PathParameters { get; init; }

    [JsonPropertyName("requestContext")]
    public required HttpApiRequestContext RequestContext { get; init; }

    [JsonPropertyName("body")]
    public string? Body { get; init; }

    [JsonPropertyName("isBase64Encoded")]
    public bool IsBase64Encoded { get; init; }
}

public sealed record HttpApiRequestContext
{
    [JsonPropertyName("accountId")]
    public string? AccountId { get; init; }

    [JsonPropertyName("apiId")]
    public string? ApiId { get; init; }

    [JsonPropertyName("domainName")]
    public required string DomainName { get; init; }

    [JsonPropertyName("requestId")]
    public string? RequestId { get; init; }

    [JsonPropertyName("routeKey")]
    public string? RouteKey { get; init; }

    [JsonPropertyName("stage")]
    public string Stage { get; init; } = "$default";

    [JsonPropertyName("timeEpoch")]
    public long TimeEpoch { get; init; }

    [JsonPropertyName("http")]
    public required HttpApiRequestHttp Http { get; init; }
}

public sealed record HttpApiRequestHttp
{
    [JsonPropertyName("method")]
    public required string Method { get; init; }

    [JsonPropertyName("path")]
    public required string Path { get; init; }

    [JsonPropertyName("protocol")]
    public string Protocol { get; init; } = "HTTP/1.1";

    [JsonPropertyName("sourceIp")]
    public required string SourceIp { get; init; }

    [JsonPropertyName("userAgent")]
    public string? UserAgent { get; init; }
}
