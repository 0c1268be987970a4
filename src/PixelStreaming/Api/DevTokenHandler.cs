using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.PixelStreaming.Security;
using MobZ.Signaling;

namespace MobZ.PixelStreaming.Api;

public sealed record DevToken([property: JsonPropertyName("token")] string Token, [property: JsonPropertyName("userId")] string UserId);

[JsonSerializable(typeof(DevToken))]
internal sealed partial class DevTokenJsonContext : JsonSerializerContext;

/// <summary>
/// GET /ps/dev-token?userId=… — development stacks only (see <see cref="PixelStreamingOptions.DevelopmentMode"/>):
/// mints a short-lived player token (room "ps", grant join) with the per-process access-token secret, so the demo
/// player works out of the box. Answers 404 unless that secret is a generated development key: a configured key
/// never signs tokens for whoever asks.
/// </summary>
public sealed class DevTokenHandler(PixelStreamingOptions options, IOptions<AccessTokenOptions> access, AccessTokenIssuer issuer) : IHttpHandler
{
    public const string Path = "/ps/dev-token";

    public Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken)
    {
        if (!options.IsDevelopment || !access.Value.IsDevelopmentKey || evt.RawPath.TrimEnd('/') != Path)
            return Task.FromResult(PixelStreamingApiHandler.Error(404, "not found"));
        var userId = evt.QueryStringParameters?.GetValueOrDefault("userId") ?? "viewer-" + Guid.NewGuid().ToString("N")[..8];
        if (!Identifiers.IsValid(userId)) return Task.FromResult(PixelStreamingApiHandler.Error(400, "userId must be 1-128 letters, digits or -_.@|"));

        var token = issuer.Issue(userId, PlayerTokenValidator.Room, AccessGrant.Join, TimeSpan.FromHours(1));
        return Task.FromResult(new ProxyResponse
        {
            StatusCode = 200,
            Body = System.Text.Json.JsonSerializer.Serialize(new DevToken(token, userId), DevTokenJsonContext.Default.DevToken),
            Headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["cache-control"] = "no-store" },
        });
    }
}
