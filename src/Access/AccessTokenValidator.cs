using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MobZ.Access;

/// <summary>
/// Checks access tokens for rooms, Pixel Streaming players and LL-HLS playback alike: a JWT signed with HS256
/// (shared secret), RS256 or ES256 (a PEM key, a key file or a JWKS URL); <c>alg=none</c> and every other algorithm
/// refused; issuer and audience when configured; <c>exp</c> required. Returns the user, the room (or room prefix) and
/// the grants.
/// </summary>
public sealed class AccessTokenValidator
{
    public const string RoomClaim = "room";
    public const string GrantsClaim = "grants";

    /// <summary>Longest token looked at; anything longer is refused before it is parsed.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly AccessTokenOptions _options;
    private readonly IReadOnlyList<SecurityKey> _staticKeys;
    private readonly JwksKeySource? _jwks;

    public AccessTokenValidator(
        AccessTokenOptions options,
        HttpClient? http = null,
        TimeProvider? time = null,
        ILogger? logger = null
    )
    {
        _options = options;
        var keys = new List<SecurityKey>();
        // A short secret would be refused by every check at run time; say so once, at start.
        if (AccessTokenOptions.HmacSecretProblem(options.HmacSecret) is { } problem)
            throw new ArgumentException(problem, nameof(options));
        if (!string.IsNullOrEmpty(options.HmacSecret))
            keys.Add(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.HmacSecret)));
        var pem = options.PublicKeyPem;
        if (string.IsNullOrEmpty(pem) && !string.IsNullOrEmpty(options.PublicKeyFile))
            pem = File.ReadAllText(options.PublicKeyFile);
        if (!string.IsNullOrEmpty(pem))
            keys.Add(ImportPublicKey(pem));
        _staticKeys = keys;
        if (!string.IsNullOrEmpty(options.JwksUrl))
        {
            _jwks = new JwksKeySource(
                options.JwksUrl,
                options,
                http ?? new HttpClient(),
                time ?? TimeProvider.System,
                logger ?? NullLogger.Instance
            );
        }

        Time = time ?? TimeProvider.System;
    }

    public AccessTokenOptions Options => _options;
    private TimeProvider Time { get; }

    /// <summary>False when no key is configured: every token is refused.</summary>
    public bool HasKeys => _staticKeys.Count > 0 || _jwks is not null;

    /// <summary>Checks a room token: user, room (or prefix) and grants.</summary>
    public Task<AccessCheck> ValidateAsync(string? token, CancellationToken cancellationToken = default) =>
        ValidateAsync(token, AccessRequirement.Room, cancellationToken);

    /// <summary>
    /// Checks a token against <paramref name="requirement"/>. Without a room claim (where none is required) the
    /// claims' <see cref="AccessClaims.Room"/> is empty and covers no room.
    /// </summary>
    public async Task<AccessCheck> ValidateAsync(
        string? token,
        AccessRequirement requirement,
        CancellationToken cancellationToken = default
    )
    {
        if (string.IsNullOrWhiteSpace(token))
            return AccessCheck.Refused(AccessFailure.Missing, "missing token");
        if (!HasKeys)
            return AccessCheck.Refused(AccessFailure.NoKey, "no access-token key is configured on the server");
        if (token.Length > MaxTokenLength)
            return AccessCheck.Refused(AccessFailure.TooLong, "token too long");
        if (!_handler.CanReadToken(token))
            return AccessCheck.Refused(AccessFailure.Malformed, "malformed token");

        var result = await ValidateWithKeysAsync(token, await KeysAsync(cancellationToken).ConfigureAwait(false))
            .ConfigureAwait(false);
        if (
            !result.IsValid
            && result.Exception is SecurityTokenSignatureKeyNotFoundException
            && _jwks is not null
            && await _jwks.RefreshAsync(cancellationToken).ConfigureAwait(false)
        )
        {
            result = await ValidateWithKeysAsync(token, await KeysAsync(cancellationToken).ConfigureAwait(false))
                .ConfigureAwait(false);
        }

        if (!result.IsValid)
            return Describe(result.Exception);

        var jwt = (JsonWebToken)result.SecurityToken;
        var userId = Claim(jwt, _options.UserIdClaim);
        foreach (var fallback in requirement.FallbackUserIdClaims)
        {
            if (!string.IsNullOrWhiteSpace(userId))
                break;
            userId = Claim(jwt, fallback);
        }
        if (string.IsNullOrWhiteSpace(userId))
        {
            return AccessCheck.Refused(
                AccessFailure.MissingClaim,
                requirement.FallbackUserIdClaims.Count == 0
                    ? $"token has no {_options.UserIdClaim} claim"
                    : $"token has no {string.Join(" or ", [_options.UserIdClaim, .. requirement.FallbackUserIdClaims])} claim"
            );
        }

        var room = Claim(jwt, RoomClaim) ?? "";
        if (room.Length == 0 && requirement.RoomRequired)
            return AccessCheck.Refused(AccessFailure.MissingClaim, $"token has no {RoomClaim} claim");
        if (!TryReadGrants(jwt, out var grants, out var unknown))
            return AccessCheck.Refused(AccessFailure.UnknownGrant, $"token names an unknown grant \"{unknown}\"");
        return new AccessCheck(
            new AccessClaims(userId, room, grants, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero)),
            null
        );
    }

    private async Task<IReadOnlyList<SecurityKey>> KeysAsync(CancellationToken cancellationToken)
    {
        if (_jwks is null)
            return _staticKeys;
        var fetched = await _jwks.GetAsync(cancellationToken).ConfigureAwait(false);
        return [.. _staticKeys, .. fetched];
    }

    private Task<TokenValidationResult> ValidateWithKeysAsync(string token, IReadOnlyList<SecurityKey> keys) =>
        _handler.ValidateTokenAsync(
            token,
            new TokenValidationParameters
            {
                IssuerSigningKeys = keys,
                ValidAlgorithms =
                [
                    SecurityAlgorithms.HmacSha256,
                    SecurityAlgorithms.RsaSha256,
                    SecurityAlgorithms.EcdsaSha256,
                ],
                ValidateIssuerSigningKey = true,
                RequireSignedTokens = true,
                ValidateIssuer = _options.Issuer is not null,
                ValidIssuer = _options.Issuer,
                ValidateAudience = _options.Audience is not null,
                ValidAudience = _options.Audience,
                ValidateLifetime = true,
                // A token without exp would admit its holder forever.
                RequireExpirationTime = true,
                ClockSkew = _options.ClockSkew,
                LifetimeValidator = (notBefore, expires, _, p) =>
                {
                    var now = Time.GetUtcNow().UtcDateTime;
                    if (expires is null)
                        throw new SecurityTokenNoExpirationException("no exp");
                    if (notBefore is { } nbf && nbf > now + p.ClockSkew)
                        throw new SecurityTokenNotYetValidException("nbf in the future");
                    if (expires.Value < now - p.ClockSkew)
                        throw new SecurityTokenExpiredException("expired");
                    return true;
                },
            }
        );

    private static string? Claim(JsonWebToken jwt, string name) =>
        jwt.TryGetPayloadValue<object>(name, out var value) && value is not null
            ? value is JsonElement e
                ? e.ToString()
                : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>Grants come as a JSON array of names (or one space- or comma-separated string). No grants claim grants
    /// nothing.</summary>
    private static bool TryReadGrants(JsonWebToken jwt, out AccessGrant grants, out string? unknown)
    {
        grants = AccessGrant.None;
        unknown = null;
        if (!jwt.TryGetPayloadValue<object>(GrantsClaim, out var raw) || raw is null)
            return true;
        // Checked first: asked for string[], the library wraps a lone string as one element ("join publish").
        if (raw is string list)
            return AccessGrants.TryParseList(list, out grants, out unknown);
        if (jwt.TryGetPayloadValue<string[]>(GrantsClaim, out var names) && names is not null)
        {
            foreach (var name in names)
            {
                if (!AccessGrants.TryParseName(name, out var g))
                {
                    unknown = name;
                    return false;
                }
                grants |= g;
            }
            return true;
        }
        unknown = raw.ToString();
        return false;
    }

    private static SecurityKey ImportPublicKey(string pem)
    {
        if (pem.Contains("BEGIN PUBLIC KEY", StringComparison.Ordinal))
        {
            // SubjectPublicKeyInfo says which algorithm the key is for; try RSA, then EC.
            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return new RsaSecurityKey(rsa);
            }
            catch (CryptographicException)
            {
                var ec = ECDsa.Create();
                ec.ImportFromPem(pem);
                return new ECDsaSecurityKey(ec);
            }
        }
        if (pem.Contains("BEGIN RSA PUBLIC KEY", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        throw new ArgumentException("The access-token public key must be a PEM \"PUBLIC KEY\" (RSA or EC P-256)");
    }

    private static AccessCheck Describe(Exception? e) =>
        e switch
        {
            SecurityTokenExpiredException => AccessCheck.Refused(AccessFailure.Expired, "token expired"),
            SecurityTokenNoExpirationException => AccessCheck.Refused(AccessFailure.NoExpiry, "token has no expiry"),
            SecurityTokenNotYetValidException => AccessCheck.Refused(AccessFailure.NotYetValid, "token not yet valid"),
            SecurityTokenInvalidIssuerException => AccessCheck.Refused(AccessFailure.WrongIssuer, "wrong issuer"),
            SecurityTokenInvalidAudienceException => AccessCheck.Refused(AccessFailure.WrongAudience, "wrong audience"),
            SecurityTokenInvalidAlgorithmException => AccessCheck.Refused(
                AccessFailure.AlgorithmNotAllowed,
                "algorithm not allowed"
            ),
            SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => AccessCheck.Refused(
                AccessFailure.BadSignature,
                "bad signature"
            ),
            // Three dot-separated parts that are not base64url JSON.
            SecurityTokenMalformedException or ArgumentException => AccessCheck.Refused(
                AccessFailure.Malformed,
                "malformed token"
            ),
            null => AccessCheck.Refused(AccessFailure.Invalid, "invalid token"),
            _ => AccessCheck.Refused(AccessFailure.Invalid, "invalid token: " + e.GetType().Name),
        };
}
