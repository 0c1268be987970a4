using System.Globalization;
using System.Text;
using MobZ.Hls.Serving.Storage;

namespace MobZ.Hls.Serving.Playlists;

/// <summary>
/// Composes a Low-Latency HLS media playlist (draft-pantos-hls-rfc8216bis §4.4) from a stream's document.
/// URIs are relative to the playlist: <c>{session}/init.mp4</c>, <c>{session}/{msn}.m4s</c>,
/// <c>{session}/{msn}.{part}.m4s</c>.
/// </summary>
internal static class MediaPlaylistWriter
{
    public const int Version = 9; // EXT-X-SKIP needs 9

    public static double PartHoldBack(PlaylistDocument doc) => 3 * doc.PartTarget;

    public static double HoldBack(PlaylistDocument doc) => 3 * doc.TargetDuration;

    public static double CanSkipUntil(PlaylistDocument doc) => 6 * doc.TargetDuration;

    /// <param name="skip">a delta update (_HLS_skip=YES): segments older than CAN-SKIP-UNTIL are replaced by
    /// EXT-X-SKIP.</param>
    /// <param name="reports">the other renditions of a ladder (EXT-X-RENDITION-REPORT), none for a stream of
    /// one.</param>
    public static string Write(
        PlaylistDocument doc,
        bool skip,
        IReadOnlyList<(string Uri, long LastMsn, int? LastPart)>? reports = null
    )
    {
        var b = new StringBuilder(4096);
        b.Append("#EXTM3U\n");
        b.Append("#EXT-X-VERSION:").Append(Version).Append('\n');
        b.Append("#EXT-X-TARGETDURATION:").Append(doc.TargetDuration).Append('\n');
        b.Append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=")
            .Append(Number(CanSkipUntil(doc)))
            .Append(",PART-HOLD-BACK=")
            .Append(Number(PartHoldBack(doc)))
            .Append(",HOLD-BACK=")
            .Append(Number(HoldBack(doc)))
            .Append('\n');
        b.Append("#EXT-X-PART-INF:PART-TARGET=").Append(Number(doc.PartTarget)).Append('\n');
        b.Append("#EXT-X-MEDIA-SEQUENCE:").Append(doc.MediaSequence).Append('\n');
        b.Append("#EXT-X-DISCONTINUITY-SEQUENCE:").Append(doc.DiscontinuitySequence).Append('\n');

        // rfc8216bis §6.2.5.1: _HLS_skip is ignored once the playlist has EXT-X-ENDLIST.
        int skipped = skip && !doc.Ended ? SkippableSegments(doc) : 0;
        if (skipped > 0)
        {
            b.Append("#EXT-X-SKIP:SKIPPED-SEGMENTS=").Append(skipped).Append('\n');
        }

        string? session = null;
        for (int i = skipped; i < doc.Segments.Count; i++)
        {
            SegmentRecord segment = doc.Segments[i];
            if (segment.Discontinuity)
            {
                b.Append("#EXT-X-DISCONTINUITY\n");
            }

            if (segment.Session != session)
            {
                session = segment.Session;
                b.Append("#EXT-X-MAP:URI=\"").Append(session).Append("/init.mp4\"\n");
            }

            b.Append("#EXT-X-PROGRAM-DATE-TIME:")
                .Append(
                    segment.ProgramDateTime.UtcDateTime.ToString(
                        "yyyy-MM-dd'T'HH:mm:ss.fff'Z'",
                        CultureInfo.InvariantCulture
                    )
                )
                .Append('\n');

            if (segment.Parts is { } parts)
            {
                for (int p = 0; p < parts.Count; p++)
                {
                    b.Append("#EXT-X-PART:DURATION=")
                        .Append(Number(parts[p].Duration))
                        .Append(",URI=\"")
                        .Append(segment.Session)
                        .Append('/')
                        .Append(segment.Msn)
                        .Append('.')
                        .Append(p)
                        .Append(".m4s\"");
                    if (parts[p].Independent)
                    {
                        b.Append(",INDEPENDENT=YES");
                    }

                    b.Append('\n');
                }
            }

            if (segment.Gap)
            {
                b.Append("#EXT-X-GAP\n");
            }

            if (segment.Complete)
            {
                b.Append("#EXTINF:").Append(Number(segment.Duration)).Append(",\n");
                b.Append(segment.Session).Append('/').Append(segment.Msn).Append(".m4s\n");
            }
        }

        if (doc.PreloadHint is { } hint)
        {
            if (session is not null && hint.Session != session)
            {
                // A new session (a resolution change) whose init is stored but whose first part is not: a player
                // that preloads a hinted part would take it for media of the init listed last, so the new init is
                // what is hinted.
                b.Append("#EXT-X-PRELOAD-HINT:TYPE=MAP,URI=\"").Append(hint.Session).Append("/init.mp4\"\n");
            }
            else
            {
                b.Append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"")
                    .Append(hint.Session)
                    .Append('/')
                    .Append(hint.Msn)
                    .Append('.')
                    .Append(hint.Part)
                    .Append(".m4s\"\n");
            }
        }

        foreach ((string uri, long lastMsn, int? lastPart) in reports ?? [])
        {
            b.Append("#EXT-X-RENDITION-REPORT:URI=\"").Append(uri).Append("\",LAST-MSN=").Append(lastMsn);
            if (lastPart is int part)
            {
                b.Append(",LAST-PART=").Append(part);
            }

            b.Append('\n');
        }

        if (doc.Ended)
        {
            b.Append("#EXT-X-ENDLIST\n");
        }

        return b.ToString();
    }

    /// <summary>
    /// Leading complete segments that end more than CAN-SKIP-UNTIL before the end of the playlist
    /// (rfc8216bis §6.2.5.1: a delta update may replace only those).
    /// </summary>
    public static int SkippableSegments(PlaylistDocument doc)
    {
        double total = doc.Segments.Sum(s => s.Duration);
        double boundary = CanSkipUntil(doc);
        double start = 0;
        int count = 0;
        foreach (SegmentRecord segment in doc.Segments)
        {
            double end = start + segment.Duration;
            if (!segment.Complete || total - end < boundary)
            {
                break;
            }

            count++;
            start = end;
        }

        return count;
    }

    private static string Number(double value) => value.ToString("0.0####", CultureInfo.InvariantCulture);
}
