using Microsoft.Extensions.Options;
using MobZ.Access;

namespace MobZ.Signaling.Rooms.Media;

/// <summary>
/// The LL-HLS playback URL a p2m viewer gets in JoinAck. With an HS256 key configured (MobZ:Access:HmacSecret) it
/// carries a signed token for that room with the <c>subscribe</c> grant, valid for
/// <see cref="RoomOptions.PlaybackTokenLifetime"/>, in its path — <c>{HlsBaseUrl}/{room}/t/{token}/index.m3u8</c> —
/// so every URI the playlists name inherits it and the Munits' HLS endpoint (Hls:RequirePlaybackToken) lets the
/// viewer play. Without a key to sign with, the plain <c>{HlsBaseUrl}/{room}/index.m3u8</c>.
/// </summary>
public sealed class PlaybackUrls(IOptions<RoomOptions> options, AccessTokenIssuer? issuer = null)
{
    public bool IssuesTokens => issuer is { CanIssue: true };

    public string For(string roomId, string userId)
    {
        string root = $"{options.Value.HlsBaseUrl.TrimEnd('/')}/{roomId}";
        if (issuer is not { CanIssue: true })
            return root + "/index.m3u8";
        string token = issuer.Issue(userId, roomId, AccessGrant.Subscribe, options.Value.PlaybackTokenLifetime);
        return $"{root}/t/{token}/index.m3u8";
    }
}
