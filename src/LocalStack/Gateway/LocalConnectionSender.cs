using System.Net.WebSockets;
using MobZ.Signaling.Abstractions;
using ConnectionInfo = MobZ.Signaling.Abstractions.ConnectionInfo;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// The in-process @connections API of the local gateway: what handlers get as <see cref="IConnectionSender"/>
/// under <c>make run</c>. Same answers as AWS: Gone for unknown ids and for connections whose $connect has
/// not completed, TooLarge (never truncated) above 128 KB.
/// </summary>
public sealed class LocalConnectionSender(ConnectionRegistry registry, GatewayOptions options, TimeProvider time)
    : IConnectionSender
{
    public Task<SendStatus> SendAsync(
        string connectionId,
        ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken = default
    )
    {
        if (payload.Length > IConnectionSender.MaxPayloadBytes)
            return Task.FromResult(SendStatus.TooLarge);
        return registry.TryGet(connectionId, out var connection)
            ? connection.SendAsync(payload, time.GetUtcNow(), cancellationToken)
            : Task.FromResult(SendStatus.Gone);
    }

    public Task<ConnectionInfo?> GetConnectionAsync(
        string connectionId,
        CancellationToken cancellationToken = default
    ) =>
        Task.FromResult(
            registry.TryGet(connectionId, out var c) && c.IsOpen
                ? new ConnectionInfo(c.ConnectedAt, c.LastActiveAt, c.SourceIp, c.UserAgent)
                : null
        );

    public async Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default) =>
        registry.TryGet(connectionId, out var connection)
        && await connection
            .CloseAsync(
                WebSocketCloseStatus.NormalClosure,
                "Connection closed by the server",
                options.CloseHandshakeTimeout
            )
            .ConfigureAwait(false);

    public async Task<bool> CloseConnectionAsync(
        string connectionId,
        int closeCode,
        string reason,
        CancellationToken cancellationToken = default
    ) =>
        registry.TryGet(connectionId, out var connection)
        && await connection
            .CloseAsync(
                (WebSocketCloseStatus)closeCode,
                IConnectionSender.FitCloseReason(reason),
                options.CloseHandshakeTimeout
            )
            .ConfigureAwait(false);
}
