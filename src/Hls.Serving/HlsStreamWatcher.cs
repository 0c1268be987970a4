using System.Text.Json;
using Microsoft.Extensions.Logging;
using MobZ.Hls.Serving.Storage;
using MobZ.State;

namespace MobZ.Hls.Serving;

/// <summary>
/// One serving node's view of one stream: the latest playlist document, refreshed when the writer's nudge
/// arrives on the bus and, because pub/sub may lose a nudge, by polling while a request is waiting.
/// Blocking playlist and preload-hint requests wait here.
/// </summary>
internal sealed class HlsStreamWatcher : IAsyncDisposable
{
    private readonly string _stream;
    private readonly IStateStore _store;
    private readonly IMessageBus _bus;
    private readonly HlsKeys _keys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _poll;
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _refresh;
    private Task<IAsyncDisposable>? _subscription;

    public HlsStreamWatcher(
        string stream,
        IStateStore store,
        IMessageBus bus,
        HlsKeys keys,
        TimeSpan poll,
        TimeProvider time,
        ILogger logger
    )
    {
        _stream = stream;
        _store = store;
        _bus = bus;
        _keys = keys;
        _poll = poll;
        _time = time;
        _logger = logger;
        Touch();
    }

    public PlaylistDocument? Current { get; private set; }

    public long LastUsed { get; private set; }

    public void Touch() => LastUsed = _time.GetTimestamp();

    /// <summary>
    /// Reads the document and subscribes to the stream's nudges. The first request does not wait for the
    /// subscription (a cold Redis subscriber link can take a while); polling covers the gap.
    /// </summary>
    public async Task StartAsync()
    {
        _subscription = _bus.SubscribeAsync(_keys.Channel(_stream), _ => RefreshAsync());
        _ = _subscription.ContinueWith(
            t =>
                _logger.LogWarning(
                    t.Exception,
                    "Subscribing to the HLS nudges of {Stream} failed; polling only",
                    _stream
                ),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default
        );
        await RefreshAsync().ConfigureAwait(false);
    }

    /// <summary>Re-reads the document; concurrent callers share one read.</summary>
    public Task RefreshAsync()
    {
        lock (_gate)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            _refresh = ReadAsync();
            return _refresh;
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            byte[]? json = await _store.GetAsync(_keys.Playlist(_stream)).ConfigureAwait(false);
            PlaylistDocument? doc = json is null
                ? null
                : JsonSerializer.Deserialize(json, HlsJsonContext.Default.PlaylistDocument);
            if (doc?.Revision == Current?.Revision && (doc is null) == (Current is null))
            {
                return;
            }

            Current = doc;
            TaskCompletionSource changed;
            lock (_gate)
            {
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            _logger.LogWarning(ex, "Reading the HLS playlist of {Stream} failed", _stream);
        }
    }

    /// <summary>Waits until <paramref name="ready"/> holds for the current document.</summary>
    /// <returns>the document, or null when <paramref name="timeout"/> passed first.</returns>
    public async Task<PlaylistDocument?> WaitAsync(
        Func<PlaylistDocument, bool> ready,
        TimeSpan timeout,
        CancellationToken cancellation
    )
    {
        long start = _time.GetTimestamp();
        while (true)
        {
            Touch();
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (Current is { } doc && ready(doc))
            {
                return doc;
            }

            TimeSpan remaining = timeout - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            Task delay = Task.Delay(remaining < _poll ? remaining : _poll, _time, cancellation);
            if (await Task.WhenAny(changed, delay).ConfigureAwait(false) != changed)
            {
                cancellation.ThrowIfCancellationRequested();
                await RefreshAsync().ConfigureAwait(false); // the nudge may have been lost
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            try
            {
                await (await _subscription.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogDebug(ex, "Unsubscribing from the HLS nudges of {Stream} failed", _stream);
            }
        }
    }
}
