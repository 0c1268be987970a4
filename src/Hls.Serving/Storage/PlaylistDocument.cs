using System.Text.Json.Serialization;

namespace MobZ.Hls.Serving.Storage;

/// <summary>
/// Everything a server needs to compose the playlists of one stream, written by the packager's writer after
/// every part and read by any node that serves the stream.
/// </summary>
internal sealed class PlaylistDocument
{
    /// <summary>Bumped on every write, so readers can tell a new document from one they have.</summary>
    public long Revision { get; set; }

    public int TargetDuration { get; set; }

    public double PartTarget { get; set; }

    public long DiscontinuitySequence { get; set; }

    /// <summary>Session (init segment) of the next segment to be opened.</summary>
    public string Session { get; set; } = "";

    public string VideoCodec { get; set; } = "";

    public string AudioCodec { get; set; } = "";

    public int Width { get; set; }

    public int Height { get; set; }

    /// <summary>Peak segment bit rate over the window (bits per second).</summary>
    public long PeakBandwidth { get; set; }

    public long AverageBandwidth { get; set; }

    /// <summary>Video frames per second over the window's complete segments; 0 before the first.</summary>
    public double FrameRate { get; set; }

    /// <summary>
    /// The playlists of renditions 1, 2… of a ladder (one per simulcast layer), each a document of its own (its
    /// revision and ended flag unused); this document is rendition 0. Null for a stream of one rendition.
    /// </summary>
    public List<PlaylistDocument>? Renditions { get; set; }

    /// <summary>The next segment opened gets an EXT-X-DISCONTINUITY (a new session followed an earlier one).</summary>
    public bool PendingDiscontinuity { get; set; }

    public bool Ended { get; set; }

    /// <summary>Complete segments, oldest first, then at most one open segment (the one receiving parts).</summary>
    public List<SegmentRecord> Segments { get; set; } = [];

    /// <summary>Msn the next opened segment gets.</summary>
    public long NextMsn { get; set; }

    /// <summary>Rendition <paramref name="index"/>'s playlist, null when the ladder has none (yet).</summary>
    public PlaylistDocument? Rendition(int index) =>
        index == 0 ? this
        : index > 0 && Renditions is { } more && index <= more.Count ? more[index - 1]
        : null;

    /// <summary>Rendition <paramref name="index"/>'s playlist, added (empty) with those before it when
    /// missing.</summary>
    public PlaylistDocument RenditionOrAdd(int index)
    {
        if (index == 0)
        {
            return this;
        }

        Renditions ??= [];
        while (Renditions.Count < index)
        {
            Renditions.Add(
                new PlaylistDocument
                {
                    TargetDuration = TargetDuration,
                    PartTarget = PartTarget,
                    NextMsn = NextMsn,
                    Ended = Ended,
                }
            );
        }

        return Renditions[index - 1];
    }

    /// <summary>This rendition, then the others in order.</summary>
    public IEnumerable<PlaylistDocument> AllRenditions() => Renditions is { } more ? [this, .. more] : [this];

    [JsonIgnore]
    public long MediaSequence => Segments.Count > 0 ? Segments[0].Msn : NextMsn;

    [JsonIgnore]
    public SegmentRecord? Open => Segments.Count > 0 && !Segments[^1].Complete ? Segments[^1] : null;

    /// <summary>The last complete segment's msn, or MediaSequence − 1 when none is complete.</summary>
    [JsonIgnore]
    public long LastCompleteMsn
    {
        get
        {
            for (int i = Segments.Count - 1; i >= 0; i--)
            {
                if (Segments[i].Complete)
                {
                    return Segments[i].Msn;
                }
            }

            return MediaSequence - 1;
        }
    }

    /// <summary>
    /// The part the playlist announces with EXT-X-PRELOAD-HINT; null once the stream ended. When the open
    /// segment may end before its next part (it is long enough to be cut at the next keyframe), the hint is the
    /// next segment's part 0, which is published whenever the cut comes, rather than a part of this segment
    /// that would never be (rfc8216bis §6.2.6: a hinted resource is one the server will publish).
    /// </summary>
    [JsonIgnore]
    public (string Session, long Msn, int Part)? PreloadHint =>
        Ended ? null
        : Open is { EndDue: true } due ? (Session, due.Msn + 1, 0)
        : Open is { } open ? (open.Session, open.Msn, open.Parts!.Count)
        : (Session, NextMsn, 0);

    /// <summary>
    /// Whether part <paramref name="part"/> of segment <paramref name="msn"/> is listed. A part index past the
    /// last part of a complete segment means part 0 of the next segment (rfc8216bis §6.2.5.2): the client
    /// asks for what follows the parts it has, which is the next segment's first part, not the segment end.
    /// A complete segment whose part list is no longer kept is far behind the live edge and counts as listed.
    /// </summary>
    public bool HasPart(long msn, int part)
    {
        if (msn <= LastCompleteMsn)
        {
            if (Find(msn) is not { Parts: { } parts } || part < parts.Count)
            {
                return true;
            }

            return HasPart(msn + 1, 0);
        }

        return Open is { } open && open.Msn == msn && part < open.Parts!.Count;
    }

    public SegmentRecord? Find(long msn)
    {
        long first = MediaSequence;
        long index = msn - first;
        return index >= 0 && index < Segments.Count ? Segments[(int)index] : null;
    }
}

internal sealed class SegmentRecord
{
    public long Msn { get; set; }

    public string Session { get; set; } = "";

    public double Duration { get; set; }

    public DateTimeOffset ProgramDateTime { get; set; }

    public bool Discontinuity { get; set; }

    public bool Complete { get; set; }

    public long Bytes { get; set; }

    public int Frames { get; set; }

    /// <summary>EXT-X-GAP: the rendition had no media for this segment (its layer had stopped); no file
    /// exists.</summary>
    public bool Gap { get; set; }

    /// <summary>Open segment: its next part may start the next segment, so the hint names that one's part 0.</summary>
    public bool EndDue { get; set; }

    /// <summary>Listed while the segment is near the live edge; null once the playlist no longer shows them.</summary>
    public List<PartRecord>? Parts { get; set; }
}

internal sealed class PartRecord
{
    public double Duration { get; set; }

    public bool Independent { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull
)]
[JsonSerializable(typeof(PlaylistDocument))]
internal sealed partial class HlsJsonContext : JsonSerializerContext;
