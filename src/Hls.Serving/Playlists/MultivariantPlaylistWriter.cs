using System.Text;
using MobZ.Hls.Serving.Storage;

namespace MobZ.Hls.Serving.Playlists;

/// <summary>
/// The multivariant playlist: one variant, audio and video muxed in one rendition (so hls.js needs a
/// single SourceBuffer and keeps them in step), CODECS from the SPS and "opus".
/// </summary>
internal static class MultivariantPlaylistWriter
{
    /// <summary>Used until a segment is complete and a real figure exists.</summary>
    public const long DefaultBandwidth = 1_000_000;

    public static string Write(PlaylistDocument doc, string mediaUri)
    {
        long bandwidth = doc.PeakBandwidth > 0 ? doc.PeakBandwidth : EstimateFromOpenSegment(doc);
        var b = new StringBuilder(256);
        b.Append("#EXTM3U\n");
        b.Append("#EXT-X-VERSION:").Append(MediaPlaylistWriter.Version).Append('\n');
        b.Append("#EXT-X-STREAM-INF:BANDWIDTH=").Append(bandwidth);
        if (doc.AverageBandwidth > 0)
        {
            b.Append(",AVERAGE-BANDWIDTH=").Append(doc.AverageBandwidth);
        }

        b.Append(",CODECS=\"").Append(doc.VideoCodec).Append(',').Append(doc.AudioCodec).Append('"');
        b.Append(",RESOLUTION=").Append(doc.Width).Append('x').Append(doc.Height).Append('\n');
        b.Append(mediaUri).Append('\n');
        return b.ToString();
    }

    private static long EstimateFromOpenSegment(PlaylistDocument doc) =>
        doc.Open is { Duration: > 0 } open ? Math.Max(1, (long)(open.Bytes * 8 / open.Duration)) : DefaultBandwidth;
}
