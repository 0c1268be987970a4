using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MobZ.Signaling.Tests.Access;

/// <summary>
/// Builds tokens for the validator tests with any claims, times and keys, independently of
/// <c>AccessTokenIssuer</c> (which is itself under test).
/// </summary>
public static class TokenMint
{
    public const string Secret = "access-test-secret-long-enough-for-hs256-0123456789";
    public static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static SigningCredentials Hmac(string secret = Secret) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);

    /// <summary>
    /// A signed token. <paramref name="claims"/> are added as they are (arrays stay arrays); null values are left out.
    /// Times are relative to <see cref="Now"/>; a null <paramref name="expiresIn"/> leaves out <c>exp</c>.
    /// </summary>
    public static string Create(
        SigningCredentials credentials,
        IDictionary<string, object?> claims,
        TimeSpan? expiresIn,
        TimeSpan? notBeforeIn = null,
        string? issuer = null,
        string? audience = null
    )
    {
        var payload = claims.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value!);
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = payload,
            Issuer = issuer,
            Audience = audience,
            IssuedAt = Now.UtcDateTime,
            NotBefore = (Now + (notBeforeIn ?? TimeSpan.Zero)).UtcDateTime,
            SigningCredentials = credentials,
        };
        if (expiresIn is { } exp)
            descriptor.Expires = (Now + exp).UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public static Dictionary<string, object?> Claims(
        string? sub = "ada",
        string? room = "team-a",
        object? grants = null
    ) =>
        new()
        {
            ["sub"] = sub,
            ["room"] = room,
            ["grants"] = grants ?? new[] { "join", "subscribe" },
        };

    public static string Hs256(
        Dictionary<string, object?>? claims = null,
        TimeSpan? expiresIn = null,
        TimeSpan? notBeforeIn = null,
        string? issuer = null,
        string? audience = null,
        string secret = Secret
    ) => Create(Hmac(secret), claims ?? Claims(), expiresIn ?? TimeSpan.FromMinutes(10), notBeforeIn, issuer, audience);

    /// <summary>A token with <c>"alg":"none"</c> and no signature, built by hand (the library will not make
    /// one).</summary>
    public static string Unsigned(Dictionary<string, object?> claims)
    {
        var payload = claims.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value);
        payload["exp"] = (Now + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var body = Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload));
        return $"{header}.{body}.";
    }
}
