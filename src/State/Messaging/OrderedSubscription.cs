using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace MobZ.State.Messaging;

/// <summary>
/// One subscriber's private queue: messages are handed to the handler one at a time, in arrival order,
/// on a loop of its own, so a slow or throwing handler delays only itself and never the publisher or
/// another subscriber. Both backends deliver through it, which is what makes their ordering identical.
/// </summary>
internal sealed partial class OrderedSubscription
{
    // Redis drops a subscriber whose output buffer passes its limit; this is our equivalent. A message
    // that does not fit is dropped and logged: the bus is at-most-once and intent lives in keys.
    internal const int QueueCapacity = 65_536;

    private readonly Channel<string> _queue;
    private readonly Func<string, Task> _handler;
    private readonly ILogger _logger;
    private readonly string _channel;
    private volatile bool _closed;

    public OrderedSubscription(string channel, Func<string, Task> handler, ILogger logger)
    {
        _channel = channel;
        _handler = handler;
        _logger = logger;
        _queue = Channel.CreateBounded<string>(
            new BoundedChannelOptions(QueueCapacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.DropWrite,
                AllowSynchronousContinuations = false,
            },
            _ => LogDropped(_logger, _channel, QueueCapacity)
        );
        Completion = Task.Run(PumpAsync);
    }

    /// <summary>Finishes when the subscription is closed and the message in hand (if any) is handled.</summary>
    public Task Completion { get; }

    /// <summary>Never blocks: the caller is the publisher (in-process) or the Redis reader thread.</summary>
    public void Enqueue(string message)
    {
        if (!_closed)
        {
            _queue.Writer.TryWrite(message);
        }
    }

    /// <summary>Stops delivery; messages still queued are dropped, as an unsubscribed Redis client would never see
    /// them.</summary>
    public void Close()
    {
        _closed = true;
        _queue.Writer.TryComplete();
    }

    private async Task PumpAsync()
    {
        await foreach (var message in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_closed)
            {
                break;
            }

            try
            {
                await _handler(message).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, ex, _channel);
            }
        }
    }

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "Subscriber of channel {Channel} threw; delivery continues with the next message"
    )]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Subscriber of channel {Channel} is {Capacity} messages behind; message dropped"
    )]
    private static partial void LogDropped(ILogger logger, string channel, int capacity);
}
