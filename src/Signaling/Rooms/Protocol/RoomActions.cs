namespace MobZ.Signaling.Rooms.Protocol;

/// <summary>The "action" values (API Gateway route keys) of MobZ rooms.</summary>
public static class RoomActions
{
    // Client → server (some are also forwarded server → client).
    public const string Join = "Join";
    public const string Leave = "Leave";
    public const string UpdateVideo = "UpdateVideo";
    public const string Heartbeat = "Heartbeat";
    public const string Offer = "Offer";
    public const string Answer = "Answer";
    public const string IceCandidate = "IceCandidate";
    public const string Kick = "Kick";
    public const string Watch = "Watch";
    public const string SimulcastUpdate = "SimulcastUpdate";
    public const string PublishRequest = "PublishRequest";
    public const string PublishAccept = "PublishAccept";
    public const string PublishReject = "PublishReject";
    public const string CloseRoom = "CloseRoom";

    /// <summary>The route keys clients may send (API Gateway routes; anything else arrives on $default).</summary>
    public static readonly IReadOnlyCollection<string> ClientRoutes =
    [
        Join,
        Leave,
        UpdateVideo,
        Heartbeat,
        Offer,
        Answer,
        IceCandidate,
        Kick,
        Watch,
        SimulcastUpdate,
        PublishRequest,
        PublishAccept,
        PublishReject,
        CloseRoom,
    ];

    // Server → client only.
    public const string JoinAck = "JoinAck";
    public const string LeaveAck = "LeaveAck";
    public const string HeartbeatAck = "HeartbeatAck";
    public const string WatchAck = "WatchAck";
    public const string SimulcastUpdateAck = "SimulcastUpdateAck";
    public const string KickAck = "KickAck";
    public const string CloseRoomAck = "CloseRoomAck";
    public const string Kicked = "Kicked";
    public const string PublishListChangeAck = "PublishListChangeAck";
    public const string StationMoved = "StationMoved";
    public const string MediaLost = "MediaLost";
    public const string Error = "Error";
}
