using System.Text.Json.Serialization;

namespace MobZ.PixelStreaming.Protocol;

// Outbound messages have fixed shapes and are serialized through PsJsonContext. Relayed messages
// (offer, answer, iceCandidate, ...) are forwarded as parsed JSON so fields we do not model survive.

public sealed record IceServer(
    [property: JsonPropertyName("urls")] IReadOnlyList<string> Urls,
    [property: JsonPropertyName("username"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        string? Username,
    [property: JsonPropertyName("credential"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        string? Credential
);

public sealed record IdentifyMessage
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.Identify;
}

public sealed record EndpointIdConfirmMessage([property: JsonPropertyName("committedId")] string CommittedId)
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.EndpointIdConfirm;
}

/// <summary>To the player of a streamer that took another id (a second <c>endpointId</c>), as Epic's server sends
/// it.</summary>
public sealed record StreamerIdChangedMessage([property: JsonPropertyName("newID")] string NewId)
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.StreamerIdChanged;
}

public sealed record StreamerListMessage([property: JsonPropertyName("ids")] IReadOnlyList<string> Ids)
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.StreamerList;
}

public sealed record SubscribeFailedMessage([property: JsonPropertyName("message")] string Message)
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.SubscribeFailed;
}

public sealed record PlayerConnectedMessage(
    [property: JsonPropertyName("playerId")] string PlayerId,
    [property: JsonPropertyName("dataChannel")] bool DataChannel,
    [property: JsonPropertyName("sfu")] bool Sfu
)
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.PlayerConnected;
}

public sealed record PlayerDisconnectedMessage([property: JsonPropertyName("playerId")] string PlayerId)
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.PlayerDisconnected;
}

public sealed record StreamerDisconnectedMessage
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.StreamerDisconnected;
}

/// <summary>
/// Ours, not Epic's (its frontend ignores types it has no handler for): a waiting player's place in the queue,
/// 1 = next, and an estimate of the wait in seconds once one is known.
/// </summary>
public sealed record QueueStatusMessage(
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("estimatedWaitSeconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        int? EstimatedWaitSeconds
)
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.QueueStatus;
}

/// <summary>Our reply to a message we cannot act on (unknown type, malformed, not allowed).</summary>
public sealed record ErrorMessage([property: JsonPropertyName("message")] string Message)
{
    [JsonPropertyName("type")]
    public string Type => MessageTypes.Error;
}

// Inbound shapes we read fields from.

public sealed record EndpointIdMessage([property: JsonPropertyName("id")] string? Id);

public sealed record SubscribeMessage([property: JsonPropertyName("streamerId")] string? StreamerId);

public sealed record DisconnectPlayerMessage(
    [property: JsonPropertyName("playerId")] string? PlayerId,
    [property: JsonPropertyName("reason")] string? Reason
);
