using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MobZ.PixelStreaming.Security;

public sealed record TokenCheck(string? PlayerId, string? Failure)
{
    public bool IsValid => PlayerId is not null;
}

/// <summary>
/// Checks a player's JWT (HS256 with a shared secret and/or RS256 with a public key; issuer and audience
/// when configured; lifetime always, and a token without <c>exp</c> is refused) and returns its user id claim as the player id.
/// </summary>
public sealed class PlayerTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly string _userIdClaim;

    public PlayerTokenValidator(PlayerTokenOptions options)
    {
        var keys = new List<SecurityKey>();
        if (!string.IsNullOrEmpty(options.HmacSecret))
            keys.Add(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.HmacSecret)));
        if (!string.IsNullOrEmpty(options.RsaPublicKeyPem))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(options.RsaPublicKeyPem);
            keys.Add(new RsaSecurityKey(rsa));
        }
        _userIdClaim = options.UserIdClaim;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256],
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            ValidateIssuer = options.Issuer is not null,
            ValidIssuer = options.Issuer,
            ValidateAudience = options.Audience is not null,
            ValidAudience = options.Audience,
            ValidateLifetime = true,
            // A token without exp would admit its holder forever.
            RequireExpirationTime = true,
            ClockSkew = options.ClockSkew,
        };
        HasKeys = keys.Count > 0;
    }

    /// <summary>False when no key is configured: every token is refused.</summary>
    public bool HasKeys { get; }

    public async Task<TokenCheck> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token)) return new TokenCheck(null, "missing token");
        if (!HasKeys) return new TokenCheck(null, "no token key configured");
        if (!_handler.CanReadToken(token)) return new TokenCheck(null, "malformed token");

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid) return new TokenCheck(null, Describe(result.Exception));

        var userId = result.Claims.TryGetValue(_userIdClaim, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
        if (string.IsNullOrWhiteSpace(userId)) return new TokenCheck(null, $"token has no {_userIdClaim} claim");
        if (!Identifiers.IsValid(userId)) return new TokenCheck(null, $"{_userIdClaim} claim is not a usable id");
        return new TokenCheck(userId, null);
    }

    private static string Describe(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenInvalidAlgorithmException => "algorithm not allowed",
        null => "invalid token",
        _ => "invalid token: " + e.GetType().Name,
    };
}
