using System.Globalization;
using System.Text;
using MobZ.Hls.Serving.Storage;

namespace MobZ.Hls.Serving.Playlists;

/// <summary>
/// The multivariant playlist: one variant per rendition (one per simulcast layer that flows, or the only one), audio
/// and video muxed in each (so hls.js needs a single SourceBuffer and keeps them in step), CODECS from the SPS and
/// "opus", RESOLUTION from the SPS, BANDWIDTH the peak segment bit rate over the window, AVERAGE-BANDWIDTH and
/// FRAME-RATE over it too. The variant listed first is where players that follow the order (Safari, hls.js without a
/// bandwidth estimate yet) start: the best one at most <see cref="StartBandwidth"/>; the others follow by bandwidth.
/// </summary>
internal static class MultivariantPlaylistWriter
{
    /// <summary>Used until a segment is complete and a real figure exists.</summary>
    public const long DefaultBandwidth = 1_000_000;

    /// <summary>The first variant is the best one under this (Apple's authoring guidance starts at about 2
    /// Mb/s).</summary>
    public const long StartBandwidth = 2_000_000;

    /// <param name="prefix">put before each media playlist's URI ("" or <c>t/{token}/</c>).</param>
    public static string Write(PlaylistDocument stream, string prefix)
    {
        var variants = Ladder.Listed(stream).Select(i => (Index: i, Doc: stream.Rendition(i)!)).ToList();
        variants.Sort((a, b) => Bandwidth(a.Doc).CompareTo(Bandwidth(b.Doc)));
        int start = variants.FindLastIndex(v => Bandwidth(v.Doc) <= StartBandwidth);
        if (start > 0)
        {
            var first = variants[start];
            variants.RemoveAt(start);
            variants.Insert(0, first);
        }

        var b = new StringBuilder(256 * variants.Count);
        b.Append("#EXTM3U\n");
        b.Append("#EXT-X-VERSION:").Append(MediaPlaylistWriter.Version).Append('\n');
        foreach ((int index, PlaylistDocument doc) in variants)
        {
            b.Append("#EXT-X-STREAM-INF:BANDWIDTH=").Append(Bandwidth(doc));
            if (doc.AverageBandwidth > 0)
            {
                b.Append(",AVERAGE-BANDWIDTH=").Append(doc.AverageBandwidth);
            }

            b.Append(",CODECS=\"").Append(doc.VideoCodec).Append(',').Append(doc.AudioCodec).Append('"');
            b.Append(",RESOLUTION=").Append(doc.Width).Append('x').Append(doc.Height);
            if (doc.FrameRate > 0)
            {
                b.Append(",FRAME-RATE=").Append(doc.FrameRate.ToString("0.000", CultureInfo.InvariantCulture));
            }

            b.Append('\n').Append(prefix).Append(Ladder.MediaUri(index)).Append('\n');
        }

        return b.ToString();
    }

    private static long Bandwidth(PlaylistDocument doc) =>
        doc.PeakBandwidth > 0 ? doc.PeakBandwidth : EstimateFromOpenSegment(doc);

    private static long EstimateFromOpenSegment(PlaylistDocument doc) =>
        doc.Open is { Duration: > 0 } open ? Math.Max(1, (long)(open.Bytes * 8 / open.Duration)) : DefaultBandwidth;
}
