using Microsoft.Extensions.Logging;
using MobZ.State.Messaging;

namespace MobZ.State.InProcess;

/// <summary>
/// Pub/sub inside one process. Publishing only enqueues on each subscriber's own queue, so it never waits
/// for a handler; like Redis, a message reaches only those subscribed at the moment it is published.
/// </summary>
internal sealed class InProcessBus(ILogger logger) : IMessageBus
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OrderedSubscription[]> _subscribers = new(StringComparer.Ordinal);

    // Nothing to lose a connection to; kept so callers wire the same code for both backends.
    public event Action? Reconnected
    {
        add { }
        remove { }
    }

    public Task<long> PublishAsync(string channel, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(message);
        OrderedSubscription[]? targets;
        lock (_gate)
        {
            _subscribers.TryGetValue(channel, out targets);
        }

        if (targets is null)
        {
            return Task.FromResult(0L);
        }

        foreach (var target in targets)
        {
            target.Enqueue(message);
        }

        return Task.FromResult((long)targets.Length);
    }

    public Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new OrderedSubscription(channel, handler, logger);
        lock (_gate)
        {
            // Copy-on-write: publishers read the array without holding the lock while enqueueing.
            _subscribers[channel] = _subscribers.TryGetValue(channel, out var existing)
                ? [.. existing, subscription]
                : [subscription];
        }

        IAsyncDisposable handle = new Unsubscriber(() =>
        {
            lock (_gate)
            {
                if (_subscribers.TryGetValue(channel, out var existing))
                {
                    var remaining = Array.FindAll(existing, s => !ReferenceEquals(s, subscription));
                    if (remaining.Length == 0)
                        _subscribers.Remove(channel);
                    else
                        _subscribers[channel] = remaining;
                }
            }

            subscription.Close();
            return ValueTask.CompletedTask;
        });
        return Task.FromResult(handle);
    }

    public void CloseAll()
    {
        lock (_gate)
        {
            foreach (var subscription in _subscribers.Values.SelectMany(s => s))
                subscription.Close();
            _subscribers.Clear();
        }
    }
}
