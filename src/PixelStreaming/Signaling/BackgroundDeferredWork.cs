using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MobZ.PixelStreaming.Signaling;

/// <summary>
/// Runs deferred work on the thread pool right away (the caller's response is already on its way) and
/// lets a host wait for all of it: <see cref="DrainAsync"/> is what a Lambda runtime loop calls between
/// posting a response and fetching the next event; the hosted-service stop waits for it too.
/// </summary>
public sealed class BackgroundDeferredWork(ILogger<BackgroundDeferredWork> logger)
    : IDeferredWork,
        IHostedService,
        IDisposable
{
    private readonly ConcurrentDictionary<Task, string> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    public int Pending => _running.Count;

    public void Defer(string name, Func<CancellationToken, Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
            catch (Exception e)
            {
                logger.LogError(e, "Deferred work {Work} failed", name);
            }
        });
        _running[task] = name;
        task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Completes when every deferred item started so far has finished.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        while (!_running.IsEmpty)
            await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        try
        {
            await DrainAsync(cancellationToken);
        }
        catch (OperationCanceledException) { }
    }

    public void Dispose() => _stopping.Dispose();
}
