namespace MobZ.Munit.Control;

/// <summary>What a station is: one publisher of one room. <see cref="Hls"/> stations also feed the station
/// tap.</summary>
public sealed record StationDescriptor(string StationId, string RoomId, string PublisherId, string RoomKind, bool Hls);
