namespace MobZ.Access;

/// <summary>
/// Keys and checks for access tokens (JWT). Bound from "MobZ:Access". With no key configured every token is
/// refused: production fails closed, and only the local development stack generates a key of its own.
/// </summary>
public sealed class AccessTokenOptions
{
    public const string SectionName = "MobZ:Access";

    /// <summary>HS256 shared secret (UTF-8, at least 32 bytes). Also what <see cref="AccessTokenIssuer"/> signs with.</summary>
    public string? HmacSecret { get; set; }

    /// <summary>An RS256 or ES256 public key in PEM (SubjectPublicKeyInfo).</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>A file holding <see cref="PublicKeyPem"/> (e.g. a mounted secret).</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>A JWKS URL (RS256/ES256 keys by <c>kid</c>), fetched at start and again when a token names an unknown key.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Least time between two JWKS fetches, so tokens with made-up key ids cannot make us hammer the issuer.</summary>
    public TimeSpan JwksMinRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long fetched JWKS keys are trusted before they are fetched again.</summary>
    public TimeSpan JwksMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Expected <c>iss</c>; null accepts any issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary>Expected <c>aud</c>; null accepts any audience.</summary>
    public string? Audience { get; set; }

    /// <summary>Claim holding the user id; <c>sub</c> by default.</summary>
    public string UserIdClaim { get; set; } = "sub";

    /// <summary>Tolerance for clocks that disagree, applied to <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool HasKeys => !string.IsNullOrEmpty(HmacSecret) || !string.IsNullOrEmpty(PublicKeyPem)
        || !string.IsNullOrEmpty(PublicKeyFile) || !string.IsNullOrEmpty(JwksUrl);
}
