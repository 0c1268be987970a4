using System.Diagnostics.Metrics;

namespace MobZ.Hls;

/// <summary>
/// Numbers of LL-HLS packaging and serving (meter <see cref="MeterName"/>): parts written, blocking requests
/// held until the part or playlist exists, and those that gave up with 503. See docs/operations.md.
/// </summary>
public static class HlsMetrics
{
    public const string MeterName = "MobZ.Hls";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>CMAF parts stored for players.</summary>
    public static readonly Counter<long> PartsWritten = Meter.CreateCounter<long>("mobz.hls.parts.written", "{part}",
        "LL-HLS parts written to the store");

    /// <summary>Blocking requests (playlist reload with _HLS_msn, preload-hinted part), tagged <c>kind</c> = playlist | part.</summary>
    public static readonly Counter<long> BlockingRequests = Meter.CreateCounter<long>("mobz.hls.blocking.requests", "{request}",
        "Requests held until the playlist or part they ask for exists");

    /// <summary>Blocking requests answered 503 after three target durations, tagged <c>kind</c>.</summary>
    public static readonly Counter<long> Unavailable = Meter.CreateCounter<long>("mobz.hls.unavailable", "{request}",
        "Blocking requests answered 503 (not produced within three target durations)");

    internal static readonly KeyValuePair<string, object?> Playlist = new("kind", "playlist");
    internal static readonly KeyValuePair<string, object?> Part = new("kind", "part");
}
