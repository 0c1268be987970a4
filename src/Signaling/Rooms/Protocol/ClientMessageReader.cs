using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MobZ.Signaling.Rooms.Protocol;

/// <summary>
/// Turns one client message body into the record its action names: the whole parse a rooms message gets
/// before any state is touched. Every way a body can be wrong ends in a <see cref="SignalException"/> carrying
/// the Error code the client is sent; any other exception is a bug.
/// </summary>
public static class ClientMessageReader
{
    /// <summary>Finds the action (and requestId) and refuses a body too large, not a JSON object, or without an
    /// action.</summary>
    /// <param name="maxMessageBytes">larger bodies are refused with MESSAGE_TOO_LARGE (after the scan, so the Error can
    /// carry the requestId).</param>
    /// <param name="requestId">the top-level "requestId" string, when the scan found one, for the Error.</param>
    /// <param name="action">the action when there is one, also when the body is refused (for the log and
    /// metrics).</param>
    /// <returns>the action, which <see cref="Parse"/> takes.</returns>
    public static string Scan(ReadOnlySpan<byte> body, int maxMessageBytes, out string? action, out string? requestId)
    {
        // The scan allocates nothing, so even an oversized message's Error can carry its requestId.
        var scanned = ActionReader.TryRead(body, out action, out requestId);
        if (body.Length > maxMessageBytes)
            throw new SignalException(ErrorCodes.MessageTooLarge, $"Messages are limited to {maxMessageBytes} bytes");
        switch (scanned)
        {
            case ActionReader.Result.Malformed:
                throw new SignalException(ErrorCodes.BadJson, "The message is not a JSON object");
            case ActionReader.Result.Missing:
                throw new SignalException(ErrorCodes.MissingField, "\"action\" is required");
        }
        return action!;
    }

    /// <summary>The record <paramref name="action"/> names, read from the whole body (already scanned).</summary>
    public static ClientMessage Parse(string action, ReadOnlySpan<byte> body)
    {
        var json = RoomsJsonContext.Default;
        return action switch
        {
            RoomActions.Join => Parse(body, json.JoinMessage),
            RoomActions.Leave => Parse(body, json.LeaveMessage),
            RoomActions.Heartbeat => Parse(body, json.HeartbeatMessage),
            RoomActions.UpdateVideo => Parse(body, json.UpdateVideoMessage),
            RoomActions.Offer or RoomActions.Answer or RoomActions.IceCandidate => Parse(body, json.MediaSignalMessage),
            RoomActions.Kick => Parse(body, json.KickMessage),
            RoomActions.Watch => Parse(body, json.WatchMessage),
            RoomActions.SimulcastUpdate => Parse(body, json.SimulcastUpdateMessage),
            RoomActions.PublishRequest => Parse(body, json.PublishRequestMessage),
            RoomActions.PublishAccept or RoomActions.PublishReject => Parse(body, json.PublishDecisionMessage),
            RoomActions.CloseRoom => Parse(body, json.CloseRoomMessage),
            _ => throw new SignalException(ErrorCodes.UnknownAction, $"Unknown action \"{Truncate(action)}\""),
        };
    }

    /// <summary>The body is known to be well-formed JSON here, so a failure is a field of the wrong type.</summary>
    private static T Parse<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> typeInfo)
        where T : ClientMessage
    {
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo)
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
