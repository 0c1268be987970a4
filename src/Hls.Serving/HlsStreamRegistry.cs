using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MobZ.Hls.Serving.Storage;
using MobZ.State;

namespace MobZ.Hls.Serving;

/// <summary>
/// The watchers of the streams this node serves: one per stream, created by the first request, shared by
/// all viewers, and dropped after a minute without requests.
/// </summary>
internal sealed class HlsStreamRegistry : IAsyncDisposable
{
    private static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, Lazy<Task<HlsStreamWatcher>>> _watchers = new(StringComparer.Ordinal);
    private readonly IStateStore _store;
    private readonly IMessageBus _bus;
    private readonly HlsKeys _keys;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _sweeper;

    public HlsStreamRegistry(
        IStateStore store,
        IMessageBus bus,
        HlsOptions options,
        TimeProvider time,
        ILogger logger,
        string keyPrefix = HlsServingOptions.DefaultKeyPrefix
    )
    {
        _store = store;
        _bus = bus;
        _options = options;
        _keys = new HlsKeys(keyPrefix);
        _time = time;
        _logger = logger;
        _sweeper = time.CreateTimer(_ => _ = SweepAsync(), null, IdleAfter, IdleAfter);
        bus.Reconnected += OnBusReconnected;
    }

    public HlsKeys Keys => _keys;

    public IStateStore Store => _store;

    /// <summary>The stream's watcher, or null when the stream has no playlist.</summary>
    public async Task<HlsStreamWatcher?> GetAsync(string stream)
    {
        Lazy<Task<HlsStreamWatcher>> lazy = _watchers.GetOrAdd(stream, s => new Lazy<Task<HlsStreamWatcher>>(() =>
            CreateAsync(s)
        ));
        HlsStreamWatcher watcher;
        try
        {
            watcher = await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            _watchers.TryRemove(new KeyValuePair<string, Lazy<Task<HlsStreamWatcher>>>(stream, lazy));
            throw;
        }

        watcher.Touch();
        // Concurrent requests share one read, so this stays cheap with many viewers, and a viewer sees
        // the writes that completed before its request even when the bus nudge is still on its way.
        await watcher.RefreshAsync().ConfigureAwait(false);
        if (watcher.Current is null)
        {
            if (_watchers.TryRemove(new KeyValuePair<string, Lazy<Task<HlsStreamWatcher>>>(stream, lazy)))
            {
                await watcher.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }

        return watcher;
    }

    private async Task<HlsStreamWatcher> CreateAsync(string stream)
    {
        var watcher = new HlsStreamWatcher(stream, _store, _bus, _keys, _options.PartTarget / 2, _time, _logger);
        await watcher.StartAsync().ConfigureAwait(false);
        return watcher;
    }

    private void OnBusReconnected()
    {
        // Nudges sent while the bus was away are gone: read every document again.
        foreach (Lazy<Task<HlsStreamWatcher>> lazy in _watchers.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                _ = lazy.Value.Result.RefreshAsync();
            }
        }
    }

    private async Task SweepAsync()
    {
        foreach ((string stream, Lazy<Task<HlsStreamWatcher>> lazy) in _watchers)
        {
            if (
                lazy.IsValueCreated
                && lazy.Value.IsCompletedSuccessfully
                && _time.GetElapsedTime(lazy.Value.Result.LastUsed) > IdleAfter
                && _watchers.TryRemove(new KeyValuePair<string, Lazy<Task<HlsStreamWatcher>>>(stream, lazy))
            )
            {
                await lazy.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _bus.Reconnected -= OnBusReconnected;
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (Lazy<Task<HlsStreamWatcher>> lazy in _watchers.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                await lazy.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        _watchers.Clear();
    }
}
