namespace MobZ.Hls.Packaging;

/// <summary>A new init segment: the start of a session (a publisher, or a new SPS after a resolution change).</summary>
public sealed record HlsInitInfo(string VideoCodec, string AudioCodec, int Width, int Height);

/// <param name="Duration">the video duration of the part, which is the part's duration in the playlist.</param>
/// <param name="Independent">the part begins with an IDR frame.</param>
/// <param name="ProgramDateTime">the sender's wall clock at the part's first frame.</param>
/// <param name="Discontinuity">the part begins a segment after a hole in the timeline (frames lost upstream).</param>
/// <param name="SegmentMayEnd">
/// the next part may begin a new segment (this one is long enough to end at the next keyframe, or will end
/// anyway): the playlist then hints the next segment's first part, which will be published either way.
/// </param>
/// <param name="Segment">
/// the packager's number of the segment the part belongs to, counted from 0 and, across the renditions of a ladder,
/// the same for the segments that begin at the same time (the store's media sequence number is this plus a base);
/// -1 when the producer does not number segments.
/// </param>
/// <param name="Frames">video frames in the part (for FRAME-RATE).</param>
public readonly record struct HlsPartInfo(
    TimeSpan Duration,
    bool Independent,
    DateTimeOffset ProgramDateTime,
    bool Discontinuity = false,
    bool SegmentMayEnd = false,
    long Segment = -1,
    int Frames = 0
);

/// <summary>
/// Receives what an <see cref="HlsPackager"/> produces, in order, on the thread that feeds it RTP. Calls
/// must return quickly; the chunks are handed over and must be disposed by the receiver.
/// </summary>
public interface IHlsPackagerOutput
{
    void OnInit(HlsInitInfo info, HlsChunk init);

    void OnPart(HlsPartInfo info, HlsChunk part);

    /// <summary>The parts since the previous call form one segment.</summary>
    void OnSegmentEnd();

    /// <summary>The publisher is gone; nothing follows.</summary>
    void OnEnd();

    /// <summary>Completes when everything handed over so far has been stored.</summary>
    ValueTask FlushAsync();
}
