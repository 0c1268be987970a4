using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Hls.Packaging;

namespace MobZ.Hls;

/// <summary>
/// Where an <see cref="HlsLadder"/> writes: one output per rendition, and the end of the whole stream.
/// </summary>
public interface IHlsLadderOutput
{
    /// <summary>The output of rendition <paramref name="index"/> (the simulcast layer, 0 = lowest). Its
    /// <see cref="IHlsPackagerOutput.OnEnd"/> ends nothing: the ladder's <see cref="OnEnd"/> ends every
    /// rendition.</summary>
    IHlsPackagerOutput Rendition(int index);

    /// <summary>The publisher is gone: every rendition ends.</summary>
    void OnEnd();

    ValueTask FlushAsync();
}

/// <summary>
/// An adaptive bitrate ladder without transcoding: one LL-HLS rendition per simulcast layer the publisher sends, each
/// packaged from that layer's own RTP, with the audio muxed into every rendition. The renditions share their segment
/// boundaries (<see cref="SegmentBoundaries"/>): segment n of every rendition begins at the frame captured at the same
/// time, so a player may switch at any segment boundary, and a keyframe request for one rendition goes to the
/// publisher as one for all layers (the caller's <see cref="KeyframeNeeded"/> handler asks every layer; encoders then
/// send their keyframes at the same frame). A publisher without simulcast is a ladder of one rendition, which
/// packages exactly as a lone <see cref="HlsPackager"/>. Renditions start when their layer's first packet arrives.
/// </summary>
public sealed class HlsLadder : IAsyncDisposable
{
    /// <summary>Simulcast layers a publisher may send (a Munit producer has at most three).</summary>
    public const int MaxRenditions = 3;

    private readonly Lock _gate = new();
    private readonly string _stream;
    private readonly IHlsLadderOutput _output;
    private readonly HlsOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SegmentBoundaries _boundaries = new();
    private readonly HlsPackager?[] _renditions = new HlsPackager?[MaxRenditions];
    private ulong _audioReportNtp;
    private uint _audioReportRtp;
    private bool _disposed;

    public HlsLadder(
        string stream,
        IHlsLadderOutput output,
        HlsOptions options,
        ILogger? logger = null,
        TimeProvider? time = null
    )
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _stream = stream;
        _output = output;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised when a rendition needs a keyframe; ask the publisher for one on every layer.</summary>
    public event Action? KeyframeNeeded;

    public string Stream => _stream;

    /// <summary>Video packets of a layer this ladder has no rendition for (an index past <see
    /// cref="MaxRenditions"/>).</summary>
    public long DroppedLayerPackets { get; private set; }

    /// <summary>The packager of each rendition, null until its layer's first packet.</summary>
    public HlsPackager? Rendition(int layer)
    {
        lock (_gate)
        {
            return layer is >= 0 and < MaxRenditions ? _renditions[layer] : null;
        }
    }

    /// <summary>One decrypted H.264 RTP packet of simulcast layer <paramref name="layer"/> (0 = lowest; 0 alone for a
    /// publisher without simulcast).</summary>
    public void OnVideoRtp(int layer, ReadOnlySpan<byte> rtp)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (layer is < 0 or >= MaxRenditions)
            {
                DroppedLayerPackets++;
                return;
            }

            (_renditions[layer] ?? Start(layer)).OnRtp(rtp, HlsTrack.Video);
        }
    }

    /// <summary>One decrypted Opus RTP packet: muxed into every rendition.</summary>
    public void OnAudioRtp(ReadOnlySpan<byte> rtp)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (HlsPackager? rendition in _renditions)
            {
                rendition?.OnRtp(rtp, HlsTrack.Audio);
            }
        }
    }

    /// <summary>An RTCP sender report of the audio (<paramref name="layer"/> ignored) or of a video layer.</summary>
    public void OnSenderReport(HlsTrack track, int layer, ulong ntpTimestamp, uint rtpTimestamp)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (track == HlsTrack.Audio)
            {
                _audioReportNtp = ntpTimestamp;
                _audioReportRtp = rtpTimestamp;
                foreach (HlsPackager? rendition in _renditions)
                {
                    rendition?.OnSenderReport(HlsTrack.Audio, ntpTimestamp, rtpTimestamp);
                }
            }
            else if (layer is >= 0 and < MaxRenditions)
            {
                (_renditions[layer] ?? Start(layer)).OnSenderReport(HlsTrack.Video, ntpTimestamp, rtpTimestamp);
            }
        }
    }

    private HlsPackager Start(int layer)
    {
        var packager = new HlsPackager(_stream, _output.Rendition(layer), _options, _logger, _time, _boundaries);
        packager.KeyframeNeeded += OnKeyframeNeeded;
        if (_audioReportNtp != 0)
        {
            packager.OnSenderReport(HlsTrack.Audio, _audioReportNtp, _audioReportRtp);
        }

        _renditions[layer] = packager;
        _boundaries.Renditions++;
        _logger.LogInformation("Stream {Stream}: rendition {Layer} started", _stream, layer);
        return packager;
    }

    private void OnKeyframeNeeded() => KeyframeNeeded?.Invoke();

    /// <summary>Writes out every rendition's last part, ends the stream and waits until it is stored.</summary>
    public async ValueTask DisposeAsync()
    {
        HlsPackager?[] renditions;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            renditions = (HlsPackager?[])_renditions.Clone();
        }

        foreach (HlsPackager? rendition in renditions)
        {
            if (rendition is not null)
            {
                await rendition.DisposeAsync().ConfigureAwait(false);
            }
        }

        _output.OnEnd();
        await _output.FlushAsync().ConfigureAwait(false);
    }
}
