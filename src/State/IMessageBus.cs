namespace MobZ.State;

/// <summary>
/// At-most-once pub/sub (Redis semantics): a message published while nobody is subscribed, or while a
/// subscriber reconnects, is gone. Use it to nudge; keep intent in <see cref="IStateStore"/>.
/// </summary>
public interface IMessageBus
{
    /// <returns>how many subscribers received it (as Redis PUBLISH reports; may be 0).</returns>
    Task<long> PublishAsync(string channel, string message);

    /// <summary>
    /// Subscribes to one channel. The handler runs for every message in publish order for this channel;
    /// disposing the result unsubscribes.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler);

    /// <summary>Raised after a lost bus connection comes back, so subscribers can reconcile against keys.</summary>
    event Action? Reconnected;
}
