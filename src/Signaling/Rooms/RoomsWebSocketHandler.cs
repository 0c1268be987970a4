using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MobZ.Signaling.Rooms.Actions;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    ILogger<RoomsWebSocketHandler> logger) : IWebSocketHandler
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

    private async Task DispatchAsync(string connectionId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        string? requestId = null;
        string? action = null;
        string? errorCode = null;
        long started = Stopwatch.GetTimestamp();
        var inv = new Invocation(connectionId, null, cancellationToken);
        try
        {
            // The scan allocates nothing, so even an oversized message's Error can carry its requestId.
            var scanned = ActionReader.TryRead(body.Span, out action, out requestId);
            if (body.Length > options.Value.MaxMessageBytes)
                throw new SignalException(ErrorCodes.MessageTooLarge, $"Messages are limited to {options.Value.MaxMessageBytes} bytes");
            switch (scanned)
            {
                case ActionReader.Result.Malformed:
                    throw new SignalException(ErrorCodes.BadJson, "The message is not a JSON object");
                case ActionReader.Result.Missing:
                    throw new SignalException(ErrorCodes.MissingField, "\"action\" is required");
            }
            inv = new Invocation(connectionId, requestId, cancellationToken);
            using var actionScope = logger.BeginScope(new Dictionary<string, object> { ["action"] = action! });
            await RunActionAsync(inv, action!, body).ConfigureAwait(false);
        }
        catch (SignalException ex)
        {
            errorCode = ex.Code;
            logger.LogInformation("{Action} refused: {Code} {Message}", action, ex.Code, ex.Message);
            await sender.SendAsync(inv, connectionId, new ErrorReply(ex.Code, ex.Message) { RequestId = requestId }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            errorCode = ErrorCodes.InternalError;
            logger.LogError(ex, "{Action} failed", action);
            await sender.SendAsync(inv, connectionId,
                new ErrorReply(ErrorCodes.InternalError, "The server failed to handle this message") { RequestId = requestId }).ConfigureAwait(false);
        }
        metrics.Handled(action, started, errorCode);
        await signals.RemoveGoneAsync(inv).ConfigureAwait(false);
    }

    private Task RunActionAsync(Invocation inv, string action, ReadOnlyMemory<byte> body)
    {
        var json = RoomsJsonContext.Default;
        return action switch
        {
            RoomActions.Join => signals.JoinAsync(inv, Parse(body, json.JoinMessage)),
            RoomActions.Leave => signals.LeaveAsync(inv, Parse(body, json.LeaveMessage)),
            RoomActions.Heartbeat => signals.HeartbeatAsync(inv, Parse(body, json.HeartbeatMessage)),
            RoomActions.UpdateVideo => signals.UpdateVideoAsync(inv, Parse(body, json.UpdateVideoMessage)),
            RoomActions.Offer or RoomActions.Answer or RoomActions.IceCandidate => signals.MediaSignalAsync(inv, action, Parse(body, json.MediaSignalMessage)),
            RoomActions.Kick => signals.KickAsync(inv, Parse(body, json.KickMessage)),
            RoomActions.Watch => signals.WatchAsync(inv, Parse(body, json.WatchMessage)),
            RoomActions.SimulcastUpdate => signals.SimulcastUpdateAsync(inv, Parse(body, json.SimulcastUpdateMessage)),
            RoomActions.PublishRequest => signals.PublishRequestAsync(inv, Parse(body, json.PublishRequestMessage)),
            RoomActions.PublishAccept => signals.PublishAcceptAsync(inv, Parse(body, json.PublishDecisionMessage)),
            RoomActions.PublishReject => signals.PublishRejectAsync(inv, Parse(body, json.PublishDecisionMessage)),
            RoomActions.CloseRoom => signals.CloseRoomAsync(inv, Parse(body, json.CloseRoomMessage)),
            _ => throw new SignalException(ErrorCodes.UnknownAction, $"Unknown action \"{Truncate(action)}\""),
        };
    }

    /// <summary>The body is known to be well-formed JSON here, so a failure is a field of the wrong type.</summary>
    private static T Parse<T>(ReadOnlyMemory<byte> body, JsonTypeInfo<T> typeInfo) where T : ClientMessage
    {
        try
        {
            return JsonSerializer.Deserialize(body.Span, typeInfo)
                ?? throw new SignalException(ErrorCodes.BadJson, "The message is not a JSON object");
        }
        catch (JsonException ex)
        {
            string field = ex.Path is { Length: > 2 } path ? path[2..] : "a field";
            throw new SignalException(ErrorCodes.InvalidField, $"\"{field}\" has the wrong type");
        }
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
