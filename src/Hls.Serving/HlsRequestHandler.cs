using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MobZ.Hls.Serving.Playlists;
using MobZ.Hls.Serving.Storage;

namespace MobZ.Hls.Serving;

/// <summary>
/// The HTTP rules of LL-HLS: blocking playlist reload, the advance limits (400), the 3 × target duration
/// limit (503), blocking preload-hinted parts, 404 for anything unknown, CDN-friendly caching, gzip for
/// playlists and CORS for players on other origins. With a <see cref="PlaybackTokenGate"/>, every request needs a
/// playback token first (401/403 before anything about the stream is revealed).
/// </summary>
internal sealed class HlsRequestHandler
{
    public const string PlaylistContentType = "application/vnd.apple.mpegurl";
    private const string Immutable = "public, max-age=31536000, immutable";

    private readonly HlsStreamRegistry _registry;
    private readonly HlsOptions _options;
    private readonly ILogger _logger;
    private readonly PlaybackTokenGate? _gate;

    public HlsRequestHandler(
        HlsStreamRegistry registry,
        HlsOptions options,
        ILogger logger,
        PlaybackTokenGate? gate = null
    )
    {
        _registry = registry;
        _options = options;
        _logger = logger;
        _gate = gate;
    }

    private TimeSpan BlockingLimit => TimeSpan.FromSeconds(3 * _options.TargetDurationSeconds);

    /// <param name="token">the playback token from the path (<c>/{stream}/t/{token}/…</c>), if the URL has one.</param>
    public async Task MultivariantAsync(HttpContext context, string stream, string? token = null)
    {
        AddCors(context.Response);
        if (await RefusedAsync(context, stream, token).ConfigureAwait(false))
        {
            return;
        }

        if (
            !HlsKeys.IsValidStreamName(stream)
            || await _registry.GetAsync(stream).ConfigureAwait(false) is not { Current: { } doc }
        )
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        // A token given as ?token= would not follow the relative URIs (players do not copy query strings onto
        // them): the media playlist is named in the path form instead, and everything after it inherits the token.
        string prefix =
            _gate is not null && token is null && QueryToken(context.Request) is { } query
                ? $"t/{Uri.EscapeDataString(query)}/"
                : "";
        await WritePlaylistAsync(
                context,
                MultivariantPlaylistWriter.Write(doc, prefix),
                Cache("public, max-age=5", token)
            )
            .ConfigureAwait(false);
    }

    /// <param name="rendition">the ladder's rendition (<c>media{n}.m3u8</c>; 0 is <c>media.m3u8</c>).</param>
    public async Task MediaAsync(HttpContext context, string stream, string? token = null, int rendition = 0)
    {
        AddCors(context.Response);
        if (await RefusedAsync(context, stream, token).ConfigureAwait(false))
        {
            return;
        }

        if (!PlaylistDirectives.TryParse(context.Request.Query, out PlaylistDirectives directives))
        {
            await ErrorAsync(
                    context,
                    StatusCodes.Status400BadRequest,
                    "_HLS_part needs _HLS_msn; both are decimal integers"
                )
                .ConfigureAwait(false);
            return;
        }

        if (
            rendition is < 0 or >= HlsLadder.MaxRenditions
            || !HlsKeys.IsValidStreamName(stream)
            || await _registry.GetAsync(stream).ConfigureAwait(false) is not { Current: { } current } watcher
            || current.Rendition(rendition) is not { } doc
            || (rendition > 0 && doc.Session.Length == 0)
        )
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        PlaylistDocument whole = current;
        if (directives.Msn is long msn && !doc.Ended)
        {
            if (IsBeyondAdvanceLimit(doc, msn, directives.Part))
            {
                await ErrorAsync(
                        context,
                        StatusCodes.Status400BadRequest,
                        "_HLS_msn/_HLS_part too far beyond the live edge"
                    )
                    .ConfigureAwait(false);
                return;
            }

            int? part = directives.Part;
            HlsMetrics.BlockingRequests.Add(1, HlsMetrics.Playlist);
            PlaylistDocument? ready = await watcher
                .WaitAsync(
                    d =>
                        d.Ended
                        || (
                            d.Rendition(rendition) is { } r
                            && (part is int p ? r.HasPart(msn, p) : r.LastCompleteMsn >= msn)
                        ),
                    BlockingLimit,
                    context.RequestAborted
                )
                .ConfigureAwait(false);
            if (ready?.Rendition(rendition) is not { } readyRendition)
            {
                HlsMetrics.Unavailable.Add(1, HlsMetrics.Playlist);
                await ErrorAsync(
                        context,
                        StatusCodes.Status503ServiceUnavailable,
                        "not available within three target durations"
                    )
                    .ConfigureAwait(false);
                return;
            }

            whole = ready!;
            doc = readyRendition;
        }

        // A blocking response that lists what its query asked for stays a true answer to that URL, so a CDN
        // may keep it (six target durations, as Apple's LL-HLS guidance has it for blocking responses). Any
        // other playlist describes the stream as it is now: a plain request, and an ended playlist (released
        // early when the stream ends; a publisher that reconnects continues it) stay fresh for a second only.
        string cache =
            !doc.Ended && directives.Msn is not null
                ? $"public, max-age={6 * _options.TargetDurationSeconds}"
                : "public, max-age=1";
        await WritePlaylistAsync(
                context,
                MediaPlaylistWriter.Write(doc, directives.Skip, Ladder.Reports(whole, rendition)),
                Cache(cache, token)
            )
            .ConfigureAwait(false);
    }

    public async Task InitAsync(HttpContext context, string stream, string session, string? token = null)
    {
        AddCors(context.Response);
        if (await RefusedAsync(context, stream, token).ConfigureAwait(false))
        {
            return;
        }

        if (
            !HlsKeys.IsValidStreamName(stream)
            || !HlsKeys.IsValidSession(session)
            || await _registry.Store.GetAsync(_registry.Keys.Init(stream, session)).ConfigureAwait(false)
                is not { } data
        )
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        await WriteMediaAsync(context, data, "video/mp4", Cache(Immutable, token)).ConfigureAwait(false);
    }

    public async Task MediaFileAsync(
        HttpContext context,
        string stream,
        string session,
        string file,
        string? token = null
    )
    {
        AddCors(context.Response);
        if (await RefusedAsync(context, stream, token).ConfigureAwait(false))
        {
            return;
        }

        if (
            !HlsKeys.IsValidStreamName(stream)
            || !HlsKeys.IsValidSession(session)
            || !MediaFileName.TryParse(file, out MediaFileName name)
        )
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        string key = name.Part is int part
            ? _registry.Keys.Part(stream, session, name.Msn, part)
            : _registry.Keys.Segment(stream, session, name.Msn);
        byte[]? data = await _registry.Store.GetAsync(key).ConfigureAwait(false);
        if (data is null && name.Part is int hinted)
        {
            HlsMetrics.BlockingRequests.Add(1, HlsMetrics.Part);
            switch (await WaitForHintedPartAsync(context, stream, session, name.Msn, hinted).ConfigureAwait(false))
            {
                case null:
                    HlsMetrics.Unavailable.Add(1, HlsMetrics.Part);
                    await ErrorAsync(
                            context,
                            StatusCodes.Status503ServiceUnavailable,
                            "part not produced within three target durations"
                        )
                        .ConfigureAwait(false);
                    return;
                case true:
                    data = await _registry.Store.GetAsync(key).ConfigureAwait(false);
                    break;
            }
        }

        if (data is null)
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        await WriteMediaAsync(context, data, "video/iso.segment", Cache(Immutable, token)).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers 401 or 403 (and returns true) unless playback needs no token or the request's token lets it play
    /// <paramref name="stream"/>. The token comes from the path, else <c>?token=</c>, else an
    /// <c>Authorization: Bearer</c> header (a player told to send one).
    /// </summary>
    private async ValueTask<bool> RefusedAsync(HttpContext context, string stream, string? pathToken)
    {
        if (_gate is null)
        {
            return false;
        }

        string? token = pathToken ?? QueryToken(context.Request) ?? BearerToken(context.Request);
        if (await _gate.CheckAsync(stream, token, context.RequestAborted).ConfigureAwait(false) is not { } refusal)
        {
            return false;
        }

        if (refusal.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"mobz-hls\"";
        }

        await ErrorAsync(context, refusal.Status, refusal.Message).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// An answer let through by a token in the query or a header must not be kept by a shared cache: one that keys on
    /// the path alone would hand it to requests without a token. The path form puts the token in the cache key.
    /// </summary>
    private string Cache(string cacheControl, string? pathToken) =>
        _gate is null || pathToken is not null
            ? cacheControl
            : cacheControl.Replace("public", "private", StringComparison.Ordinal);

    private static string? QueryToken(HttpRequest request) =>
        request.Query.TryGetValue("token", out var value) && value.ToString() is { Length: > 0 } token ? token : null;

    private static string? BearerToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header[7..].Trim()
            : null;
    }

    /// <summary>
    /// A request for the preload-hinted part (or one a little after it) is held until the part exists.
    /// </summary>
    /// <returns>true when the part now exists, false when it never will (404), null on timeout (503).</returns>
    private async Task<bool?> WaitForHintedPartAsync(
        HttpContext context,
        string stream,
        string session,
        long msn,
        int part
    )
    {
        // The session names the rendition (each rendition of a ladder has sessions of its own).
        if (
            await _registry.GetAsync(stream).ConfigureAwait(false) is not { Current: { } current } watcher
            || WithSession(current, session) is not { } doc
            || doc.PreloadHint is not { } hint
            || hint.Session != session
            || (msn, part).CompareTo((hint.Msn, hint.Part)) < 0
            || IsBeyondAdvanceLimit(doc, msn, part)
        )
        {
            return false;
        }

        PlaylistDocument? ready = await watcher
            .WaitAsync(
                d => d.Ended || WithSession(d, session) is not { } r || r.HasPart(msn, part),
                BlockingLimit,
                context.RequestAborted
            )
            .ConfigureAwait(false);
        return ready is null ? null : WithSession(ready, session)?.HasPart(msn, part) ?? false;
    }

    private static PlaylistDocument? WithSession(PlaylistDocument stream, string session) =>
        stream.AllRenditions().FirstOrDefault(r => r.Session == session);

    /// <summary>
    /// rfc8216bis §6.2.5.2: more than two segments past the last one, or more parts past the last part
    /// than the Advance Part Limit (3 / PART-TARGET when that is under a second, else 3).
    /// </summary>
    internal static bool IsBeyondAdvanceLimit(PlaylistDocument doc, long msn, int? part)
    {
        if (msn > doc.LastCompleteMsn + 2)
        {
            return true;
        }

        if (part is not int p)
        {
            return false;
        }

        int limit = doc.PartTarget < 1 ? (int)Math.Ceiling(3 / doc.PartTarget) : 3;
        (long lastMsn, int lastPart) =
            doc.Open is { } open ? (open.Msn, open.Parts!.Count - 1)
            : doc.Segments.Count > 0 ? (doc.Segments[^1].Msn, (doc.Segments[^1].Parts?.Count ?? 1) - 1)
            : (doc.NextMsn, -1);
        if (msn < lastMsn)
        {
            return false;
        }

        // In a later segment, count only its own parts: the current one may close at any moment. Counted in long:
        // _HLS_part=2147483647 must not wrap around to "not ahead at all".
        long ahead = msn == lastMsn ? (long)p - lastPart : (long)p + 1;
        return ahead > limit;
    }

    private static async Task WritePlaylistAsync(HttpContext context, string playlist, string cacheControl)
    {
        HttpResponse response = context.Response;
        response.ContentType = PlaylistContentType;
        response.Headers.CacheControl = cacheControl;
        response.Headers.Vary = "Accept-Encoding";
        byte[] body = Encoding.UTF8.GetBytes(playlist);
        if (AcceptsGzip(context.Request))
        {
            using var compressed = new MemoryStream(body.Length / 3 + 64);
            await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
            }

            body = compressed.ToArray();
            response.Headers.ContentEncoding = "gzip";
        }

        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task WriteMediaAsync(HttpContext context, byte[] data, string contentType, string cacheControl)
    {
        HttpResponse response = context.Response;
        response.ContentType = contentType;
        response.Headers.CacheControl = cacheControl;
        response.ContentLength = data.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(data, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (string? value in request.Headers.AcceptEncoding)
        {
            if (value is not null && value.Contains("gzip", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static Task NotFoundAsync(HttpContext context) =>
        ErrorAsync(context, StatusCodes.Status404NotFound, "no such stream or file");

    private static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        // Errors must not stick in a CDN: the stream may start, or the part appear, a moment later.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, context.RequestAborted);
    }

    public static void AddCors(HttpResponse response)
    {
        response.Headers.AccessControlAllowOrigin = "*";
        response.Headers.AccessControlExposeHeaders = "Content-Length, Date, Age";
    }

    public static Task PreflightAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        AddCors(response);
        response.Headers.AccessControlAllowMethods = "GET, HEAD, OPTIONS";
        response.Headers.AccessControlAllowHeaders =
            context.Request.Headers.AccessControlRequestHeaders.Count > 0
                ? context.Request.Headers.AccessControlRequestHeaders.ToString()
                : "Range";
        response.Headers.AccessControlMaxAge = "86400";
        response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }
}
