using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MobZ.PixelStreaming.Tests.Support;

public static class TestTokens
{
    public const string Secret = "test-secret-that-is-long-enough-for-hs256-0123456789";
    public const string Issuer = "https://auth.example.test/";
    public const string Audience = "mobz-ps";

    public static string Hs256(string? userId, string issuer = Issuer, string audience = Audience, DateTime? expires = null, string secret = Secret) =>
        Create(userId, issuer, audience, expires, new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256));

    public static string Rs256(RSA key, string? userId, string issuer = Issuer, string audience = Audience) =>
        Create(userId, issuer, audience, null, new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256));

    /// <summary>A correctly signed token that never expires: no <c>exp</c> claim at all.</summary>
    public static string Hs256WithoutExpiry(string userId) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("userId", userId)]),
            Issuer = Issuer,
            Audience = Audience,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256),
        });

    private static string Create(string? userId, string issuer, string audience, DateTime? expires, SigningCredentials credentials)
    {
        var now = DateTime.UtcNow;
        var exp = expires ?? now.AddMinutes(10);
        var claims = userId is null ? new ClaimsIdentity() : new ClaimsIdentity([new Claim("userId", userId)]);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = claims,
            Issuer = issuer,
            Audience = audience,
            IssuedAt = exp < now ? exp.AddMinutes(-10) : now,
            NotBefore = exp < now ? exp.AddMinutes(-10) : now,
            Expires = exp,
            SigningCredentials = credentials,
        });
    }
}
