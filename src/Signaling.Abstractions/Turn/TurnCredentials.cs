using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MobZ.Signaling.Abstractions.Turn;

/// <summary>One client's TURN entry: the server URLs with a username and password only this client was given.</summary>
public sealed record TurnCredential(IReadOnlyList<string> Urls, string Username, string Password);

/// <summary>
/// Short-lived TURN credentials in the "TURN REST API" scheme that coturn (<c>use-auth-secret</c>) and most TURN
/// services accept: the username is the expiry (Unix seconds) and the client's id, the password is
/// base64(HMAC-SHA1(shared secret, username)). The TURN server checks both against the same secret, so no
/// credential is stored anywhere and a leaked one stops working at its expiry. Rooms hand one out with each
/// JoinAck, Pixel Streaming with each <c>config</c>.
/// </summary>
public sealed class TurnCredentials(TimeProvider time)
{
    /// <summary>The TURN entry for one client, or null when no TURN server is configured.</summary>
    public TurnCredential? For(TurnOptions turn, string clientId)
    {
        if (turn.Urls.Count == 0)
            return null;
        var secret = turn.SharedSecret;
        if (string.IsNullOrEmpty(secret))
            throw new InvalidOperationException("a TURN shared secret is required when TURN URLs are set");
        long expires = time.GetUtcNow().Add(turn.CredentialLifetime).ToUnixTimeSeconds();
        string username = expires.ToString(CultureInfo.InvariantCulture) + ":" + clientId;
        string password = Convert.ToBase64String(
            HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username))
        );
        return new TurnCredential([.. turn.Urls], username, password);
    }
}
