using System.Text.Json.Serialization;
using MobZ.Signaling.Rooms.State;

namespace MobZ.Signaling.Rooms.Protocol;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    // Clients send "audio": "true" now and then; refuse anything but JSON booleans and numbers.
    NumberHandling = JsonNumberHandling.Strict
)]
[JsonSerializable(typeof(JoinMessage))]
[JsonSerializable(typeof(LeaveMessage))]
[JsonSerializable(typeof(HeartbeatMessage))]
[JsonSerializable(typeof(UpdateVideoMessage))]
[JsonSerializable(typeof(MediaSignalMessage))]
[JsonSerializable(typeof(KickMessage))]
[JsonSerializable(typeof(WatchMessage))]
[JsonSerializable(typeof(SimulcastUpdateMessage))]
[JsonSerializable(typeof(PublishRequestMessage))]
[JsonSerializable(typeof(PublishDecisionMessage))]
[JsonSerializable(typeof(CloseRoomMessage))]
[JsonSerializable(typeof(CloseRoomAckReply))]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(JoinAckReply))]
[JsonSerializable(typeof(LeaveAckReply))]
[JsonSerializable(typeof(HeartbeatAckReply))]
[JsonSerializable(typeof(UpdateVideoNotice))]
[JsonSerializable(typeof(MediaSignalNotice))]
[JsonSerializable(typeof(WatchAckReply))]
[JsonSerializable(typeof(SimulcastUpdateAckReply))]
[JsonSerializable(typeof(KickAckReply))]
[JsonSerializable(typeof(KickedNotice))]
[JsonSerializable(typeof(PublishRequestNotice))]
[JsonSerializable(typeof(PublishAcceptNotice))]
[JsonSerializable(typeof(PublishRejectNotice))]
[JsonSerializable(typeof(PublishListChangeAckNotice))]
[JsonSerializable(typeof(StationMovedNotice))]
[JsonSerializable(typeof(MediaLostNotice))]
[JsonSerializable(typeof(ParticipantEntry))]
[JsonSerializable(typeof(ConnectionAccess))]
public sealed partial class RoomsJsonContext : JsonSerializerContext;
