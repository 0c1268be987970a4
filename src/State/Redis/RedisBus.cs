using Microsoft.Extensions.Logging;
using MobZ.State.Messaging;
using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// Redis pub/sub. The client hands each subscription's messages over in arrival order through its own
/// <see cref="ChannelMessageQueue"/> (a plain handler would be called concurrently, in no set order); one loop
/// per subscription moves them into its <see cref="OrderedSubscription"/>, which runs the handler. The client
/// re-subscribes by itself after a reconnect; messages published while the link was down are lost
/// (at-most-once), hence <see cref="Reconnected"/>.
/// </summary>
/// <param name="isCluster">Whether the server is a Redis Cluster (see <see cref="SubscribeAsync"/>).</param>
internal sealed class RedisBus(
    ISubscriber subscriber,
    string channelPrefix,
    RedisCall call,
    ILogger logger,
    Func<bool> isCluster
) : IMessageBus
{
    private readonly Lock _handlersGate = new();
    private Action? _reconnected;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<OrderedSubscription, byte> _live = new();
    private volatile bool _closed;

    public event Action? Reconnected
    {
        add
        {
            lock (_handlersGate)
                _reconnected += value;
        }
        remove
        {
            lock (_handlersGate)
                _reconnected -= value;
        }
    }

    public Task<long> PublishAsync(string channel, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_closed, this);
        var target = Channel(channel);
        return call.Run(() => subscriber.PublishAsync(target, message));
    }

    public async Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_closed, this);
        var source = Channel(channel);
        var subscription = new OrderedSubscription(channel, handler, logger);
        _live.TryAdd(subscription, 0);
        // Registered with the client at once, SUBSCRIBE sent without waiting: the client keeps the queue
        // whether or not the server is reachable now, and subscribes it whenever the link (re)connects.
        var queue = subscriber.Subscribe(source, CommandFlags.FireAndForget);
        queue.OnMessage(message => subscription.Enqueue((string?)message.Message ?? string.Empty));
        try
        {
            // A PING on the subscriber goes out behind the SUBSCRIBE on the same link, so its answer means
            // the server has the subscription: a message published from now on is delivered. On a cluster the
            // SUBSCRIBE went to the master owning the channel's slot (the channel is key-routed), so the PING goes
            // to that master, chosen as for a key of that name (on RESP3 a node's commands and subscriptions share
            // its one link); the subscriber's own PING would go to any master.
            await call.Run(() =>
                    isCluster()
                        ? subscriber.Multiplexer.GetServer((RedisKey)(channelPrefix + channel)).PingAsync()
                        : subscriber.PingAsync()
                )
                .ConfigureAwait(false);
        }
        catch (StateUnavailableException ex)
        {
            // Redis is away; the subscription becomes active when the link is back, before Reconnected.
            LogSubscribedWhileUnavailable(logger, ex, channel);
        }

        return new Unsubscriber(async () =>
        {
            _live.TryRemove(subscription, out _);
            subscription.Close();
            if (_closed)
            {
                // The backend (and its connection) is gone already; there is no server state left to undo.
                return;
            }

            try
            {
                await call.Run(() => queue.UnsubscribeAsync()).ConfigureAwait(false);
            }
            catch (StateUnavailableException ex)
            {
                // The server is gone; the client forgets the queue anyway, and a server restart drops
                // the subscription, so there is nothing left to undo.
                LogUnsubscribeFailed(logger, ex, channel);
            }
        });
    }

    /// <summary>Stops every delivery loop; the backend calls it when it closes the connection.</summary>
    public void CloseAll()
    {
        _closed = true;
        foreach (var subscription in _live.Keys)
        {
            subscription.Close();
        }

        _live.Clear();
    }

    /// <summary>Called by the backend once the connection is back and the subscriptions are restored.</summary>
    public void RaiseReconnected()
    {
        Action? handlers;
        lock (_handlersGate)
            handlers = _reconnected;
        if (handlers is null)
            return;

        // One failing listener must not keep the others from reconciling.
        foreach (var handler in handlers.GetInvocationList().Cast<Action>())
        {
            try
            {
                handler();
            }
            catch (Exception ex)
            {
                LogReconnectedHandlerFailed(logger, ex);
            }
        }
    }

    // Literal: a channel name with '*' or '?' is a name like any other, never a pattern. Key-routed: on a Redis
    // Cluster every PUBLISH and SUBSCRIBE of a channel goes to the master owning the channel's hash slot (as for a
    // key), so one publisher's messages keep their order; a freely routed channel spreads one client's PUBLISHes
    // over all masters, which deliver them out of order. Without a cluster, routing changes nothing.
    private RedisChannel Channel(string channel) => RedisChannel.Literal(channelPrefix + channel).WithKeyRouting();

    private static void LogSubscribedWhileUnavailable(ILogger logger, Exception ex, string channel) =>
        logger.LogWarning(
            ex,
            "Subscribed to channel {Channel} while Redis is unreachable; it becomes active when the link is back",
            channel
        );

    private static void LogUnsubscribeFailed(ILogger logger, Exception ex, string channel) =>
        logger.LogWarning(ex, "Unsubscribing from channel {Channel} failed; the connection is down", channel);

    private static void LogReconnectedHandlerFailed(ILogger logger, Exception ex) =>
        logger.LogError(ex, "A Reconnected handler threw");
}
