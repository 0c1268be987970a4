using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MobZ.Access;

namespace MobZ.Hls.Serving;

/// <summary>Why a playback request was refused: the HTTP status, the metric's <c>reason</c> tag and the text the client
/// gets.</summary>
internal sealed record PlaybackRefusal(int Status, string Reason, string Message);

/// <summary>
/// Decides whether a request may play a stream: its access token must be valid (the same validator and keys as
/// rooms), cover the stream's room and grant <c>subscribe</c>. A token seen before is taken from the cache of
/// validated tokens, so the repeat requests of a player cost no signature check and allocate nothing.
/// </summary>
internal sealed class PlaybackTokenGate(AccessTokenValidator validator, PlaybackTokenCache cache, ILogger logger)
{
    private static readonly PlaybackRefusal Missing = new(
        StatusCodes.Status401Unauthorized,
        "missing",
        "playback needs an access token: /hls/{stream}/t/{token}/index.m3u8"
    );
    private static readonly PlaybackRefusal Unconfigured = new(
        StatusCodes.Status401Unauthorized,
        "unconfigured",
        "no access-token key is configured on this server"
    );
    private static readonly PlaybackRefusal OtherRoom = new(
        StatusCodes.Status403Forbidden,
        "room",
        "the token is for another room"
    );
    private static readonly PlaybackRefusal NoGrant = new(
        StatusCodes.Status403Forbidden,
        "grant",
        "the token does not grant subscribe"
    );

    private long _verifications;

    /// <summary>Tokens verified in full since start (cache misses).</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    /// <returns>null when the request may play <paramref name="stream"/>.</returns>
    public ValueTask<PlaybackRefusal?> CheckAsync(string stream, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(Refuse(stream, Missing, null));
        }

        return cache.TryGet(token, out AccessClaims claims)
            ? new(Authorize(stream, claims))
            : VerifyAsync(stream, token, cancellationToken);
    }

    private async ValueTask<PlaybackRefusal?> VerifyAsync(
        string stream,
        string token,
        CancellationToken cancellationToken
    )
    {
        Interlocked.Increment(ref _verifications);
        HlsMetrics.PlaybackTokensVerified.Add(1);
        AccessCheck check = await validator.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        if (check.Claims is not { } claims)
        {
            PlaybackRefusal refusal =
                !validator.HasKeys ? Unconfigured
                : check.Kind == AccessFailure.Expired
                    ? new(StatusCodes.Status401Unauthorized, "expired", "token expired")
                : new(StatusCodes.Status401Unauthorized, "invalid", check.Failure ?? "invalid token");
            return Refuse(stream, refusal, null);
        }

        cache.Add(token, claims);
        return Authorize(stream, claims);
    }

    private PlaybackRefusal? Authorize(string stream, AccessClaims claims) =>
        !claims.Covers(stream) ? Refuse(stream, OtherRoom, claims.UserId)
        : !claims.Has(AccessGrant.Subscribe) ? Refuse(stream, NoGrant, claims.UserId)
        : null;

    private PlaybackRefusal Refuse(string stream, PlaybackRefusal refusal, string? userId)
    {
        HlsMetrics.PlaybackRefused.Add(1, new KeyValuePair<string, object?>("reason", refusal.Reason));
        // The token itself is never logged: it would let anyone who reads the logs play the stream.
        logger.LogInformation(
            "LL-HLS playback of {Stream} refused with {Status} ({Reason}: {Message}) for user {UserId}",
            stream,
            refusal.Status,
            refusal.Reason,
            refusal.Message,
            userId ?? "-"
        );
        return refusal;
    }
}
