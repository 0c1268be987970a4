using MobZ.Hls.Mp4;

namespace MobZ.Hls.Packaging;

/// <summary>
/// Groups timed video frames (and the audio that falls beside them) into parts and segments and writes
/// each part as one fMP4 fragment:
/// a part is closed before a frame that would push it past the part target (so every part is at most
/// PART-TARGET, and at least PART-TARGET minus one frame); a segment is closed before a keyframe once it
/// is long enough, or before any frame that would make it longer than the target duration.
/// </summary>
internal sealed class PartAssembler : IDisposable
{
    private readonly IHlsPackagerOutput _output;
    private readonly AudioQueue _audio;
    private readonly long _partTarget;
    private readonly long _segmentCutAt;
    private readonly long _segmentMax;
    private readonly long _audioLagAllowance;
    private readonly long _overshootAllowance;

    private readonly List<MediaSample> _videoSamples = new(32);
    private readonly PooledByteBuffer _videoData = new(256 * 1024);
    private readonly List<MediaSample> _audioSamples = new(32);
    private readonly PooledByteBuffer _audioData = new(8 * 1024);
    private long _partStart;
    private long _partDuration;
    private bool _partIndependent;
    private uint _fragmentSequence;

    public PartAssembler(IHlsPackagerOutput output, HlsOptions options)
    {
        _output = output;
        _partTarget = Ticks(options.PartTarget);
        // A keyframe up to half a part early still starts the next segment: publishers answer a keyframe
        // request a frame or two late, and waiting for the one after would double the segment.
        _segmentCutAt = Ticks(options.SegmentTarget) - (_partTarget / 2);
        _segmentMax = options.TargetDurationSeconds * (long)TrackIds.VideoTimescale;
        _audioLagAllowance = (long)(options.AudioLagAllowance.TotalSeconds * TrackIds.AudioTimescale);
        _audio = new AudioQueue(maxQueued: 5L * TrackIds.AudioTimescale);
        // Publishers' timestamps jitter (Chrome's follow the capture clock): six frames at 30 fps are
        // 200 ms give or take a few. Trimming the last frame by up to 5 % of the part target keeps that part
        // whole instead of closing it a frame early at 83 %, which would break the 85 % rule.
        _overshootAllowance = _partTarget / 20;
    }

    public AudioQueue Audio => _audio;

    /// <summary>Video time of the current segment so far, in 90 kHz ticks.</summary>
    public long SegmentDuration { get; private set; }

    public long PartTargetTicks => _partTarget;

    public long SegmentsEnded { get; private set; }

    /// <summary>Where the stream's time 0 sits on the sender's wall clock.</summary>
    public DateTimeOffset Origin { get; set; }

    /// <summary>Frames whose real duration had to be shortened to fit a part (after loss or a pause).</summary>
    public long ShortenedFrames { get; private set; }

    /// <summary>Frames shortened by a few ms so a part of jittery frames still fills its target.</summary>
    public long TrimmedFrames { get; private set; }

    /// <summary>Segments cut without a keyframe because the publisher sent none in time.</summary>
    public long ForcedCuts { get; private set; }

    public static long Ticks(TimeSpan span) => (long)Math.Round(span.TotalSeconds * TrackIds.VideoTimescale);

    public void AddVideo(ReadOnlySpan<byte> avcc, long dts, long duration, bool isIdr)
    {
        if (duration > _partTarget)
        {
            // A frame that stood for a long time (loss, a paused sender) still has to fit a part; the
            // next fragment's tfdt carries the real time on.
            duration = _partTarget;
            ShortenedFrames++;
        }

        duration = Math.Max(1, duration);
        if (SegmentDuration > 0 && isIdr && SegmentDuration >= _segmentCutAt)
        {
            EndSegment();
        }
        else if (SegmentDuration + duration > _segmentMax)
        {
            ForcedCuts++;
            EndSegment();
        }
        else if (_partDuration + duration > _partTarget)
        {
            if (_partDuration > 0 && _partDuration + duration - _partTarget <= _overshootAllowance)
            {
                // The next fragment's tfdt keeps the real time: a gap of a few ms, which players bridge.
                duration = _partTarget - _partDuration;
                TrimmedFrames++;
            }
            else
            {
                ClosePart();
            }
        }

        if (_videoSamples.Count == 0)
        {
            _partStart = dts;
            _partIndependent = isIdr;
        }

        _videoSamples.Add(new MediaSample(_videoData.Length, avcc.Length, (uint)duration, isIdr));
        _videoData.Append(avcc);
        _partDuration += duration;
        SegmentDuration += duration;

        // Full, or the next frame will not fit either (frames are about this long): publish now rather
        // than a frame later.
        if (_partDuration >= _partTarget || _partDuration + duration > _partTarget + _overshootAllowance)
        {
            ClosePart();
        }
    }

    public void EndSegment()
    {
        ClosePart();
        if (SegmentDuration > 0)
        {
            _output.OnSegmentEnd();
            SegmentDuration = 0;
            SegmentsEnded++;
        }
    }

    private void ClosePart()
    {
        if (_videoSamples.Count == 0)
        {
            return;
        }

        long partEnd = _partStart + _partDuration;
        long audioEnd = partEnd * TrackIds.AudioTimescale / TrackIds.VideoTimescale;
        _audio.FillTo(audioEnd - _audioLagAllowance);
        long audioStart = _audio.TakeUntil(audioEnd, _audioSamples, _audioData);

        int size = FragmentWriter.GetMaxSize(_videoSamples.Count, _audioSamples.Count, _videoData.Length + _audioData.Length);
        HlsChunk chunk = HlsChunk.Rent(size);
        try
        {
            var video = new TrackRun(TrackIds.Video, (ulong)_partStart, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_videoSamples), _videoData.WrittenSpan);
            var audio = new TrackRun(TrackIds.Audio, (ulong)Math.Max(0, audioStart), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_audioSamples), _audioData.WrittenSpan);
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
            Origin + TimeSpan.FromSeconds((double)_partStart / TrackIds.VideoTimescale));
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
