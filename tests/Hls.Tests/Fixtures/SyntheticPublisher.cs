using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Hls.Packaging;
using MobZ.Hls.Serving.Storage;
using MobZ.State;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>
/// Drives the store writer directly with parts of known duration and content, so a test controls exactly
/// when each part is stored.
/// </summary>
public sealed class SyntheticPublisher
{
    private readonly IHlsPackagerOutput _writer;
    private readonly HlsOptions _options;
    private DateTimeOffset _clock = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public SyntheticPublisher(string stream, IStateBackend backend, HlsOptions options)
    {
        _options = options;
        _writer = new HlsStreamWriter(stream, backend.Store, backend.Bus, options, NullLogger.Instance);
    }

    public int PartsInSegment { get; private set; }

    public static byte[] PartBytes(long segment, int part) =>
        System.Text.Encoding.ASCII.GetBytes($"part {segment}.{part}");

    public long Segment { get; private set; }

    public async Task InitAsync(int width = 320, int height = 240)
    {
        _writer.OnInit(new HlsInitInfo("avc1.42c01f", "opus", width, height), HlsChunk.CopyOf("init"u8));
        await _writer.FlushAsync();
    }

    /// <summary>Stores one full-length part of the current segment.</summary>
    public async Task PartAsync()
    {
        TimeSpan duration = _options.PartTarget;
        _writer.OnPart(
            new HlsPartInfo(duration, PartsInSegment == 0, _clock),
            HlsChunk.CopyOf(PartBytes(Segment, PartsInSegment))
        );
        _clock += duration;
        PartsInSegment++;
        await _writer.FlushAsync();
    }

    public async Task EndSegmentAsync()
    {
        _writer.OnSegmentEnd();
        Segment++;
        PartsInSegment = 0;
        await _writer.FlushAsync();
    }

    /// <summary>Whole segments of <paramref name="parts"/> parts each.</summary>
    public async Task SegmentsAsync(int count, int parts)
    {
        for (int s = 0; s < count; s++)
        {
            for (int p = 0; p < parts; p++)
            {
                await PartAsync();
            }

            await EndSegmentAsync();
        }
    }

    public async Task EndAsync()
    {
        _writer.OnEnd();
        await _writer.FlushAsync();
    }
}
