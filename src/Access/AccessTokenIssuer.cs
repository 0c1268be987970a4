using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MobZ.Access;

/// <summary>
/// Mints HS256 access tokens with the configured shared secret: for `make token`, the local stack's development
/// endpoint and LL-HLS playback URLs. Deployments whose tokens come from their own identity provider (RS256/ES256)
/// have no secret here, and <see cref="CanIssue"/> is false.
/// </summary>
public sealed class AccessTokenIssuer(AccessTokenOptions options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public bool CanIssue => !string.IsNullOrEmpty(options.HmacSecret);

    public string Issue(string userId, string room, AccessGrant grants, TimeSpan lifetime)
    {
        if (!CanIssue)
        {
            throw new InvalidOperationException(
                "No HMAC secret (MobZ:Access:HmacSecret) is configured to sign access tokens with"
            );
        }

        if (AccessTokenOptions.HmacSecretProblem(options.HmacSecret) is { } problem)
            throw new InvalidOperationException(problem);
        var now = time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(
            new SecurityTokenDescriptor
            {
                Subject = new ClaimsIdentity([new Claim(options.UserIdClaim, userId)]),
                Claims = new Dictionary<string, object>
                {
                    [AccessTokenValidator.RoomClaim] = room,
                    [AccessTokenValidator.GrantsClaim] = AccessGrants.Names(grants).ToArray(),
                },
                Issuer = options.Issuer,
                Audience = options.Audience,
                IssuedAt = now,
                NotBefore = now,
                Expires = now + lifetime,
                SigningCredentials = new SigningCredentials(
                    new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.HmacSecret!)),
                    SecurityAlgorithms.HmacSha256
                ),
            }
        );
    }
}
