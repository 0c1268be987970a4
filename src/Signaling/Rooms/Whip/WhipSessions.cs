namespace MobZ.Signaling.Rooms.Whip;

/// <summary>
/// A WHIP publisher (RFC 9725) takes a room's publisher slot under a session id of its own, where a WebSocket client
/// has its connection id: the room, its station and the Munit see an ordinary p2m publisher. The id has no socket
/// behind it, so nothing is ever sent to it, it sends no heartbeats, and it ends with DELETE on its session URL, or
/// when its media ends (the Munit reports the peer lost) or its station moves (a WHIP client cannot follow).
/// </summary>
public static class WhipSessions
{
    public const string Prefix = "whip-";

    public static string NewId() => Prefix + Guid.NewGuid().ToString("N");

    public static bool IsSession(string connectionId) => connectionId.StartsWith(Prefix, StringComparison.Ordinal);
}
