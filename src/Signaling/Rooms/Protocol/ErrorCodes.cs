namespace MobZ.Signaling.Rooms.Protocol;

/// <summary>The stable codes of Error replies. Clients switch on these; never rename one.</summary>
public static class ErrorCodes
{
    public const string BadJson = "BAD_JSON";
    public const string MessageTooLarge = "MESSAGE_TOO_LARGE";
    public const string UnknownAction = "UNKNOWN_ACTION";
    public const string MissingField = "MISSING_FIELD";
    public const string InvalidField = "INVALID_FIELD";
    public const string NotInRoom = "NOT_IN_ROOM";
    public const string AlreadyInRoom = "ALREADY_IN_ROOM";
    public const string RoomKindMismatch = "ROOM_KIND_MISMATCH";
    public const string RoomFull = "ROOM_FULL";
    public const string NotOwner = "NOT_OWNER";

    /// <summary>The connection's access token does not grant this room or this action; the message names the
    /// grant.</summary>
    public const string Forbidden = "FORBIDDEN";

    /// <summary>Nobody in the room holds the admin grant, so nobody can answer a PublishRequest.</summary>
    public const string NoAdmin = "NO_ADMIN";
    public const string NotPublisher = "NOT_PUBLISHER";
    public const string AlreadyPublisher = "ALREADY_PUBLISHER";
    public const string ParticipantNotFound = "PARTICIPANT_NOT_FOUND";
    public const string StationNotFound = "STATION_NOT_FOUND";
    public const string NoPendingRequest = "NO_PENDING_REQUEST";
    public const string NotSupported = "NOT_SUPPORTED";
    public const string NoMunitAvailable = "NO_MUNIT_AVAILABLE";
    public const string MunitTimeout = "MUNIT_TIMEOUT";
    public const string MunitError = "MUNIT_ERROR";
    public const string Busy = "BUSY";
    public const string InternalError = "INTERNAL_ERROR";

    /// <summary>
    /// The room store (Redis) did not answer: it is unreachable, restarting or stalled. Nothing of the request may have
    /// been applied; the connection and the room stay as they were, so the client retries the same request shortly.
    /// </summary>
    public const string StoreUnavailable = "STORE_UNAVAILABLE";

    /// <summary>
    /// The server has no record of this connection although its socket is open: the store (Redis) lost its data.
    /// The client reconnects with a fresh access token and joins again; the old connection's media is closed.
    /// </summary>
    public const string StateLost = "STATE_LOST";
}

/// <summary>Thrown inside an action to answer the sender with an Error; nothing else in the room changes.</summary>
public sealed class SignalException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
