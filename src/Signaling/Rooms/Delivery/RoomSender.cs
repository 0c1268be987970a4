using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.Whip;

namespace MobZ.Signaling.Rooms.Delivery;

/// <summary>
/// Serializes server messages and posts them through @connections. Connections that answer Gone are
/// collected in the <see cref="Invocation"/> so the handler can remove them as if they had left. Each post has
/// its own short deadline (<see cref="RoomOptions.SendTimeout"/>): a member that does not take its message in
/// time is a slow consumer, skipped and logged, and never holds up the room.
/// </summary>
public sealed class RoomSender(IConnectionSender sender, IOptions<RoomOptions> options, ILogger<RoomSender> logger)
{
    public static byte[] Serialize(ServerMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, RoomsJsonContext.Default.GetTypeInfo(message.GetType())!);

    public Task SendAsync(Invocation invocation, string connectionId, ServerMessage message) =>
        SendBytesAsync(invocation, connectionId, Serialize(message));

    /// <summary>One serialization, sends in parallel (a 200-viewer room must not pay 200 round trips in
    /// series).</summary>
    public async Task BroadcastAsync(
        Invocation invocation,
        IEnumerable<string> connectionIds,
        ServerMessage message,
        string? except = null
    )
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
        if (WhipSessions.IsSession(connectionId))
            return; // A WHIP publisher has no socket: nothing to send, and it is not gone.
        SendStatus status;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(invocation.CancellationToken);
        deadline.CancelAfter(options.Value.SendTimeout);
        try
        {
            status = await sender.SendAsync(connectionId, payload, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!invocation.CancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(
                "Slow consumer {TargetConnectionId}: a {Bytes}-byte message was not taken within {Timeout}; skipped",
                connectionId,
                payload.Length,
                options.Value.SendTimeout
            );
            return;
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
                logger.LogWarning(
                    "Message of {Bytes} bytes to {TargetConnectionId} exceeds the frame limit; dropped",
                    payload.Length,
                    connectionId
                );
                break;
            case SendStatus.Failed:
                logger.LogWarning("Send to {TargetConnectionId} failed after retries", connectionId);
                break;
        }
    }

    /// <summary>Closes a client's socket (@connections DELETE); one already gone is fine.</summary>
    public async Task DisconnectAsync(Invocation invocation, string connectionId)
    {
        if (WhipSessions.IsSession(connectionId))
            return;
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
