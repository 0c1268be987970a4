using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// Delivers one connection's events to its API's handler strictly in order (each waits for the previous one),
/// while other connections run in parallel. The receive loop only enqueues, so a slow handler delays its own
/// connection's messages and nothing else. $disconnect is queued last, after every message already received.
/// </summary>
internal sealed class ConnectionDispatcher
{
    private readonly Channel<(WebSocketEvent Event, long Cost)> _queue;
    private readonly GatewayMetrics _metrics;
    private long _queuedBytes;
    private readonly GatewayConnection _connection;
    private readonly GatewayOptions _options;
    private readonly ILogger _logger;
    private readonly Task _pump;

    public ConnectionDispatcher(
        GatewayConnection connection,
        GatewayOptions options,
        GatewayMetrics metrics,
        ILogger logger
    )
    {
        _metrics = metrics;
        _connection = connection;
        _options = options;
        _logger = logger;
        // Bounded in bytes below, not in count: 256 messages of 128 KB would be 32 MB for one client.
        _queue = Channel.CreateUnbounded<(WebSocketEvent, long)>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }
        );
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Bytes received and not yet handled.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <returns>false (nothing queued) when <paramref name="cost"/> would take the backlog over the connection's
    /// limit.</returns>
    public bool TryEnqueue(WebSocketEvent evt, long cost)
    {
        if (Interlocked.Add(ref _queuedBytes, cost) > _options.MaxInboundBytesPerConnection)
        {
            Interlocked.Add(ref _queuedBytes, -cost);
            return false;
        }
        _metrics.AddInbound(cost);
        if (_queue.Writer.TryWrite((evt, cost)))
            return true;
        Interlocked.Add(ref _queuedBytes, -cost);
        _metrics.AddInbound(-cost);
        return false;
    }

    /// <summary>Queues $disconnect after everything else and waits until the handler has seen it.</summary>
    public async Task CompleteAsync(WebSocketEvent disconnect)
    {
        // The writer never completes before this, and the pump always drains, so this cannot block forever.
        await _queue.Writer.WriteAsync((disconnect, 0)).ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        await foreach (var (evt, cost) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await InvokeAsync(_connection.Api.Handler, evt, _options.IntegrationTimeout, _logger).ConfigureAwait(false);
            Interlocked.Add(ref _queuedBytes, -cost);
            _metrics.AddInbound(-cost);
        }
    }

    /// <summary>Runs one integration call with API Gateway's timeout; a failure is logged, never thrown.</summary>
    public static async Task<ProxyResponse> InvokeAsync(
        IWebSocketHandler handler,
        WebSocketEvent evt,
        TimeSpan timeout,
        ILogger logger
    )
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await handler.HandleAsync(evt, cts.Token).ConfigureAwait(false) ?? ProxyResponse.Ok();
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            logger.LogError("Route {RouteKey} timed out after {Timeout}", evt.RequestContext.RouteKey, timeout);
            return ProxyResponse.Status(504, "{\"message\": \"Endpoint request timed out\"}");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Route {RouteKey} failed", evt.RequestContext.RouteKey);
            return ProxyResponse.Status(500, "{\"message\": \"Internal server error\"}");
        }
    }
}
