using MobZ.Hls.Serving.Storage;

namespace MobZ.Hls.Serving.Playlists;

/// <summary>
/// Which renditions of a stream's ladder players are offered, and where their media playlists are: rendition 0 at
/// <c>media.m3u8</c> (the only one of a publisher without simulcast, so its URLs are those of a single-rendition
/// stream), rendition n at <c>media{n}.m3u8</c> beside it.
/// </summary>
internal static class Ladder
{
    /// <summary>A rendition whose newest media ends this many target durations before the newest of any rendition is
    /// taken for stopped (its simulcast layer no longer flows) and no longer offered.</summary>
    public const int StaleAfterTargetDurations = 2;

    public static string MediaUri(int rendition) => rendition == 0 ? "media.m3u8" : $"media{rendition}.m3u8";

    /// <summary>
    /// The renditions to offer, in index order: those with media that still flows (within
    /// <see cref="StaleAfterTargetDurations"/> of the freshest). Rendition 0 alone while none has media yet.
    /// </summary>
    public static List<int> Listed(PlaylistDocument stream)
    {
        var listed = new List<int>(HlsLadder.MaxRenditions);
        DateTimeOffset freshest = DateTimeOffset.MinValue;
        int index = 0;
        foreach (PlaylistDocument rendition in stream.AllRenditions())
        {
            if (LiveEdge(rendition) is { } edge && edge > freshest)
            {
                freshest = edge;
            }
        }

        TimeSpan stale = TimeSpan.FromSeconds(StaleAfterTargetDurations * stream.TargetDuration);
        foreach (PlaylistDocument rendition in stream.AllRenditions())
        {
            if (rendition.Session.Length > 0 && LiveEdge(rendition) is { } edge && freshest - edge <= stale)
            {
                listed.Add(index);
            }

            index++;
        }

        if (listed.Count == 0)
        {
            listed.Add(0);
        }

        return listed;
    }

    /// <summary>Where the rendition's newest media ends on the sender's clock; null before its first part.</summary>
    private static DateTimeOffset? LiveEdge(PlaylistDocument rendition)
    {
        for (int i = rendition.Segments.Count - 1; i >= 0; i--)
        {
            SegmentRecord segment = rendition.Segments[i];
            if (!segment.Gap)
            {
                return segment.ProgramDateTime + TimeSpan.FromSeconds(segment.Duration);
            }
        }

        return null;
    }

    /// <summary>
    /// rfc8216bis §4.4.5.4: the EXT-X-RENDITION-REPORT of every other offered rendition, for the media playlist of
    /// <paramref name="rendition"/>: its URI, last media sequence number and last part, so a player switching to it
    /// can ask for the right part at once.
    /// </summary>
    public static List<(string Uri, long LastMsn, int? LastPart)> Reports(PlaylistDocument stream, int rendition)
    {
        var reports = new List<(string, long, int?)>(HlsLadder.MaxRenditions);
        if (stream.Renditions is null)
        {
            return reports;
        }

        foreach (int other in Listed(stream))
        {
            if (other == rendition || stream.Rendition(other) is not { Segments.Count: > 0 } doc)
            {
                continue;
            }

            SegmentRecord last = doc.Segments[^1];
            reports.Add((MediaUri(other), last.Msn, last.Parts is { Count: > 0 } parts ? parts.Count - 1 : null));
        }

        return reports;
    }
}
