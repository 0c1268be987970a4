using System.Diagnostics.Metrics;

namespace MobZ.Hls;

/// <summary>
/// Numbers of LL-HLS packaging and serving (meter <see cref="MeterName"/>): parts written, blocking requests
/// held until the part or playlist exists, those that gave up with 503, playback-token refusals, and the streams and
/// renditions being packaged. See
/// docs/operations.md.
/// </summary>
public static class HlsMetrics
{
    public const string MeterName = "MobZ.Hls";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>CMAF parts stored for players.</summary>
    public static readonly Counter<long> PartsWritten = Meter.CreateCounter<long>(
        "mobz.hls.parts.written",
        "{part}",
        "LL-HLS parts written to the store"
    );

    /// <summary>Blocking requests (playlist reload with _HLS_msn, preload-hinted part), tagged <c>kind</c> = playlist |
    /// part.</summary>
    public static readonly Counter<long> BlockingRequests = Meter.CreateCounter<long>(
        "mobz.hls.blocking.requests",
        "{request}",
        "Requests held until the playlist or part they ask for exists"
    );

    /// <summary>Blocking requests answered 503 after three target durations, tagged <c>kind</c>.</summary>
    public static readonly Counter<long> Unavailable = Meter.CreateCounter<long>(
        "mobz.hls.unavailable",
        "{request}",
        "Blocking requests answered 503 (not produced within three target durations)"
    );

    /// <summary>
    /// Playback requests refused for their token, tagged <c>reason</c> = missing | invalid | expired | unconfigured
    /// (all 401) | room | grant (403).
    /// </summary>
    public static readonly Counter<long> PlaybackRefused = Meter.CreateCounter<long>(
        "mobz.hls.playback.refused",
        "{request}",
        "LL-HLS requests refused because their playback token was missing, invalid, expired, for another room or without the subscribe grant"
    );

    /// <summary>Playback tokens whose signature was verified (not found in the cache of validated tokens).</summary>
    public static readonly Counter<long> PlaybackTokensVerified = Meter.CreateCounter<long>(
        "mobz.hls.playback.tokens.verified",
        "{token}",
        "Playback tokens verified in full (signature, expiry, claims) because the cache of validated tokens did not hold them"
    );

    /// <summary>Streams this node is packaging (a publisher whose first rendition has started and not ended).</summary>
    public static readonly UpDownCounter<long> Streams = Meter.CreateUpDownCounter<long>(
        "mobz.hls.streams",
        "{stream}",
        "LL-HLS streams being packaged on this node"
    );

    /// <summary>
    /// Renditions of those streams: one per simulcast layer that has flowed (adaptive bitrate without transcoding), one
    /// for a publisher without simulcast. Renditions per stream = this / <see cref="Streams"/>.
    /// </summary>
    public static readonly UpDownCounter<long> Renditions = Meter.CreateUpDownCounter<long>(
        "mobz.hls.renditions",
        "{rendition}",
        "LL-HLS renditions being packaged on this node (one per simulcast layer of each stream)"
    );

    internal static readonly KeyValuePair<string, object?> Playlist = new("kind", "playlist");
    internal static readonly KeyValuePair<string, object?> Part = new("kind", "part");
}
