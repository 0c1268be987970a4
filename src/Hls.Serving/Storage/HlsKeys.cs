using System.Text.RegularExpressions;

namespace MobZ.Hls.Serving.Storage;

/// <summary>
/// Store keys and bus channels of one stream. Layout (prefix "hls:" by default):
/// <c>hls:{stream}:playlist</c> the playlist document (JSON);
/// <c>hls:{stream}:{session}:init</c> the init segment;
/// <c>hls:{stream}:{session}:{msn}</c> a segment;
/// <c>hls:{stream}:{session}:{msn}.{part}</c> a part;
/// channel <c>hls:{stream}</c> nudges readers after every playlist change.
/// </summary>
internal sealed partial class HlsKeys
{
    private readonly string _prefix;

    public HlsKeys(string prefix)
    {
        _prefix = prefix;
    }

    /// <summary>Stream names become keys and URL path segments, so they are kept to a safe alphabet.</summary>
    public static bool IsValidStreamName(string? stream) => stream is not null && StreamName().IsMatch(stream);

    public static bool IsValidSession(string? session) => session is not null && SessionName().IsMatch(session);

    public string Playlist(string stream) => $"{_prefix}{stream}:playlist";

    public string Channel(string stream) => $"{_prefix}{stream}";

    public string Init(string stream, string session) => $"{_prefix}{stream}:{session}:init";

    public string Segment(string stream, string session, long msn) => $"{_prefix}{stream}:{session}:{msn}";

    public string Part(string stream, string session, long msn, int part) =>
        $"{_prefix}{stream}:{session}:{msn}.{part}";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex StreamName();

    [GeneratedRegex("^[a-f0-9]{8,32}$")]
    private static partial Regex SessionName();
}
