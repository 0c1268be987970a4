namespace MobZ.Contracts;

/// <summary>Store keys and channels shared by signaling and Regulators. Changing one is a contract change.</summary>
public static class MunitKeys
{
    /// <summary>Pub/sub channel of one Munit's Regulator.</summary>
    public static string Channel(string munitId) => $"munit:{munitId}:signals";

    /// <summary>Pub/sub channel every Regulator listens to.</summary>
    public const string BroadcastChannel = "munit:broadcast";

    /// <summary>Pub/sub channel on which a Regulator announces stations it moved to another Munit
    /// (<see cref="StationsMovedEvent"/>); signaling tells the rooms' clients.</summary>
    public const string MovesChannel = "munit:moves";

    /// <summary>Pub/sub channel on which a Regulator announces a publisher whose media peer ended by itself
    /// (<see cref="PeerLostEvent"/>); signaling tells the room.</summary>
    public const string PeersChannel = "munit:peers";

    /// <summary>Pub/sub channel on which a Regulator announces stations it wrote back after the store lost its data
    /// (<see cref="StationsRestoredEvent"/>); signaling tells their publishers' connections to rejoin.</summary>
    public const string RestoredChannel = "munit:restored";

    /// <summary>String key a signaling node sets (NX, with a TTL) to claim telling the clients of one station move,
    /// so that of several nodes hearing the same event exactly one announces it.</summary>
    public static string MoveAnnounced(string stationId, string toMunitId) => $"station:{stationId}:moved:{toMunitId}";

    /// <summary>
    /// The start of every key below: they share the hash tag <c>{munits}</c>, so on a Redis Cluster they live in one
    /// slot and one server-side step (placing a station, moving a dead Munit's stations) can read and change any of
    /// them. Scripts build the keys of a Munit they find in the registry from it (docs/state.md).
    /// </summary>
    public const string Prefix = "{munits}:";

    /// <summary>Sorted set of registered Munit ids scored by load (lower is less loaded).</summary>
    public const string Registry = Prefix + "registry";

    /// <summary>Hash with the <see cref="MunitRegistration"/> fields of one Munit.</summary>
    public static string Info(string munitId) => $"{Prefix}munit:{munitId}";

    /// <summary>String key with a heartbeat TTL; when it expires the Munit is gone and its stations are
    /// reassigned.</summary>
    public static string Alive(string munitId) => $"{Prefix}munit:{munitId}:alive";

    /// <summary>Set of station ids a Munit should run (durable intent for reconciliation).</summary>
    public static string Stations(string munitId) => $"{Prefix}munit:{munitId}:stations";

    /// <summary>Hash describing one station: munit, room, publisher, roomKind, hls.</summary>
    public static string Station(string stationId) => $"{Prefix}station:{stationId}";
}

/// <summary>A Munit's entry in the registry, as stored in <see cref="MunitKeys.Info"/>.</summary>
public sealed record MunitRegistration(
    string MunitId,
    string Address,
    int Port,
    int Capacity,
    double Load,
    bool Draining,
    int Stations,
    int Subscribers,
    string Workers = ""
);
