using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MobZ.Hls.Packaging;
using MobZ.State;

namespace MobZ.Hls.Serving.Storage;

/// <summary>
/// Stores what a packager produces and keeps the stream's playlist document: data first (init, part,
/// segment, each with a TTL), then the document, then a nudge on the bus, so a reader woken by the nudge
/// finds everything the document lists. One background loop per stream keeps that order; the packager's
/// thread only enqueues.
/// </summary>
internal sealed class HlsStreamWriter : IHlsPackagerOutput
{
    private abstract record Item;

    private sealed record InitItem(HlsInitInfo Info, HlsChunk Chunk) : Item;

    private sealed record PartItem(HlsPartInfo Info, HlsChunk Chunk) : Item;

    private sealed record SegmentEndItem : Item;

    private sealed record EndItem : Item;

    private sealed record FlushItem(TaskCompletionSource Done) : Item;

    private readonly string _stream;
    private readonly IStateStore _store;
    private readonly IMessageBus _bus;
    private readonly HlsKeys _keys;
    private readonly HlsOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(
        new UnboundedChannelOptions { SingleReader = true }
    );
    private readonly PooledByteBuffer _segment = new(512 * 1024);
    private readonly Task _loop;
    private readonly double _partsVisibleFor;
    private PlaylistDocument? _document;
    private string _initSession = "";
    private byte[] _initData = [];

    public HlsStreamWriter(
        string stream,
        IStateStore store,
        IMessageBus bus,
        HlsOptions options,
        ILogger logger,
        string keyPrefix = HlsServingOptions.DefaultKeyPrefix
    )
    {
        _stream = stream;
        _store = store;
        _bus = bus;
        _options = options;
        _keys = new HlsKeys(keyPrefix);
        _logger = logger;
        _partsVisibleFor = 3.0 * options.TargetDurationSeconds;
        _loop = Task.Run(RunAsync);
    }

    public void OnInit(HlsInitInfo info, HlsChunk init) => Enqueue(new InitItem(info, init));

    public void OnPart(HlsPartInfo info, HlsChunk part) => Enqueue(new PartItem(info, part));

    public void OnSegmentEnd() => Enqueue(new SegmentEndItem());

    public void OnEnd()
    {
        Enqueue(new EndItem());
        _queue.Writer.TryComplete();
    }

    public async ValueTask FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queue.Writer.TryWrite(new FlushItem(done)))
        {
            await done.Task.ConfigureAwait(false);
        }
        else
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private void Enqueue(Item item)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            (item as InitItem)?.Chunk.Dispose();
            (item as PartItem)?.Chunk.Dispose();
        }
    }

    private async Task RunAsync()
    {
        using IDisposable? scope = _logger.BeginScope(new Dictionary<string, object> { ["Stream"] = _stream });
        await foreach (Item item in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                _document ??= await LoadAsync().ConfigureAwait(false);
                await ApplyAsync(_document, item).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store is down or slow: this item is lost, the next one rewrites the whole document.
                _logger.LogWarning(ex, "HLS store write for {Stream} failed", _stream);
            }
            finally
            {
                (item as InitItem)?.Chunk.Dispose();
                (item as PartItem)?.Chunk.Dispose();
                (item as FlushItem)?.Done.TrySetResult();
            }
        }

        _segment.Dispose();
    }

    /// <summary>Continues the document of an earlier session of this stream (a publisher that reconnected).</summary>
    private async Task<PlaylistDocument> LoadAsync()
    {
        PlaylistDocument? previous = null;
        byte[]? json = await _store.GetAsync(_keys.Playlist(_stream)).ConfigureAwait(false);
        if (json is not null)
        {
            try
            {
                previous = JsonSerializer.Deserialize(json, HlsJsonContext.Default.PlaylistDocument);
            }
            catch (JsonException ex)
            {
                _logger.LogWarning(ex, "Ignoring an unreadable HLS playlist document of {Stream}", _stream);
            }
        }

        if (previous is null || previous.TargetDuration != _options.TargetDurationSeconds)
        {
            return new PlaylistDocument
            {
                TargetDuration = _options.TargetDurationSeconds,
                PartTarget = _options.PartTarget.TotalSeconds,
                Revision = previous?.Revision ?? 0,
                NextMsn = previous is null ? 0 : previous.NextMsn + 1,
            };
        }

        // A segment left open by a session that died is dropped; its msn is taken by the next segment,
        // which a new session marks as a discontinuity anyway.
        if (previous.Open is { } open)
        {
            previous.Segments.Remove(open);
            previous.NextMsn = open.Msn;
        }

        previous.Ended = false;
        return previous;
    }

    private async Task ApplyAsync(PlaylistDocument doc, Item item)
    {
        TimeSpan ttl = _options.DataTimeToLive;
        switch (item)
        {
            case InitItem init:
            {
                string session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
                await _store.SetAsync(_keys.Init(_stream, session), init.Chunk.Memory, ttl).ConfigureAwait(false);
                _initSession = session;
                _initData = init.Chunk.Memory.ToArray();
                doc.PendingDiscontinuity = doc.Segments.Count > 0 || doc.Session.Length > 0;
                doc.Session = session;
                doc.VideoCodec = init.Info.VideoCodec;
                doc.AudioCodec = init.Info.AudioCodec;
                doc.Width = init.Info.Width;
                doc.Height = init.Info.Height;
                doc.Ended = false;
                await PublishAsync(doc, null).ConfigureAwait(false);
                _logger.LogInformation(
                    "HLS session {Session} of {Stream}: {Codec} {Width}x{Height}",
                    session,
                    _stream,
                    doc.VideoCodec,
                    doc.Width,
                    doc.Height
                );
                break;
            }

            case PartItem part when doc.Session.Length > 0:
            {
                SegmentRecord? open = doc.Open;
                if (open is null)
                {
                    open = new SegmentRecord
                    {
                        Msn = doc.NextMsn,
                        Session = doc.Session,
                        ProgramDateTime = part.Info.ProgramDateTime,
                        Discontinuity = doc.PendingDiscontinuity || part.Info.Discontinuity,
                        Parts = [],
                    };
                    doc.PendingDiscontinuity = false;
                    doc.Segments.Add(open);
                    _segment.Reset();
                }

                int index = open.Parts!.Count;
                await _store
                    .SetAsync(_keys.Part(_stream, open.Session, open.Msn, index), part.Chunk.Memory, ttl)
                    .ConfigureAwait(false);
                HlsMetrics.PartsWritten.Add(1);
                _segment.Append(part.Chunk.Memory.Span);
                open.Parts.Add(
                    new PartRecord { Duration = part.Info.Duration.TotalSeconds, Independent = part.Info.Independent }
                );
                open.EndDue = part.Info.SegmentMayEnd;
                open.Duration += part.Info.Duration.TotalSeconds;
                open.Bytes += part.Chunk.Length;
                await PublishAsync(doc, $"{open.Msn}.{index}").ConfigureAwait(false);
                break;
            }

            case SegmentEndItem when doc.Open is { } segment:
            {
                await _store
                    .SetAsync(_keys.Segment(_stream, segment.Session, segment.Msn), _segment.WrittenMemory, ttl)
                    .ConfigureAwait(false);
                _segment.Reset();
                segment.Complete = true;
                doc.NextMsn = segment.Msn + 1;
                Trim(doc);
                await PublishAsync(doc, segment.Msn.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                break;
            }

            case EndItem:
                if (doc.Open is { } unfinished)
                {
                    doc.Segments.Remove(unfinished);
                }

                doc.Ended = true;
                await KeepListedMediaAsync(doc).ConfigureAwait(false);
                await PublishAsync(doc, "end").ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Keeps the window and recomputes bandwidth.</summary>
    private void Trim(PlaylistDocument doc)
    {
        int complete = doc.Segments.Count(s => s.Complete);
        while (complete > _options.PlaylistSegments)
        {
            if (doc.Segments[0].Discontinuity)
            {
                doc.DiscontinuitySequence++;
            }

            doc.Segments.RemoveAt(0);
            complete--;
        }

        long peak = 0;
        double bits = 0;
        double seconds = 0;
        foreach (SegmentRecord segment in doc.Segments)
        {
            if (segment.Complete && segment.Duration > 0)
            {
                peak = Math.Max(peak, (long)(segment.Bytes * 8 / segment.Duration));
                bits += segment.Bytes * 8.0;
                seconds += segment.Duration;
            }
        }

        doc.PeakBandwidth = peak;
        doc.AverageBandwidth = seconds > 0 ? (long)(bits / seconds) : 0;
    }

    /// <summary>
    /// An ended playlist stays for a whole TTL from now, so the segments and parts it lists, written up to a
    /// window earlier, are given that TTL again: a viewer of the recording never meets a missing file.
    /// </summary>
    private async Task KeepListedMediaAsync(PlaylistDocument doc)
    {
        TimeSpan ttl = _options.DataTimeToLive;
        foreach (SegmentRecord segment in doc.Segments)
        {
            await _store.ExpireAsync(_keys.Segment(_stream, segment.Session, segment.Msn), ttl).ConfigureAwait(false);
            for (int p = 0; p < (segment.Parts?.Count ?? 0); p++)
            {
                await _store
                    .ExpireAsync(_keys.Part(_stream, segment.Session, segment.Msn, p), ttl)
                    .ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The init segments the document names get the playlist's TTL again before the playlist is stored: an
    /// init segment is written once per session but referenced by every segment of it, however long it runs.
    /// </summary>
    private async Task KeepInitSegmentsAsync(PlaylistDocument doc)
    {
        TimeSpan ttl = _options.DataTimeToLive;
        string? previous = null;
        foreach (string session in doc.Segments.Select(s => s.Session).Append(doc.Session))
        {
            if (session.Length == 0 || session == previous)
            {
                continue;
            }

            previous = session;
            if (
                !await _store.ExpireAsync(_keys.Init(_stream, session), ttl).ConfigureAwait(false)
                && session == _initSession
            )
            {
                // Lost from the store (evicted, flushed): this writer still has it.
                await _store.SetAsync(_keys.Init(_stream, session), _initData, ttl).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// rfc8216bis §6.2.2: EXT-X-PART tags go once they are more than three target durations from the end of
    /// the playlist; checked on every write (the end moves with every part), for whole segments, so a segment
    /// lists all its parts or none. The parts stay fetchable until their data expires.
    /// </summary>
    private void DropFarParts(PlaylistDocument doc)
    {
        double fromEnd = 0;
        for (int i = doc.Segments.Count - 1; i >= 0; i--)
        {
            SegmentRecord segment = doc.Segments[i];
            fromEnd += segment.Duration;
            if (fromEnd > _partsVisibleFor + 1e-9 && segment.Complete)
            {
                segment.Parts = null;
            }
        }
    }

    private async Task PublishAsync(PlaylistDocument doc, string? nudge)
    {
        DropFarParts(doc);
        await KeepInitSegmentsAsync(doc).ConfigureAwait(false);
        doc.Revision++;
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(doc, HlsJsonContext.Default.PlaylistDocument);
        await _store.SetAsync(_keys.Playlist(_stream), json, _options.DataTimeToLive).ConfigureAwait(false);
        await _bus.PublishAsync(_keys.Channel(_stream), nudge ?? "init").ConfigureAwait(false);
    }
}
