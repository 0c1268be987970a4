using System.Text.Json;
using MobZ.Signaling.Rooms.Protocol;
using Microsoft.Extensions.Logging;

namespace MobZ.Signaling.Rooms.Delivery;

/// <summary>
/// Serializes server messages and posts them through @connections. Connections that answer Gone are
/// collected in the <see cref="Invocation"/> so the handler can remove them as if they had left.
/// </summary>
public sealed class RoomSender(IConnectionSender sender, ILogger<RoomSender> logger)
{
    public static byte[] Serialize(ServerMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, RoomsJsonContext.Default.GetTypeInfo(message.GetType())!);

    public Task SendAsync(Invocation invocation, string connectionId, ServerMessage message) =>
        SendBytesAsync(invocation, connectionId, Serialize(message));

    /// <summary>One serialization, sends in parallel (a 200-viewer room must not pay 200 round trips in series).</summary>
    public async Task BroadcastAsync(Invocation invocation, IEnumerable<string> connectionIds, ServerMessage message, string? except = null)
    {
        byte[] payload = Serialize(message);
        var sends = new List<Task>();
        foreach (var id in connectionIds)
        {
            if (id != except)
                sends.Add(SendBytesAsync(invocation, id, payload));
        }
        await Task.WhenAll(sends).ConfigureAwait(false);
    }

    private async Task SendBytesAsync(Invocation invocation, string connectionId, byte[] payload)
    {
        SendStatus status;
        try
        {
            status = await sender.SendAsync(connectionId, payload, invocation.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Send to {TargetConnectionId} failed", connectionId);
            return;
        }
        switch (status)
        {
            case SendStatus.Gone:
                invocation.MarkGone(connectionId);
                break;
            case SendStatus.TooLarge:
                logger.LogWarning("Message of {Bytes} bytes to {TargetConnectionId} exceeds the frame limit; dropped", payload.Length, connectionId);
                break;
            case SendStatus.Failed:
                logger.LogWarning("Send to {TargetConnectionId} failed after retries", connectionId);
                break;
        }
    }

    /// <summary>Closes a client's socket (@connections DELETE); one already gone is fine.</summary>
    public async Task DisconnectAsync(Invocation invocation, string connectionId)
    {
        try
        {
            await sender.DeleteConnectionAsync(connectionId, invocation.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Closing connection {TargetConnectionId} failed", connectionId);
        }
    }
}
