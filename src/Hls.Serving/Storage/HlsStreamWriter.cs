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
/// thread only enqueues. As the output of an <see cref="HlsLadder"/> it keeps one playlist per rendition in the same
/// document (rendition 0 at the top, as a lone packager's; see <see cref="PlaylistDocument.Renditions"/>), and numbers
/// each rendition's segments by the ladder's segment numbers, so the segments that begin at the same time have the
/// same media sequence number in every rendition.
/// </summary>
internal sealed class HlsStreamWriter : IHlsPackagerOutput, IHlsLadderOutput
{
    private abstract record Item;

    private sealed record InitItem(HlsInitInfo Info, HlsChunk Chunk, int Rendition) : Item;

    private sealed record PartItem(HlsPartInfo Info, HlsChunk Chunk, int Rendition) : Item;

    private sealed record SegmentEndItem(int Rendition) : Item;

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
    private readonly RenditionState[] _renditions = new RenditionState[HlsLadder.MaxRenditions];
    private readonly Task _loop;
    private readonly double _partsVisibleFor;
    private PlaylistDocument? _document;

    /// <summary>Media sequence number of the packagers' segment 0: past every segment an earlier session
    /// left.</summary>
    private long _msnBase;

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
        for (int i = 0; i < _renditions.Length; i++)
        {
            _renditions[i] = new RenditionState(this, i);
        }

        _loop = Task.Run(RunAsync);
    }

    public void OnInit(HlsInitInfo info, HlsChunk init) => Enqueue(new InitItem(info, init, 0));

    public void OnPart(HlsPartInfo info, HlsChunk part) => Enqueue(new PartItem(info, part, 0));

    public void OnSegmentEnd() => Enqueue(new SegmentEndItem(0));

    public IHlsPackagerOutput Rendition(int index) => _renditions[index];

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

        foreach (RenditionState rendition in _renditions)
        {
            rendition.Dispose();
        }
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
            var fresh = new PlaylistDocument
            {
                TargetDuration = _options.TargetDurationSeconds,
                PartTarget = _options.PartTarget.TotalSeconds,
                Revision = previous?.Revision ?? 0,
                NextMsn = previous is null ? 0 : previous.AllRenditions().Max(r => r.NextMsn) + 1,
            };
            _msnBase = fresh.NextMsn;
            return fresh;
        }

        foreach (PlaylistDocument rendition in previous.AllRenditions())
        {
            // A segment left open by a session that died is dropped; its msn is taken by the next segment,
            // which a new session marks as a discontinuity anyway.
            if (rendition.Open is { } open)
            {
                rendition.Segments.Remove(open);
                rendition.NextMsn = open.Msn;
            }

            rendition.Ended = false;
        }

        _msnBase = previous.AllRenditions().Max(r => r.NextMsn);
        return previous;
    }

    private async Task ApplyAsync(PlaylistDocument stream, Item item)
    {
        TimeSpan ttl = _options.DataTimeToLive;
        switch (item)
        {
            case InitItem init:
            {
                PlaylistDocument doc = stream.RenditionOrAdd(init.Rendition);
                RenditionState state = _renditions[init.Rendition];
                string session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
                await _store.SetAsync(_keys.Init(_stream, session), init.Chunk.Memory, ttl).ConfigureAwait(false);
                if (state.InitSession.Length == 0)
                {
                    if (_renditions.All(r => r.InitSession.Length == 0))
                    {
                        HlsMetrics.Streams.Add(1);
                    }

                    HlsMetrics.Renditions.Add(1);
                }

                state.InitSession = session;
                state.InitData = init.Chunk.Memory.ToArray();
                doc.PendingDiscontinuity = doc.Segments.Count > 0 || doc.Session.Length > 0;
                doc.Session = session;
                doc.VideoCodec = init.Info.VideoCodec;
                doc.AudioCodec = init.Info.AudioCodec;
                doc.Width = init.Info.Width;
                doc.Height = init.Info.Height;
                doc.Ended = false;
                await PublishAsync(stream, null).ConfigureAwait(false);
                _logger.LogInformation(
                    "HLS session {Session} of {Stream} rendition {Rendition}: {Codec} {Width}x{Height}",
                    session,
                    _stream,
                    init.Rendition,
                    doc.VideoCodec,
                    doc.Width,
                    doc.Height
                );
                break;
            }

            case PartItem part when stream.Rendition(part.Rendition) is { Session.Length: > 0 } doc:
            {
                RenditionState state = _renditions[part.Rendition];
                SegmentRecord? open = doc.Open;
                if (open is null)
                {
                    long msn =
                        part.Info.Segment >= 0 ? Math.Max(doc.NextMsn, _msnBase + part.Info.Segment) : doc.NextMsn;
                    if (msn > doc.NextMsn)
                    {
                        SkipTo(doc, state, msn, part.Info.ProgramDateTime);
                    }

                    open = new SegmentRecord
                    {
                        Msn = msn,
                        Session = doc.Session,
                        ProgramDateTime = part.Info.ProgramDateTime,
                        Discontinuity = doc.PendingDiscontinuity || part.Info.Discontinuity,
                        Parts = [],
                    };
                    doc.PendingDiscontinuity = false;
                    doc.Segments.Add(open);
                    state.Opened = true;
                    state.Segment.Reset();
                }

                int index = open.Parts!.Count;
                await _store
                    .SetAsync(_keys.Part(_stream, open.Session, open.Msn, index), part.Chunk.Memory, ttl)
                    .ConfigureAwait(false);
                HlsMetrics.PartsWritten.Add(1);
                state.Segment.Append(part.Chunk.Memory.Span);
                open.Parts.Add(
                    new PartRecord { Duration = part.Info.Duration.TotalSeconds, Independent = part.Info.Independent }
                );
                open.EndDue = part.Info.SegmentMayEnd;
                open.Duration += part.Info.Duration.TotalSeconds;
                open.Bytes += part.Chunk.Length;
                open.Frames += part.Info.Frames;
                await PublishAsync(stream, $"{open.Msn}.{index}").ConfigureAwait(false);
                break;
            }

            case SegmentEndItem end when stream.Rendition(end.Rendition) is { Open: { } segment } doc:
            {
                RenditionState state = _renditions[end.Rendition];
                await _store
                    .SetAsync(_keys.Segment(_stream, segment.Session, segment.Msn), state.Segment.WrittenMemory, ttl)
                    .ConfigureAwait(false);
                state.Segment.Reset();
                segment.Complete = true;
                doc.NextMsn = segment.Msn + 1;
                Trim(doc);
                await PublishAsync(stream, segment.Msn.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                break;
            }

            case EndItem:
                foreach (PlaylistDocument doc in stream.AllRenditions())
                {
                    if (doc.Open is { } unfinished)
                    {
                        doc.Segments.Remove(unfinished);
                    }

                    doc.Ended = true;
                }

                int started = _renditions.Count(r => r.InitSession.Length > 0);
                HlsMetrics.Renditions.Add(-started);
                HlsMetrics.Streams.Add(started > 0 ? -1 : 0);

                await KeepListedMediaAsync(stream).ConfigureAwait(false);
                await PublishAsync(stream, "end").ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// A rendition's next segment has a later number than the one after its last: its layer stopped while the others
    /// went on (or the publisher came back as a simulcast sender). Media sequence numbers follow each other within a
    /// playlist, so segments this run of the writer skipped are listed as EXT-X-GAP segments (players load none and
    /// switch renditions or skip them), and segments of an earlier session are dropped instead.
    /// </summary>
    private static void SkipTo(PlaylistDocument doc, RenditionState state, long msn, DateTimeOffset programDateTime)
    {
        SegmentRecord? last = doc.Segments.Count > 0 ? doc.Segments[^1] : null;
        if (!state.Opened || last is null)
        {
            foreach (SegmentRecord old in doc.Segments)
            {
                if (old.Discontinuity)
                {
                    doc.DiscontinuitySequence++;
                }
            }

            doc.Segments.Clear();
            doc.NextMsn = msn;
            return;
        }

        DateTimeOffset from = last.ProgramDateTime + TimeSpan.FromSeconds(last.Duration);
        long count = msn - doc.NextMsn;
        double each = Math.Max(doc.PartTarget, (programDateTime - from).TotalSeconds / count);
        for (long gap = doc.NextMsn; gap < msn; gap++)
        {
            doc.Segments.Add(
                new SegmentRecord
                {
                    Msn = gap,
                    Session = doc.Session,
                    ProgramDateTime = from,
                    Duration = each,
                    Complete = true,
                    Gap = true,
                }
            );
            from += TimeSpan.FromSeconds(each);
        }

        doc.NextMsn = msn;
        doc.PendingDiscontinuity = true;
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
        long frames = 0;
        foreach (SegmentRecord segment in doc.Segments)
        {
            if (segment.Complete && !segment.Gap && segment.Duration > 0)
            {
                peak = Math.Max(peak, (long)(segment.Bytes * 8 / segment.Duration));
                bits += segment.Bytes * 8.0;
                seconds += segment.Duration;
                frames += segment.Frames;
            }
        }

        doc.PeakBandwidth = peak;
        doc.AverageBandwidth = seconds > 0 ? (long)(bits / seconds) : 0;
        doc.FrameRate = seconds > 0 ? Math.Round(frames / seconds, 3) : 0;
    }

    /// <summary>
    /// An ended playlist stays for a whole TTL from now, so the segments and parts it lists, written up to a
    /// window earlier, are given that TTL again: a viewer of the recording never meets a missing file.
    /// </summary>
    private async Task KeepListedMediaAsync(PlaylistDocument stream)
    {
        TimeSpan ttl = _options.DataTimeToLive;
        foreach (SegmentRecord segment in stream.AllRenditions().SelectMany(r => r.Segments).Where(s => !s.Gap))
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
    private async Task KeepInitSegmentsAsync(PlaylistDocument stream)
    {
        TimeSpan ttl = _options.DataTimeToLive;
        int index = 0;
        foreach (PlaylistDocument doc in stream.AllRenditions())
        {
            RenditionState? state = index < _renditions.Length ? _renditions[index] : null;
            index++;
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
                    && state is not null
                    && session == state.InitSession
                )
                {
                    // Lost from the store (evicted, flushed): this writer still has it.
                    await _store.SetAsync(_keys.Init(_stream, session), state.InitData, ttl).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// rfc8216bis §6.2.2: EXT-X-PART tags go once they are more than three target durations from the end of
    /// the playlist; checked on every write (the end moves with every part), for whole segments, so a segment
    /// lists all its parts or none. The parts stay fetchable until their data expires.
    /// </summary>
    private void DropFarParts(PlaylistDocument stream)
    {
        foreach (PlaylistDocument doc in stream.AllRenditions())
        {
            DropFarParts(doc.Segments);
        }
    }

    private void DropFarParts(List<SegmentRecord> segments)
    {
        double fromEnd = 0;
        for (int i = segments.Count - 1; i >= 0; i--)
        {
            SegmentRecord segment = segments[i];
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

    /// <summary>What the writer keeps of one rendition between items; also the rendition's output for the
    /// ladder.</summary>
    private sealed class RenditionState(HlsStreamWriter writer, int index) : IHlsPackagerOutput, IDisposable
    {
        private PooledByteBuffer? _segment;

        /// <summary>The parts of the open segment, back to back (the segment file).</summary>
        public PooledByteBuffer Segment => _segment ??= new PooledByteBuffer(512 * 1024);

        public string InitSession { get; set; } = "";

        public byte[] InitData { get; set; } = [];

        /// <summary>This writer has opened a segment of the rendition (its playlist continues rather than
        /// restarts).</summary>
        public bool Opened { get; set; }

        public void OnInit(HlsInitInfo info, HlsChunk init) => writer.Enqueue(new InitItem(info, init, index));

        public void OnPart(HlsPartInfo info, HlsChunk part) => writer.Enqueue(new PartItem(info, part, index));

        public void OnSegmentEnd() => writer.Enqueue(new SegmentEndItem(index));

        /// <summary>Nothing: the ladder ends the stream, and with it every rendition, once all have written their
        /// last part.</summary>
        public void OnEnd() { }

        public ValueTask FlushAsync() => writer.FlushAsync();

        public void Dispose() => _segment?.Dispose();
    }
}
