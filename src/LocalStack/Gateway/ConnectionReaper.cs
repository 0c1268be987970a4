using System.Net.WebSockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MobZ.LocalStack.Gateway;

/// <summary>Closes connections idle past <see cref="GatewayOptions.IdleTimeout"/> or older than the maximum duration,
/// as AWS does (1001).</summary>
internal sealed class ConnectionReaper(
    ConnectionRegistry registry,
    GatewayOptions options,
    TimeProvider time,
    ILogger<ConnectionReaper> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(
            Math.Clamp(
                options.IdleTimeout.Ticks / 4,
                TimeSpan.FromMilliseconds(50).Ticks,
                TimeSpan.FromSeconds(30).Ticks
            )
        );
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = time.GetUtcNow();
                foreach (var connection in registry.Snapshot())
                {
                    if (!connection.IsOpen)
                        continue;
                    var idle = now - connection.LastActiveAt >= options.IdleTimeout;
                    if (idle || now - connection.ConnectedAt >= options.MaxConnectionDuration)
                    {
                        logger.LogInformation(
                            "Closing {ConnectionId}: {Why}",
                            connection.Id,
                            idle ? "idle timeout" : "maximum connection duration"
                        );
                        await connection
                            .CloseAsync(
                                WebSocketCloseStatus.EndpointUnavailable,
                                "Going away",
                                options.CloseHandshakeTimeout
                            )
                            .ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
