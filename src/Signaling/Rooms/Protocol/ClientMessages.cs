namespace MobZ.Signaling.Rooms.Protocol;

// Messages clients send. Every field is optional at the JSON level so that a missing one is answered
// with MISSING_FIELD naming it, instead of a generic parse failure.

public abstract record ClientMessage
{
    public string? Action { get; init; }

    /// <summary>Echoed in the reply or Error, so a client can match them.</summary>
    public string? RequestId { get; init; }
}

public sealed record JoinMessage : ClientMessage
{
    public string? RoomId { get; init; }
    public string? RoomKind { get; init; }

    /// <summary>"publisher" or "viewer"; default publisher in p2p and m2m, viewer in p2m.</summary>
    public string? Role { get; init; }
    public string? UserId { get; init; }
    public bool? Audio { get; init; }
    public bool? Video { get; init; }
}

public sealed record LeaveMessage : ClientMessage;

public sealed record HeartbeatMessage : ClientMessage;

public sealed record UpdateVideoMessage : ClientMessage
{
    public bool? Audio { get; init; }
    public bool? Video { get; init; }
}

/// <summary>Offer, Answer and IceCandidate share one shape.</summary>
public sealed record MediaSignalMessage : ClientMessage
{
    public string? Sdp { get; init; }
    public string? Candidate { get; init; }
    public string? SdpMid { get; init; }
    public int? SdpMLineIndex { get; init; }

    /// <summary>p2p: the peer to forward to (default: the other peer).</summary>
    public string? To { get; init; }

    /// <summary>m2m/p2m: the station the signal is about (default for a publisher: its own).</summary>
    public string? StationId { get; init; }
}

public sealed record KickMessage : ClientMessage
{
    public string? ParticipantId { get; init; }
}

public sealed record WatchMessage : ClientMessage
{
    public string? StationId { get; init; }
    public string? PublisherId { get; init; }
}

public sealed record SimulcastUpdateMessage : ClientMessage
{
    public string? StationId { get; init; }

    /// <summary>rid ("h", "m", "l") or spatial layer index as text.</summary>
    public string? Layer { get; init; }
}

public sealed record PublishRequestMessage : ClientMessage;

public sealed record CloseRoomMessage : ClientMessage;

/// <summary>PublishAccept and PublishReject from the owner.</summary>
public sealed record PublishDecisionMessage : ClientMessage
{
    public string? ParticipantId { get; init; }
    public string? Reason { get; init; }
}
