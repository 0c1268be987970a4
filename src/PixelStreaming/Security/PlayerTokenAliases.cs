using MobZ.Access;

namespace MobZ.PixelStreaming.Security;

/// <summary>
/// The environment variables Pixel Streaming read before one "MobZ:Access" configuration served every capability.
/// Deprecated aliases: each fills its MobZ:Access setting when that is unset; both set to different values fails at
/// start rather than guessing which key the operator meant.
/// </summary>
public static class PlayerTokenAliases
{
    /// <summary>Copies the aliases that are set into <paramref name="options"/>; returns the variables used.</summary>
    public static IReadOnlyList<string> Apply(AccessTokenOptions options, Func<string, string?> environment)
    {
        var used = new List<string>();
        options.HmacSecret = Fill(options.HmacSecret, "PS_TOKEN_SECRET", "HmacSecret");
        options.PublicKeyPem = Fill(options.PublicKeyPem, "PS_TOKEN_PUBLIC_KEY", "PublicKeyPem");
        options.Issuer = Fill(options.Issuer, "PS_TOKEN_ISSUER", "Issuer");
        options.Audience = Fill(options.Audience, "PS_TOKEN_AUDIENCE", "Audience");
        return used;

        string? Fill(string? current, string variable, string setting)
        {
            if (environment(variable) is not { Length: > 0 } alias)
                return current;
            if (!string.IsNullOrEmpty(current) && current != alias)
            {
                throw new InvalidOperationException(
                    $"{variable} (deprecated) and {AccessTokenOptions.SectionName}:{setting} are both set, to different values; keep only {AccessTokenOptions.SectionName}:{setting} (env MobZ__Access__{setting})"
                );
            }

            used.Add(variable);
            return alias;
        }
    }
}
