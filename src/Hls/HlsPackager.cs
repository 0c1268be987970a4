using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Hls.Codecs;
using MobZ.Hls.Mp4;
using MobZ.Hls.Packaging;
using MobZ.Hls.Rtp;
using MobZ.Hls.Timing;

namespace MobZ.Hls;

/// <summary>
/// Turns one publisher's decrypted RTP (H.264 + Opus) into CMAF parts and segments for LL-HLS.
/// </summary>
/// <remarks>
/// Feed every RTP packet of the publisher's video and audio streams to <see cref="OnRtp"/> and every RTCP
/// sender report to <see cref="OnSenderReport"/>; turn <see cref="KeyframeNeeded"/> into a PLI (or FIR).
/// Output starts at the first IDR frame that comes with an SPS and PPS. After loss the packager drops
/// frames up to the next IDR and asks for one; it never writes a frame it could not reassemble.
/// Calls are serialised internally, but they are meant to come from the publisher's receive loop.
/// Disposing ends the stream (EXT-X-ENDLIST) after the last part is stored.
/// </remarks>
public sealed class HlsPackager : IAsyncDisposable, IH264AccessUnitSink
{
    private static readonly TimeSpan MaxForwardJump = TimeSpan.FromSeconds(10);
    private const long DefaultVideoStep = 3000; // one frame at 30 fps
    private const long DefaultAudioStep = 960;

    /// <summary>How far the sender reports may stray from the program date time before it is moved to them.</summary>
    private static readonly TimeSpan ReanchorThreshold = TimeSpan.FromMilliseconds(15);

    private readonly Lock _gate = new();
    private readonly IHlsPackagerOutput _output;
    private readonly HlsOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly H264Depacketizer _h264;
    private readonly PartAssembler _parts;
    private readonly RtpTimeline _videoTimeline = new(TrackIds.VideoTimescale, MaxForwardJump);
    private readonly RtpTimeline _audioTimeline = new(TrackIds.AudioTimescale, MaxForwardJump);
    private readonly SenderReportClock _videoClock = new(TrackIds.VideoTimescale);
    private readonly SenderReportClock _audioClock = new(TrackIds.AudioTimescale);
    private readonly long _keyframeLead;
    private readonly long _keyframeInterval;

    private readonly PooledByteBuffer _pending = new(256 * 1024);
    private bool _hasPending;
    private long _pendingDts;
    private bool _pendingIdr;
    private int _pendingParameterSets;
    private long _lastVideoStep = DefaultVideoStep;
    private uint _lastVideoTimestamp;

    private bool _started;
    private bool _needKeyframe;
    private bool _segmentKeyframeAsked;
    private long _startTimestamp; // TimeProvider timestamp when the first IDR arrived
    private DateTime _originUtc;
    private byte[] _initSps = [];
    private byte[] _initPps = [];
    private int _initParameterSets = -1;
    private long _lastKeyframeRequest = long.MinValue;

    private bool _haveAudioSequence;
    private ushort _lastAudioSequence;
    private long _lastAudioStep = DefaultAudioStep;
    private bool _disposed;

    public HlsPackager(
        string stream,
        IHlsPackagerOutput output,
        HlsOptions options,
        ILogger? logger = null,
        TimeProvider? time = null
    )
        : this(stream, output, options, logger, time, boundaries: null) { }

    /// <param name="boundaries">segment boundaries shared with the other renditions of an <see
    /// cref="HlsLadder"/>.</param>
    internal HlsPackager(
        string stream,
        IHlsPackagerOutput output,
        HlsOptions options,
        ILogger? logger,
        TimeProvider? time,
        SegmentBoundaries? boundaries
    )
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Stream = stream;
        _output = output;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _h264 = new H264Depacketizer(this);
        _parts = new PartAssembler(output, options, boundaries);
        _keyframeLead = _parts.SegmentCutAt;
        _keyframeInterval = (long)(options.KeyframeRequestInterval.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>Raised (at most once per <see cref="HlsOptions.KeyframeRequestInterval"/>) when an IDR frame is
    /// needed.</summary>
    public event Action? KeyframeNeeded;

    public string Stream { get; }

    /// <summary>Counters for logs and tests.</summary>
    public HlsPackagerStats Stats { get; } = new();

    /// <summary>One RTP packet (decrypted, any payload type of that track). Malformed packets are counted and
    /// dropped.</summary>
    public void OnRtp(ReadOnlySpan<byte> rtp, HlsTrack track)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (!RtpView.TryRead(rtp, out RtpView packet))
            {
                Stats.MalformedPackets++;
                return;
            }

            if (track == HlsTrack.Video)
            {
                _h264.Push(packet.Payload, packet.SequenceNumber, packet.Timestamp, packet.Marker);
                if (!_started || _needKeyframe)
                {
                    RequestKeyframe();
                }
            }
            else
            {
                OnOpus(packet.Payload, packet.SequenceNumber, packet.Timestamp);
            }
        }
    }

    /// <summary>The NTP and RTP timestamps of an RTCP sender report of <paramref name="track"/> (RFC 3550
    /// §6.4.1).</summary>
    public void OnSenderReport(HlsTrack track, ulong ntpTimestamp, uint rtpTimestamp)
    {
        lock (_gate)
        {
            (track == HlsTrack.Video ? _videoClock : _audioClock).Update(ntpTimestamp, rtpTimestamp);
            if (track == HlsTrack.Video && _started && !_disposed)
            {
                Reanchor(rtpTimestamp);
            }
        }
    }

    /// <summary>
    /// Puts the timeline's origin where the latest video sender report says it is. The first anchor may be the
    /// server's clock when the first keyframe arrived (no report yet), which is later than the capture by
    /// however long that keyframe took; and the sender's clock may drift from its RTP clock. Segments written
    /// after this carry the corrected EXT-X-PROGRAM-DATE-TIME.
    /// </summary>
    private void Reanchor(uint rtpTimestamp)
    {
        long dts = _videoTimeline.Peek(rtpTimestamp);
        if (
            Math.Abs(dts - _videoTimeline.Peek(_lastVideoTimestamp))
                > MaxForwardJump.TotalSeconds * TrackIds.VideoTimescale
            || !_videoClock.TryGetWallClock(rtpTimestamp, out DateTime wallClock)
        )
        {
            return; // a report from before a timeline re-base says nothing about this timeline
        }

        DateTime origin = wallClock - TimeSpan.FromSeconds((double)dts / TrackIds.VideoTimescale);
        TimeSpan moved = origin - _originUtc;
        if (moved.Duration() <= ReanchorThreshold)
        {
            return;
        }

        _originUtc = origin;
        _parts.Origin = new DateTimeOffset(origin, TimeSpan.Zero);
        Stats.ProgramDateTimeReanchors++;
        _logger.LogDebug(
            "Stream {Stream}: program date time re-anchored by {Milliseconds} ms to the sender's reports",
            Stream,
            moved.TotalMilliseconds
        );
    }

    void IH264AccessUnitSink.OnAccessUnitDropped(H264DropReason reason)
    {
        Stats.DroppedAccessUnits++;
        if (!_needKeyframe)
        {
            _logger.LogDebug(
                "Stream {Stream}: dropped a video frame ({Reason}); waiting for a keyframe",
                Stream,
                reason
            );
        }

        _needKeyframe = true;
        RequestKeyframe();
    }

    void IH264AccessUnitSink.OnAccessUnit(ReadOnlySpan<byte> avcc, uint rtpTimestamp, bool isIdr)
    {
        if (!_started)
        {
            if (!isIdr || !TryStart(rtpTimestamp))
            {
                Stats.DroppedAccessUnits++;
                RequestKeyframe();
                return;
            }
        }
        else if (_needKeyframe && !isIdr)
        {
            Stats.DroppedAccessUnits++;
            RequestKeyframe();
            return;
        }

        if (isIdr && (_h264.Sps.IsEmpty || _h264.Pps.IsEmpty))
        {
            Stats.DroppedAccessUnits++;
            _needKeyframe = true;
            RequestKeyframe();
            return;
        }

        if (!isIdr && _hasPending && _videoTimeline.Peek(rtpTimestamp) - _pendingDts > _parts.PartTargetTicks)
        {
            // A hole (the sender paused): the segment after it starts with EXT-X-DISCONTINUITY, where a player may
            // start decoding afresh (rfc8216bis §3: only a discontinuous segment need not continue the bitstream),
            // so it must begin with a keyframe. Drop frames up to the next one, as after loss.
            Stats.DroppedAccessUnits++;
            _needKeyframe = true;
            RequestKeyframe();
            return;
        }

        _needKeyframe = false;
        long dts = _hasPending ? _videoTimeline.Map(rtpTimestamp, _lastVideoStep) : 0;
        _lastVideoTimestamp = rtpTimestamp;
        if (_hasPending)
        {
            long step = dts - _pendingDts;
            CommitPending(step);
            _lastVideoStep = Math.Clamp(step, 1, _parts.PartTargetTicks);
        }

        _parts.Announce(dts, isIdr);
        _pending.Reset();
        _pending.Append(avcc);
        _pendingDts = dts;
        _pendingIdr = isIdr;
        _pendingParameterSets = _h264.ParameterSetVersion;
        _hasPending = true;
        Stats.AccessUnits++;
    }

    private bool TryStart(uint rtpTimestamp)
    {
        if (!TryWriteInit())
        {
            return false;
        }

        _started = true;
        _videoTimeline.Start(rtpTimestamp, 0);
        _startTimestamp = _time.GetTimestamp();
        _originUtc = _videoClock.TryGetWallClock(rtpTimestamp, out DateTime senderClock)
            ? senderClock
            : _time.GetUtcNow().UtcDateTime;
        _parts.Origin = new DateTimeOffset(_originUtc, TimeSpan.Zero);
        _logger.LogInformation("Stream {Stream}: HLS output started at the first keyframe", Stream);
        return true;
    }

    /// <summary>Builds an init segment from the current SPS/PPS and hands it over.</summary>
    private bool TryWriteInit()
    {
        ReadOnlySpan<byte> sps = _h264.Sps;
        ReadOnlySpan<byte> pps = _h264.Pps;
        if (sps.IsEmpty || pps.IsEmpty || pps.Length > ushort.MaxValue || !H264Sps.TryParse(sps, out H264Sps parsed))
        {
            Stats.MissingParameterSets++;
            return false;
        }

        HlsChunk init = HlsChunk.Rent(InitSegmentWriter.GetMaxSize(sps.Length, pps.Length));
        init.Length = InitSegmentWriter.Write(init.WritableSpan, sps, pps, parsed);
        _initSps = sps.ToArray();
        _initPps = pps.ToArray();
        _initParameterSets = _h264.ParameterSetVersion;
        _output.OnInit(new HlsInitInfo(parsed.CodecString, "opus", parsed.Width, parsed.Height), init);
        return true;
    }

    private void CommitPending(long duration)
    {
        if (
            _pendingIdr
            && _pendingParameterSets != _initParameterSets
            && (!_h264.Sps.SequenceEqual(_initSps) || !_h264.Pps.SequenceEqual(_initPps))
        )
        {
            // New parameter sets (a resolution or profile change): a new init segment, after a segment
            // boundary so the playlist can put EXT-X-DISCONTINUITY and EXT-X-MAP in front of it.
            _parts.EndSegment();
            if (!TryWriteInit())
            {
                _needKeyframe = true;
                return;
            }
        }

        long segmentsBefore = _parts.SegmentsEnded;
        _parts.AddVideo(_pending.WrittenSpan, _pendingDts, duration, _pendingIdr);
        if (_parts.SegmentsEnded != segmentsBefore)
        {
            _segmentKeyframeAsked = false; // this frame began a new segment
        }

        if (!_segmentKeyframeAsked && _parts.SegmentDuration >= _keyframeLead)
        {
            _segmentKeyframeAsked = true;
            RequestKeyframe(force: true);
        }
        else if (_parts.SegmentDuration >= PartAssembler.Ticks(_options.SegmentTarget))
        {
            RequestKeyframe(); // the last request went unanswered
        }
    }

    private void OnOpus(ReadOnlySpan<byte> payload, ushort sequenceNumber, uint timestamp)
    {
        if (_haveAudioSequence && (short)(ushort)(sequenceNumber - _lastAudioSequence) <= 0)
        {
            Stats.LatePackets++;
            return;
        }

        _haveAudioSequence = true;
        _lastAudioSequence = sequenceNumber;
        if (!OpusPacket.TryGetDuration(payload, out int duration))
        {
            Stats.MalformedPackets++;
            return;
        }

        if (!_started)
        {
            return;
        }

        long dts;
        if (!_audioTimeline.IsStarted)
        {
            if (!TryPlaceFirstAudio(timestamp, out dts))
            {
                return;
            }

            _audioTimeline.Start(timestamp, dts);
        }
        else
        {
            dts = _audioTimeline.Map(timestamp, _lastAudioStep);
        }

        _lastAudioStep = duration;
        _parts.Audio.Enqueue(dts, payload, duration);
        Stats.AudioPackets++;
    }

    /// <summary>
    /// Puts the first audio packet on the video's timeline: through both tracks' sender reports when they
    /// exist (exact lip sync), otherwise by arrival time relative to the first keyframe.
    /// </summary>
    private bool TryPlaceFirstAudio(uint timestamp, out long dts)
    {
        if (_videoClock.HasReport && _audioClock.TryGetRtpTimestamp(_originUtc, out uint audioAtOrigin))
        {
            dts = (int)(timestamp - audioAtOrigin);
            if (dts is >= 0 and < 10 * TrackIds.AudioTimescale)
            {
                return true;
            }

            if (dts < 0)
            {
                return false; // sampled before the first video frame
            }
        }

        TimeSpan sinceStart = _time.GetElapsedTime(_startTimestamp);
        dts = (long)(sinceStart.TotalSeconds * TrackIds.AudioTimescale);
        return true;
    }

    private void RequestKeyframe(bool force = false)
    {
        long now = _time.GetTimestamp();
        if (!force && _lastKeyframeRequest != long.MinValue && now - _lastKeyframeRequest < _keyframeInterval)
        {
            return;
        }

        _lastKeyframeRequest = now;
        Stats.KeyframeRequests++;
        _parts.KeyframeAsked();
        try
        {
            KeyframeNeeded?.Invoke();
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Stream {Stream}: a KeyframeNeeded handler threw", Stream);
        }
    }

    /// <summary>Writes out the last frame and part, ends the playlist and waits until it is stored.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _h264.Flush();
            if (_hasPending)
            {
                CommitPending(_lastVideoStep);
                _hasPending = false;
            }

            _parts.EndSegment();
            _output.OnEnd();
            _h264.Dispose();
            _pending.Dispose();
            _parts.Dispose();
        }

        await _output.FlushAsync().ConfigureAwait(false);
    }
}

/// <summary>What an <see cref="HlsPackager"/> has seen and thrown away.</summary>
public sealed class HlsPackagerStats
{
    public long AccessUnits { get; internal set; }
    public long AudioPackets { get; internal set; }
    public long DroppedAccessUnits { get; internal set; }
    public long MalformedPackets { get; internal set; }
    public long LatePackets { get; internal set; }
    public long MissingParameterSets { get; internal set; }
    public long KeyframeRequests { get; internal set; }
    public long ProgramDateTimeReanchors { get; internal set; }
}
