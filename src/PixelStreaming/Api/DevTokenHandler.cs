using System.Security.Claims;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MobZ.PixelStreaming.Security;
using MobZ.Signaling;

namespace MobZ.PixelStreaming.Api;

public sealed record DevToken([property: JsonPropertyName("token")] string Token, [property: JsonPropertyName("userId")] string UserId);

[JsonSerializable(typeof(DevToken))]
internal sealed partial class DevTokenJsonContext : JsonSerializerContext;

/// <summary>
/// GET /ps/dev-token?userId=… — development stacks only (see <see cref="PixelStreamingOptions.DevelopmentMode"/>):
/// mints a short-lived HS256 player token with the per-process secret, so the demo player works out of the box.
/// Answers 404 when development tokens are off.
/// </summary>
public sealed class DevTokenHandler(PixelStreamingOptions options, TimeProvider time) : IHttpHandler
{
    public const string Path = "/ps/dev-token";

    public Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken)
    {
        if (!options.IssuesDevTokens || evt.RawPath.TrimEnd('/') != Path) return Task.FromResult(PixelStreamingApiHandler.Error(404, "not found"));
        var userId = evt.QueryStringParameters?.GetValueOrDefault("userId") ?? "viewer-" + Guid.NewGuid().ToString("N")[..8];
        if (!Identifiers.IsValid(userId)) return Task.FromResult(PixelStreamingApiHandler.Error(400, "userId must be 1-128 letters, digits or -_.@|"));

        var now = time.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim(options.Tokens.UserIdClaim, userId)]),
            Issuer = options.Tokens.Issuer,
            Audience = options.Tokens.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.Tokens.HmacSecret!)), SecurityAlgorithms.HmacSha256),
        });
        return Task.FromResult(new ProxyResponse
        {
            StatusCode = 200,
            Body = System.Text.Json.JsonSerializer.Serialize(new DevToken(token, userId), DevTokenJsonContext.Default.DevToken),
            Headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["cache-control"] = "no-store" },
        });
    }
}
