using MobZ.State;

namespace MobZ.Signaling.Rooms.State;

/// <summary>
/// Store keys of MobZ rooms. Ids are validated (<see cref="RoomIds"/>) before they reach a key, so a
/// room id can never spell another room's key. A room's own keys carry its id as their hash tag (<c>{id}</c>): the
/// atomic operations that join and leave touch them together, which a Redis Cluster allows only within one slot.
/// A connection's keys and the heartbeat set it is in share the tag of one of <see cref="ConnectionShards"/> shards
/// (<c>{c07}</c>), so the steps that claim and clear a connection stay in one slot while connections and rooms spread
/// over every master of a cluster.
/// </summary>
public static class RoomKeys
{
    /// <summary>How many heartbeat sets the connections are spread over (each with its own hash tag).</summary>
    public const int ConnectionShards = 16;

    /// <summary>The hash tag of <paramref name="connectionId"/>'s shard, the same in every process.</summary>
    public static string ConnectionTag(string connectionId) => ShardTag(HashSlot.Of(connectionId) % ConnectionShards);

    private static string ShardTag(int shard) => $"{{c{shard:D2}}}";

    /// <summary>Hash: kind, owner, version (of the publisher list and owner).</summary>
    public static string Room(string roomId) => $"room:{{{roomId}}}";

    /// <summary>Hash: connection id → <see cref="ParticipantEntry"/> JSON.</summary>
    public static string Publishers(string roomId) => $"room:{{{roomId}}}:publishers";

    /// <summary>Hash: connection id → <see cref="ParticipantEntry"/> JSON.</summary>
    public static string Viewers(string roomId) => $"room:{{{roomId}}}:viewers";

    /// <summary>Hash: connection id of a viewer waiting for the owner's PublishAccept/Reject → its requestId.</summary>
    public static string PublishRequests(string roomId) => $"room:{{{roomId}}}:requests";

    /// <summary>Hash: room, role — which room a connection is in.</summary>
    public static string Connection(string connectionId) => $"conn:{ConnectionTag(connectionId)}:{connectionId}";

    /// <summary>String: <see cref="ConnectionAccess"/> JSON — what the connection's access token granted at
    /// $connect.</summary>
    public static string Access(string connectionId) => $"{Connection(connectionId)}:access";

    /// <summary>String (NX, short TTL): PeerGone was just broadcast for this connection, whose records the store
    /// lost.</summary>
    public static string PeerGoneAnnounced(string connectionId) => $"{Connection(connectionId)}:gone";

    /// <summary>Set of station ids a connection receives (so leaving tells those Munits).</summary>
    public static string Watching(string connectionId) => $"{Connection(connectionId)}:watching";

    /// <summary>String a signaling node sets (NX, with a TTL) to claim telling a room about one
    /// <c>PeerLostEvent</c>.</summary>
    public static string PeerLostAnnounced(string eventId) => $"peerlost:{eventId}";

    /// <summary>Sorted set of <paramref name="connectionId"/>'s shard: connection id scored by its last heartbeat
    /// (Unix ms); the sweep reads every shard.</summary>
    public static string Heartbeats(string connectionId) =>
        HeartbeatShard(HashSlot.Of(connectionId) % ConnectionShards);

    /// <summary>Every shard's heartbeat set.</summary>
    public static IEnumerable<string> AllHeartbeats => Enumerable.Range(0, ConnectionShards).Select(HeartbeatShard);

    private static string HeartbeatShard(int shard) => $"rooms:heartbeats:{ShardTag(shard)}";

    public const string KindField = "kind";
    public const string OwnerField = "owner";

    /// <summary>The room's publisher-list version: a counter every change to the publisher list or the owner bumps
    /// in the same step as the change, sent with each list so members can drop one older than the list they
    /// hold.</summary>
    public const string VersionField = "version";

    public const string RoomField = "room";
    public const string RoleField = "role";

    /// <summary>The connection's <see cref="MobZ.Access.AccessGrant"/> flags (as a number) in the room it
    /// joined.</summary>
    public const string GrantsField = "grants";

    /// <summary>Set while the connection's leave is under way (<see cref="RoomRepository.LeaveAsync"/>).</summary>
    public const string LeavingField = "leaving";

    public static string Participants(string roomId, string role) =>
        role == ParticipantTypes.Publisher ? Publishers(roomId) : Viewers(roomId);
}

/// <summary>What ids may contain: they become parts of store keys and channel names.</summary>
public static class RoomIds
{
    public const int MaxLength = 128;

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
            return false;
        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return false;
        }
        return true;
    }
}
