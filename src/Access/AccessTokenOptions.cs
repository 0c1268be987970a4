namespace MobZ.Access;

/// <summary>
/// Keys and checks for access tokens (JWT). Bound from "MobZ:Access". With no key configured every token is
/// refused: production fails closed, and only the local development stack generates a key of its own.
/// </summary>
public sealed class AccessTokenOptions
{
    public const string SectionName = "MobZ:Access";

    /// <summary>Least length of <see cref="HmacSecret"/>: HS256 needs a 256-bit key (RFC 7518 §3.2).</summary>
    public const int MinHmacSecretBytes = 32;

    /// <summary>HS256 shared secret (UTF-8, at least 32 bytes). Also what <see cref="AccessTokenIssuer"/> signs
    /// with.</summary>
    public string? HmacSecret { get; set; }

    /// <summary>
    /// True when <see cref="HmacSecret"/> was generated for this process by <see cref="UseDevelopmentKey"/>, not
    /// configured: only then may a development endpoint hand out tokens signed with it.
    /// </summary>
    public bool IsDevelopmentKey { get; private set; }

    /// <summary>An RS256 or ES256 public key in PEM (SubjectPublicKeyInfo).</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>A file holding <see cref="PublicKeyPem"/> (e.g. a mounted secret).</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>A JWKS URL (RS256/ES256 keys by <c>kid</c>), fetched at start and again when a token names an unknown
    /// key.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Least time between two JWKS fetches, so tokens with made-up key ids cannot make us hammer the
    /// issuer.</summary>
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

    /// <summary>
    /// Development stacks only: with no key configured, a random per-process HMAC secret, so a dev endpoint can mint
    /// tokens that only this process accepts. A configured key is left alone. True when the secret was generated.
    /// </summary>
    public bool UseDevelopmentKey()
    {
        if (IsDevelopmentKey)
            return true;
        if (HasKeys)
            return false;
        HmacSecret = Convert.ToBase64String(
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(MinHmacSecretBytes)
        );
        IsDevelopmentKey = true;
        return true;
    }

    /// <summary>Why <paramref name="secret"/> cannot sign or check HS256 tokens, or null when it can.</summary>
    public static string? HmacSecretProblem(string? secret) =>
        secret is not null && System.Text.Encoding.UTF8.GetByteCount(secret) < MinHmacSecretBytes
            ? $"the access-token HMAC secret (MobZ:Access:HmacSecret) must be at least {MinHmacSecretBytes} bytes; it has {System.Text.Encoding.UTF8.GetByteCount(secret)}"
            : null;

    public bool HasKeys =>
        !string.IsNullOrEmpty(HmacSecret)
        || !string.IsNullOrEmpty(PublicKeyPem)
        || !string.IsNullOrEmpty(PublicKeyFile)
        || !string.IsNullOrEmpty(JwksUrl);
}
