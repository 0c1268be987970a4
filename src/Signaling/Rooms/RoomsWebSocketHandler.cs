using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms.Actions;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.State;

namespace MobZ.Signaling.Rooms;

/// <summary>
/// The Lambda integration of the MobZ rooms WebSocket API: $connect, $disconnect and every action route.
/// It reads the action from the body itself (the route key only saves API Gateway a hop), answers every
/// bad message with an Error carrying a stable code, and never lets one client's mistake reach the room.
/// </summary>
public sealed class RoomsWebSocketHandler(
    RoomSignals signals,
    RoomDoor door,
    RoomRepository rooms,
    RoomSender sender,
    IOptions<RoomOptions> options,
    RoomsMetrics metrics,
    ILogger<RoomsWebSocketHandler> logger
) : IWebSocketHandler
{
    public async Task<ProxyResponse> HandleAsync(WebSocketEvent evt, CancellationToken cancellationToken)
    {
        var context = evt.RequestContext;
        string connectionId = context.ConnectionId;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["connectionId"] = connectionId });
        switch (context.RouteKey)
        {
            case RouteKeys.Connect:
                return await door.ConnectAsync(evt, cancellationToken).ConfigureAwait(false);
            case RouteKeys.Disconnect:
            {
                var inv = new Invocation(connectionId, null, cancellationToken);
                try
                {
                    bool known = await rooms.HasAccessAsync(connectionId).ConfigureAwait(false);
                    var left = await signals.RemoveAsync(inv, connectionId, ChangeReasons.Left).ConfigureAwait(false);
                    await signals.RemoveGoneAsync(inv).ConfigureAwait(false);
                    await rooms.DeleteAccessAsync(connectionId).ConfigureAwait(false);
                    if (!known && left is null)
                        await signals.ForgetLostConnectionAsync(connectionId).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The heartbeat sweep removes it later; the disconnect itself cannot be refused.
                    logger.LogError(ex, "Cleanup after $disconnect failed");
                }
                return ProxyResponse.Ok();
            }
            default:
                await OnMessageAsync(connectionId, evt, cancellationToken).ConfigureAwait(false);
                return ProxyResponse.Ok();
        }
    }

    private async Task OnMessageAsync(string connectionId, WebSocketEvent evt, CancellationToken cancellationToken)
    {
        byte[]? rented = null;
        try
        {
            ReadOnlyMemory<byte> body;
            string text = evt.Body ?? "";
            if (evt.IsBase64Encoded)
            {
                body = DecodeBase64(text);
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
                body = rented.AsMemory(0, Encoding.UTF8.GetBytes(text, rented));
            }
            await DispatchAsync(connectionId, body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ReadOnlyMemory<byte> DecodeBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return ReadOnlyMemory<byte>.Empty; // Reported as BAD_JSON below.
        }
    }

    private async Task DispatchAsync(
        string connectionId,
        ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken
    )
    {
        string? requestId = null;
        string? action = null;
        string? errorCode = null;
        long started = Stopwatch.GetTimestamp();
        var inv = new Invocation(connectionId, null, cancellationToken);
        try
        {
            string found = ClientMessageReader.Scan(
                body.Span,
                options.Value.MaxMessageBytes,
                out action,
                out requestId
            );
            inv = new Invocation(connectionId, requestId, cancellationToken);
            using var actionScope = logger.BeginScope(new Dictionary<string, object> { ["action"] = found });
            await RunActionAsync(inv, found, ClientMessageReader.Parse(found, body.Span)).ConfigureAwait(false);
        }
        catch (SignalException ex)
        {
            errorCode = ex.Code;
            logger.LogInformation("{Action} refused: {Code} {Message}", action, ex.Code, ex.Message);
            await sender
                .SendAsync(inv, connectionId, new ErrorReply(ex.Code, ex.Message) { RequestId = requestId })
                .ConfigureAwait(false);
        }
        catch (StateUnavailableException ex)
        {
            // Not a fault of ours to page anybody about, and not a reason for the client to give up: it retries.
            errorCode = ErrorCodes.StoreUnavailable;
            logger.LogWarning("{Action} refused: the room store is unavailable ({Error})", action, ex.Message);
            await sender
                .SendAsync(
                    inv,
                    connectionId,
                    new ErrorReply(ErrorCodes.StoreUnavailable, "The room store is unavailable; retry shortly")
                    {
                        RequestId = requestId,
                    }
                )
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            errorCode = ErrorCodes.InternalError;
            logger.LogError(ex, "{Action} failed", action);
            await sender
                .SendAsync(
                    inv,
                    connectionId,
                    new ErrorReply(ErrorCodes.InternalError, "The server failed to handle this message")
                    {
                        RequestId = requestId,
                    }
                )
                .ConfigureAwait(false);
        }
        metrics.Handled(action, started, errorCode);
        await signals.RemoveGoneAsync(inv).ConfigureAwait(false);
    }

    private Task RunActionAsync(Invocation inv, string action, ClientMessage message) =>
        message switch
        {
            JoinMessage m => signals.JoinAsync(inv, m),
            LeaveMessage m => signals.LeaveAsync(inv, m),
            HeartbeatMessage m => signals.HeartbeatAsync(inv, m),
            UpdateVideoMessage m => signals.UpdateVideoAsync(inv, m),
            MediaSignalMessage m => signals.MediaSignalAsync(inv, action, m),
            KickMessage m => signals.KickAsync(inv, m),
            WatchMessage m => signals.WatchAsync(inv, m),
            SimulcastUpdateMessage m => signals.SimulcastUpdateAsync(inv, m),
            PublishRequestMessage m => signals.PublishRequestAsync(inv, m),
            PublishDecisionMessage m when action == RoomActions.PublishAccept => signals.PublishAcceptAsync(inv, m),
            PublishDecisionMessage m => signals.PublishRejectAsync(inv, m),
            CloseRoomMessage m => signals.CloseRoomAsync(inv, m),
            _ => throw new InvalidOperationException($"no signal handles {message.GetType().Name}"),
        };
}
