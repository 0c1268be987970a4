using System.Text.Json.Serialization;

namespace MobZ.Signaling.Rooms.Protocol;

// Messages the server sends. Action is the first property on the wire.

public abstract record ServerMessage([property: JsonPropertyOrder(-2)] string Action)
{
    [JsonPropertyOrder(-1)]
    public string? RequestId { get; init; }
}

public sealed record ErrorReply(string Code, string Message) : ServerMessage(RoomActions.Error);

public sealed record JoinAckReply(
    string RoomId,
    string RoomKind,
    string ParticipantId,
    string ParticipantType,
    string OwnerId,
    IReadOnlyList<IceServer> IceServers,
    IReadOnlyList<PublisherInfo> Publishers,
    int HeartbeatIntervalMs,
    long Version
) : ServerMessage(RoomActions.JoinAck)
{
    /// <summary>The joiner's own station (m2m/p2m publishers).</summary>
    public string? StationId { get; init; }

    /// <summary>p2m viewers: the LL-HLS playlist.</summary>
    public string? PlaybackUrl { get; init; }
}

public sealed record PublisherInfo(string ParticipantId, string? UserId, bool Audio, bool Video)
{
    public string? StationId { get; init; }

    /// <summary>m2m/p2m: the publisher's media reached its Munit, so it can be watched now.</summary>
    public bool Live { get; init; }

    /// <summary>m2m: the Munit's offer for receiving this publisher (answer it with Answer + stationId).</summary>
    public string? OfferSdp { get; init; }
}

public sealed record LeaveAckReply(string RoomId) : ServerMessage(RoomActions.LeaveAck);

/// <summary>ParticipantId tells a client its own connection id, which API Gateway never reveals to it.</summary>
public sealed record HeartbeatAckReply(long ServerTime, string ParticipantId) : ServerMessage(RoomActions.HeartbeatAck);

public sealed record UpdateVideoNotice(string ParticipantId, bool Audio, bool Video)
    : ServerMessage(RoomActions.UpdateVideo);

/// <summary>Offer / Answer / IceCandidate delivered to a client (forwarded from a peer, or from a Munit).</summary>
public sealed record MediaSignalNotice(string Action) : ServerMessage(Action)
{
    /// <summary>p2p: the sending peer.</summary>
    public string? From { get; init; }
    public string? StationId { get; init; }
    public string? Sdp { get; init; }
    public string? Candidate { get; init; }
    public string? SdpMid { get; init; }
    public int? SdpMLineIndex { get; init; }
}

public sealed record WatchAckReply(string StationId, string PublisherId, string Sdp)
    : ServerMessage(RoomActions.WatchAck);

public sealed record SimulcastUpdateAckReply(string StationId, string Layer)
    : ServerMessage(RoomActions.SimulcastUpdateAck);

public sealed record KickAckReply(string ParticipantId) : ServerMessage(RoomActions.KickAck);

public sealed record KickedNotice(string RoomId, string By) : ServerMessage(RoomActions.Kicked)
{
    /// <summary>"roomClosed" when the whole room was closed; absent for a Kick of this one member.</summary>
    public string? Reason { get; init; }
}

public sealed record CloseRoomAckReply(string RoomId, int Removed) : ServerMessage(RoomActions.CloseRoomAck);

/// <summary>To the owner: a viewer asks to publish.</summary>
public sealed record PublishRequestNotice(string ParticipantId, string? UserId)
    : ServerMessage(RoomActions.PublishRequest);

/// <summary>To the requester: the owner accepted (with the new station) or rejected.</summary>
public sealed record PublishAcceptNotice(string ParticipantId) : ServerMessage(RoomActions.PublishAccept)
{
    public string? StationId { get; init; }
}

public sealed record PublishRejectNotice(string ParticipantId) : ServerMessage(RoomActions.PublishReject)
{
    public string? Reason { get; init; }
}

/// <summary>To everyone in the room whenever the publisher list or the owner changes. Two of them (or one and a
/// JoinAck) can reach a member in the opposite order of the changes: <see cref="Version"/> (the room's list version the
/// list was read at, as in JoinAck) says which is newer.</summary>
public sealed record PublishListChangeAckNotice(
    string RoomId,
    string OwnerId,
    string Reason,
    IReadOnlyList<PublisherInfo> Publishers,
    long Version
) : ServerMessage(RoomActions.PublishListChangeAck);

/// <summary>To everyone in the room: a station now runs on another media server (its old one died, stopped or
/// handed over). The publisher offers again; viewers stop watching it and watch again once it is live.</summary>
public sealed record StationMovedNotice(string RoomId, string StationId, string PublisherId, string Reason)
    : ServerMessage(RoomActions.StationMoved);

/// <summary>To a publisher whose media connection to its Munit ended (its DTLS session closed, ICE consent expired):
/// its station is still there and waits for a new offer; the room heard PublishListChangeAck "mediaLost".</summary>
public sealed record MediaLostNotice(string RoomId, string StationId, string Reason)
    : ServerMessage(RoomActions.MediaLost);

public static class ChangeReasons
{
    public const string Joined = "joined";
    public const string Left = "left";
    public const string Kicked = "kicked";
    public const string Accepted = "accepted";
    public const string OwnerChanged = "ownerChanged";

    /// <summary>A publisher's Munit answered its first offer: the publisher can be watched from now on.</summary>
    public const string Published = "published";

    /// <summary>Removed by the heartbeat sweep.</summary>
    public const string TimedOut = "timeout";

    /// <summary>An admin (or the operators' admin API) closed the room.</summary>
    public const string RoomClosed = "roomClosed";

    /// <summary>A publisher's media connection ended: it is listed not live until its next offer is answered
    /// ("published").</summary>
    public const string MediaLost = "mediaLost";
}
