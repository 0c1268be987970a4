using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MobZ.Access;

namespace MobZ.PixelStreaming.Tests.Support;

public static class TestTokens
{
    public const string Secret = "test-secret-that-is-long-enough-for-hs256-0123456789";
    public const string Issuer = "https://auth.example.test/";
    public const string Audience = "mobz-ps";

    /// <summary>The host's access-token settings (MobZ:Access) that accept these tokens.</summary>
    public static void Configure(AccessTokenOptions options)
    {
        options.HmacSecret = Secret;
        options.Issuer = Issuer;
        options.Audience = Audience;
    }

    /// <summary>An HS256 token with any claims (sub, room, grants, userId …), valid for ten minutes.</summary>
    public static string Hs256Claims(IDictionary<string, object> claims)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(
            new SecurityTokenDescriptor
            {
                Claims = claims,
                Issuer = Issuer,
                Audience = Audience,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(10),
                SigningCredentials = new SigningCredentials(
                    new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)),
                    SecurityAlgorithms.HmacSha256
                ),
            }
        );
    }

    /// <summary>An Epic-style player token (<c>userId</c>); <paramref name="now"/> is the validating host's clock when
    /// it is not the machine's.</summary>
    public static string Hs256(
        string? userId,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null,
        string secret = Secret,
        DateTime? now = null
    ) =>
        Create(
            userId,
            issuer,
            audience,
            expires,
            new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
                SecurityAlgorithms.HmacSha256
            ),
            now
        );

    public static string Rs256(RSA key, string? userId, string issuer = Issuer, string audience = Audience) =>
        Create(
            userId,
            issuer,
            audience,
            null,
            new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256)
        );

    /// <summary>A correctly signed token that never expires: no <c>exp</c> claim at all.</summary>
    public static string Hs256WithoutExpiry(string userId) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            new SecurityTokenDescriptor
            {
                Subject = new ClaimsIdentity([new Claim("userId", userId)]),
                Issuer = Issuer,
                Audience = Audience,
                SigningCredentials = new SigningCredentials(
                    new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)),
                    SecurityAlgorithms.HmacSha256
                ),
            }
        );

    private static string Create(
        string? userId,
        string issuer,
        string audience,
        DateTime? expires,
        SigningCredentials credentials,
        DateTime? at = null
    )
    {
        var now = at ?? DateTime.UtcNow;
        var exp = expires ?? now.AddMinutes(10);
        var claims = userId is null ? new ClaimsIdentity() : new ClaimsIdentity([new Claim("userId", userId)]);
        return new JsonWebTokenHandler().CreateToken(
            new SecurityTokenDescriptor
            {
                Subject = claims,
                Issuer = issuer,
                Audience = audience,
                IssuedAt = exp < now ? exp.AddMinutes(-10) : now,
                NotBefore = exp < now ? exp.AddMinutes(-10) : now,
                Expires = exp,
                SigningCredentials = credentials,
            }
        );
    }
}
