using MobZ.Hls.Mp4;

namespace MobZ.Hls.Packaging;

/// <summary>
/// Groups timed video frames (and the audio that falls beside them) into parts and segments and writes
/// each part as one fMP4 fragment. The video track is written gapless: a frame is written where the previous
/// one ended and lasts until the next frame's real start, so a player's buffer has no hole inside a segment.
/// A part is at most PART-TARGET and, unless it is its segment's last, at least 85 % of it: a frame that
/// would push a part past the target closes it when it is long enough, and is otherwise shortened to fill
/// it exactly, the remainder carried into the next frame. A segment is closed before a keyframe once it is
/// long enough, or before any frame that would make it longer than the target duration. Frames further
/// apart than a part (lost upstream, or a paused sender) are a hole: the segment ends with the frame before
/// it and the next segment starts at the real time with a discontinuity, never stretched over in silence.
/// </summary>
internal sealed class PartAssembler : IDisposable
{
    private readonly IHlsPackagerOutput _output;
    private readonly AudioQueue _audio;
    private readonly long _partTarget;
    private readonly long _segmentCutAt;
    private readonly long _segmentMax;
    private readonly long _audioLagAllowance;
    private readonly long _minPart;

    private readonly List<MediaSample> _videoSamples = new(32);
    private readonly PooledByteBuffer _videoData = new(256 * 1024);
    private readonly List<MediaSample> _audioSamples = new(32);
    private readonly PooledByteBuffer _audioData = new(8 * 1024);
    private long _partStart;
    private long _partDuration;
    private bool _partIndependent;
    private bool _partDiscontinuity;
    private uint _fragmentSequence;
    private bool _hasTimeline;
    private long _writtenEnd; // where the next video sample goes on the written (gapless) timeline
    private long _lastStep = 3000; // the last frame step that was no hole, for the frame before one
    private bool _holeAfterLast;
    private readonly SegmentBoundaries? _boundaries;
    private long _segment = -1;
    private bool _segmentOpen;

    /// <param name="boundaries">the ladder's shared boundaries, when this is one rendition of several; null for a
    /// stream of its own.</param>
    public PartAssembler(IHlsPackagerOutput output, HlsOptions options, SegmentBoundaries? boundaries = null)
    {
        _output = output;
        _boundaries = boundaries;
        _partTarget = Ticks(options.PartTarget);
        // The packager asks for the segment's keyframe when the segment is this long, and any keyframe from then on
        // starts the next segment: one a publisher sends promptly (a few frames later on a short path) is the one
        // asked for, and letting it pass for being early would have the publisher send a second keyframe, several
        // times a delta frame's size on every layer, for every segment. Segments are thus the target less a part
        // plus the publisher's answer time.
        _segmentCutAt = Ticks(options.SegmentTarget) - _partTarget;
        _segmentMax = options.TargetDurationSeconds * (long)TrackIds.VideoTimescale;
        _audioLagAllowance = (long)(options.AudioLagAllowance.TotalSeconds * TrackIds.AudioTimescale);
        _audio = new AudioQueue(maxQueued: 5L * TrackIds.AudioTimescale);
        // rfc8216bis §4.4.4.9: every part but a segment's last lasts at least 85 % of PART-TARGET.
        _minPart = (long)Math.Ceiling(_partTarget * 0.85);
    }

    public AudioQueue Audio => _audio;

    /// <summary>How long a segment must be before a keyframe starts the next one (ticks of the video
    /// timescale).</summary>
    public long SegmentCutAt => _segmentCutAt;

    /// <summary>Video time of the current segment so far, in 90 kHz ticks.</summary>
    public long SegmentDuration { get; private set; }

    public long PartTargetTicks => _partTarget;

    public long SegmentsEnded { get; private set; }

    /// <summary>Where the stream's time 0 sits on the sender's wall clock.</summary>
    public DateTimeOffset Origin { get; set; }

    /// <summary>Holes in the video (frames further apart than a part), each signalled with a discontinuity.</summary>
    public long Holes { get; private set; }

    /// <summary>Frames shortened to fill a part to its target; the next frame lasts that much longer.</summary>
    public long TrimmedFrames { get; private set; }

    /// <summary>Segments cut without a keyframe because the publisher sent none in time.</summary>
    public long ForcedCuts { get; private set; }

    public static long Ticks(TimeSpan span) => (long)Math.Round(span.TotalSeconds * TrackIds.VideoTimescale);

    /// <param name="dts">the frame's real decode time.</param>
    /// <param name="duration">the time to the next frame's real decode time.</param>
    public void AddVideo(ReadOnlySpan<byte> avcc, long dts, long duration, bool isIdr)
    {
        if (!_hasTimeline)
        {
            _hasTimeline = true;
            _writtenEnd = dts;
        }
        else if (_holeAfterLast)
        {
            // The segment ends at the hole; the next one starts at the real time, marked discontinuous, and
            // audio from the hole is dropped so both tracks begin together.
            _holeAfterLast = false;
            EndSegment();
            _writtenEnd = Math.Max(_writtenEnd, dts);
            _audio.Restart(_writtenEnd * TrackIds.AudioTimescale / TrackIds.VideoTimescale);
            _partDiscontinuity = true;
            Holes++;
        }

        // Written where the previous frame ended, lasting until this frame's successor really starts.
        long written = Math.Max(1, dts + duration - _writtenEnd);
        if (duration > _partTarget)
        {
            // The next frame is further away than a part can last: a hole follows this frame.
            written = Math.Min(written, _lastStep);
            _holeAfterLast = true;
        }
        else
        {
            _lastStep = Math.Max(1, duration);
        }

        long time = PresentationTime(dts);
        long tolerance = Tolerance();
        long next = SegmentDuration > 0 ? NextSegment(time, tolerance, isIdr, written) : -1;
        if (next >= 0)
        {
            if (!isIdr)
            {
                ForcedCuts++;
            }

            EndSegment();
        }
        else if (_partDuration + written > _partTarget)
        {
            if (_partDuration >= _minPart)
            {
                ClosePart();
            }
            else
            {
                // Too short to close: fill the part exactly; the next frame starts where this one now ends.
                written = _partTarget - _partDuration;
                TrimmedFrames++;
            }
        }

        written = Math.Min(written, _partTarget - _partDuration);
        if (!_segmentOpen)
        {
            _segmentOpen = true;
            _segment =
                next >= 0 ? next
                : _boundaries is null ? _segment + 1
                : _boundaries.Join(time, tolerance);
            // Another rendition's hole begins this segment: the same discontinuity here (a segment that begins after
            // a hole of this rendition's own is marked already). Its start is the same instant, so nothing moves.
            if (_boundaries?.Discontinuous(_segment) == true)
            {
                _partDiscontinuity = true;
            }
        }

        if (_videoSamples.Count == 0)
        {
            _partStart = _writtenEnd;
            _partIndependent = isIdr;
        }

        _videoSamples.Add(new MediaSample(_videoData.Length, avcc.Length, (uint)written, isIdr));
        _videoData.Append(avcc);
        _partDuration += written;
        SegmentDuration += written;
        _writtenEnd += written;

        // Full, or long enough and the next frame (about as long as this one) will not fit: publish now
        // rather than a frame later.
        if (
            _partDuration >= _partTarget
            || (_partDuration >= _minPart && _partDuration + Math.Max(1, duration) > _partTarget)
        )
        {
            ClosePart();
        }
    }

    /// <summary>
    /// A frame arrived; it is added (<see cref="AddVideo"/>) when the next one does, by which time the other renditions
    /// may have added their frame of the same time. So a rendition of a ladder that will begin a segment with this
    /// frame (its first, the first after a hole, or a keyframe once the segment is long enough) declares the boundary
    /// now, and every rendition finds it when it adds its frame of that time.
    /// </summary>
    public void Announce(long dts, bool isIdr)
    {
        if (_boundaries is null)
        {
            return;
        }

        long time = PresentationTime(dts);
        long tolerance = Tolerance();
        _boundaries.Saw(time);
        if (!_segmentOpen || _holeAfterLast)
        {
            _boundaries.Join(time, tolerance, afterHole: _holeAfterLast);
        }
        else if (isIdr && _boundaries.Due(_segment, time, tolerance) == _segment)
        {
            // The frame arriving now and the one being encoded were captured before the request reached the publisher.
            bool answer = _boundaries.Answers(time, tolerance, margin: 4 * tolerance);
            if (SegmentDuration >= _segmentCutAt && (_boundaries.Renditions <= 1 || answer))
            {
                _boundaries.Declare(time);
            }

            if (answer)
            {
                // Answered (or too early to begin a segment): the next cut waits for the next request's answer.
                _boundaries.KeyframeAskedAfter = long.MaxValue;
            }
        }
    }

    /// <summary>A keyframe is being asked of every layer (see <see
    /// cref="SegmentBoundaries.KeyframeAskedAfter"/>).</summary>
    public void KeyframeAsked() => _boundaries?.AskKeyframe();

    /// <summary>A frame's time on the sender's wall clock (UTC ticks), comparable across the renditions.</summary>
    private long PresentationTime(long dts) =>
        Origin.UtcTicks + (dts * TimeSpan.TicksPerSecond / TrackIds.VideoTimescale);

    /// <summary>Half a frame interval: two renditions' frames this close were captured together.</summary>
    private long Tolerance() => _lastStep * TimeSpan.TicksPerSecond / TrackIds.VideoTimescale / 2;

    /// <summary>
    /// Whether the frame at <paramref name="time"/> begins the next segment, and which: alone, at a keyframe once the
    /// segment is long enough, or before a frame that would make it too long; in a ladder, at the frame of a boundary
    /// declared when a keyframe arrived (<see cref="Announce"/>; keyframe or not in this rendition), or before a frame
    /// that would make it too long, which declares a boundary for the others.
    /// </summary>
    /// <returns>the next segment's number, or -1 to go on.</returns>
    private long NextSegment(long time, long tolerance, bool isIdr, long written)
    {
        bool tooLong = SegmentDuration + Math.Min(written, _partTarget) > _segmentMax;
        if (_boundaries is null)
        {
            return (isIdr && SegmentDuration >= _segmentCutAt) || tooLong ? _segment + 1 : -1;
        }

        // Keyframe boundaries were declared when their frames arrived (Announce).
        long declared = _boundaries.Due(_segment, time, tolerance);
        if (declared != _segment)
        {
            return declared;
        }

        return tooLong ? _boundaries.Declare(time) : -1;
    }

    public void EndSegment()
    {
        ClosePart(segmentEnds: true);
        _segmentOpen = false;
        if (SegmentDuration > 0)
        {
            _output.OnSegmentEnd();
            SegmentDuration = 0;
            SegmentsEnded++;
        }
    }

    private void ClosePart(bool segmentEnds = false)
    {
        if (_videoSamples.Count == 0)
        {
            return;
        }

        long partEnd = _partStart + _partDuration;
        long audioEnd = partEnd * TrackIds.AudioTimescale / TrackIds.VideoTimescale;
        _audio.FillTo(audioEnd - _audioLagAllowance);
        long audioStart = _audio.TakeUntil(audioEnd, _audioSamples, _audioData);

        int size = FragmentWriter.GetMaxSize(
            _videoSamples.Count,
            _audioSamples.Count,
            _videoData.Length + _audioData.Length
        );
        HlsChunk chunk = HlsChunk.Rent(size);
        try
        {
            var video = new TrackRun(
                TrackIds.Video,
                (ulong)_partStart,
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_videoSamples),
                _videoData.WrittenSpan
            );
            var audio = new TrackRun(
                TrackIds.Audio,
                (ulong)Math.Max(0, audioStart),
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_audioSamples),
                _audioData.WrittenSpan
            );
            chunk.Length = FragmentWriter.Write(chunk.WritableSpan, ++_fragmentSequence, video, audio);
        }
        catch
        {
            chunk.Dispose();
            throw;
        }

        var info = new HlsPartInfo(
            TimeSpan.FromSeconds((double)_partDuration / TrackIds.VideoTimescale),
            _partIndependent,
            Origin + TimeSpan.FromSeconds((double)_partStart / TrackIds.VideoTimescale),
            _partDiscontinuity,
            segmentEnds
                || SegmentDuration >= _segmentCutAt
                || SegmentDuration + _partTarget > _segmentMax
                || _boundaries?.Newest > _segment,
            _segment,
            _videoSamples.Count
        );
        _partDiscontinuity = false;
        _videoSamples.Clear();
        _videoData.Reset();
        _audioSamples.Clear();
        _audioData.Reset();
        _partDuration = 0;
        _output.OnPart(info, chunk);
    }

    public void Dispose()
    {
        _videoData.Dispose();
        _audioData.Dispose();
        _audio.Dispose();
    }
}
