using System.Text.Json.Serialization;

namespace MobZ.Signaling.Abstractions;

/// <summary>
/// What a Lambda integration returns to API Gateway. For $connect a non-2xx status rejects the upgrade.
/// For other WebSocket routes the body is only sent back when a route response is configured; our
/// handlers reply through <see cref="IConnectionSender"/> instead.
/// </summary>
public sealed record ProxyResponse
{
    [JsonPropertyName("statusCode")]
    public int StatusCode { get; init; } = 200;

    [JsonPropertyName("headers")]
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    [JsonPropertyName("body")]
    public string? Body { get; init; }

    [JsonPropertyName("isBase64Encoded")]
    public bool IsBase64Encoded { get; init; }

    public static ProxyResponse Ok(string? body = null) => new() { StatusCode = 200, Body = body };

    public static ProxyResponse Status(int statusCode, string? body = null) =>
        new() { StatusCode = statusCode, Body = body };
}
