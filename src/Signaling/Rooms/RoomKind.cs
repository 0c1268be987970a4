namespace MobZ.Signaling.Rooms;

/// <summary>
/// p2p: two peers, signals forwarded, no media server. m2m: many publishers and viewers through Munit
/// stations. p2m: one publisher, viewers watch LL-HLS.
/// </summary>
public enum RoomKind
{
    P2p,
    M2m,
    P2m,
}

public static class RoomKinds
{
    public const string P2p = "p2p";
    public const string M2m = "m2m";
    public const string P2m = "p2m";

    public static bool TryParse(string? text, out RoomKind kind)
    {
        switch (text)
        {
            case P2p:
                kind = RoomKind.P2p;
                return true;
            case M2m:
                kind = RoomKind.M2m;
                return true;
            case P2m:
                kind = RoomKind.P2m;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    public static string ToText(this RoomKind kind) =>
        kind switch
        {
            RoomKind.P2p => P2p,
            RoomKind.M2m => M2m,
            _ => P2m,
        };

    /// <summary>Whether publishers of this kind get a Munit station.</summary>
    public static bool UsesStations(this RoomKind kind) => kind != RoomKind.P2p;
}

public static class ParticipantTypes
{
    public const string Publisher = "publisher";
    public const string Viewer = "viewer";
}
