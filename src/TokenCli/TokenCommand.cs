using System.Globalization;
using Microsoft.Extensions.Configuration;
using MobZ.Access;

namespace MobZ.TokenCli;

/// <summary>
/// mobz-token: mints an HS256 access token with the deployment's shared secret, the way the servers check it
/// (same options, same issuer). The token alone goes to stdout, so <c>TOKEN=$(make -s token …)</c> works; what
/// it grants goes to stderr.
/// </summary>
public static class TokenCommand
{
    /// <summary>The short spelling `make token` documents; MobZ__Access__HmacSecret (configuration) also
    /// works.</summary>
    public const string SecretVariable = "MOBZ_ACCESS_HMAC_SECRET";

    public const string Usage = """
        mobz-token — mint a MobZ access token (JWT, HS256)

        usage: mobz-token --room ROOM --grants GRANTS [--user USER] [--ttl TTL] [--secret-file PATH]
                          [--issuer ISS] [--audience AUD]

          --room ROOM        room the token covers; a trailing '*' makes it a prefix (team-* covers team-a)
          --grants GRANTS    comma- or space-separated: join, publish, subscribe, admin, p2m-publish
          --user USER        user id (the token's sub); default: user-<random>
          --ttl TTL          lifetime: 90s, 30m, 12h, 7d or hh:mm:ss; default 1h
          --secret-file PATH read the HMAC secret from a file (trailing newline ignored)
          --issuer ISS       iss claim; default MobZ__Access__Issuer
          --audience AUD     aud claim; default MobZ__Access__Audience

        The secret comes from --secret-file, else MOBZ_ACCESS_HMAC_SECRET, else MobZ__Access__HmacSecret
        (the servers' own configuration key). It must be at least 32 bytes.
        Exit codes: 0 token printed, 2 bad usage or no usable secret.
        """;

    public static int Run(
        string[] args,
        IConfiguration configuration,
        TimeProvider time,
        TextWriter stdout,
        TextWriter stderr
    )
    {
        string? room = null,
            grantList = null,
            user = null,
            ttlText = null,
            secretFile = null;
        var options = new AccessTokenOptions();
        configuration.GetSection(AccessTokenOptions.SectionName).Bind(options);

        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                stdout.WriteLine(Usage);
                return 0;
            }
            if (i + 1 >= args.Length || !name.StartsWith("--", StringComparison.Ordinal))
                return Fail(stderr, $"unexpected argument '{name}'");
            var value = args[++i];
            switch (name)
            {
                case "--room":
                    room = value;
                    break;
                case "--grants":
                    grantList = value;
                    break;
                case "--user":
                    user = value;
                    break;
                case "--ttl":
                    ttlText = value;
                    break;
                case "--secret-file":
                    secretFile = value;
                    break;
                case "--issuer":
                    options.Issuer = value;
                    break;
                case "--audience":
                    options.Audience = value;
                    break;
                default:
                    return Fail(stderr, $"unknown option '{name}'");
            }
        }

        if (string.IsNullOrWhiteSpace(room))
            return Fail(stderr, "--room is required (ROOM=… with make token)");
        if (string.IsNullOrWhiteSpace(grantList))
            return Fail(stderr, "--grants is required (GRANTS=join,publish with make token)");
        if (!AccessGrants.TryParseList(grantList, out var grants, out var unknown))
        {
            return Fail(
                stderr,
                $"unknown grant '{unknown}' (known: {string.Join(", ", AccessGrants.All.Select(g => g.Name))})"
            );
        }

        if (!TryParseLifetime(ttlText ?? "1h", out var ttl))
            return Fail(stderr, $"--ttl '{ttlText}' is not a positive duration like 90s, 30m, 12h, 7d or hh:mm:ss");

        if (secretFile is not null)
        {
            if (!File.Exists(secretFile))
                return Fail(stderr, $"secret file '{secretFile}' does not exist");
            options.HmacSecret = File.ReadAllText(secretFile).TrimEnd('\r', '\n');
        }
        else if (configuration[SecretVariable] is { Length: > 0 } secret)
        {
            options.HmacSecret = secret;
        }
        if (string.IsNullOrEmpty(options.HmacSecret))
        {
            return Fail(
                stderr,
                $"no secret to sign with: set {SecretVariable} (or MobZ__Access__HmacSecret), or pass --secret-file PATH — the same secret the servers check tokens with"
            );
        }

        if (AccessTokenOptions.HmacSecretProblem(options.HmacSecret) is { } problem)
            return Fail(stderr, problem);

        user ??= "user-" + Guid.NewGuid().ToString("N")[..8];
        var token = new AccessTokenIssuer(options, time).Issue(user, room, grants, ttl);
        stdout.WriteLine(token);
        stderr.WriteLine(
            $"user {user}, room {room}, grants {string.Join(",", AccessGrants.Names(grants))}, expires {(time.GetUtcNow() + ttl).ToString("u", CultureInfo.InvariantCulture)}"
        );
        return 0;
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine("mobz-token: " + message);
        stderr.WriteLine("run mobz-token --help for usage");
        return 2;
    }

    public static bool TryParseLifetime(string text, out TimeSpan lifetime)
    {
        lifetime = default;
        text = text.Trim();
        if (
            text.Length >= 2
            && char.IsAsciiLetter(text[^1])
            && double.TryParse(
                text.AsSpan(0, text.Length - 1),
                NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture,
                out var n
            )
        )
        {
            lifetime = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => default,
            };
        }
        else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            lifetime = span;
        }
        return lifetime > TimeSpan.Zero;
    }
}
