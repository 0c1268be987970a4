namespace MobZ.PixelStreaming.Matching;

/// <summary>
/// Where Pixel Streaming keeps its state. Everything that must survive a Lambda invocation lives in
/// these keys; nothing is held in process memory.
/// Session keys (connections, streamers, players, the idle set and the queue) carry one Redis hash tag,
/// <see cref="SessionPrefix"/> (<c>{ps}:</c> for the prefix <c>ps:</c>), because the matching operations
/// (<see cref="PsOperations"/>) change several of them in one script, which a Redis Cluster runs only on keys of
/// one slot. The allow-list and instance records keep the plain <see cref="Prefix"/>: they are configuration that
/// outlives a deploy, and nothing changes them together with session keys.
/// </summary>
public sealed class PsKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>The prefix with its hash tag: the prefix itself when it has one, else <c>{prefix}:</c>.</summary>
    public string SessionPrefix { get; } =
        MobZ.State.Atomic.HashTag.Of(prefix) is not null ? prefix
        : prefix.TrimEnd(':').Length == 0 ? "{ps}:"
        : $"{{{prefix.TrimEnd(':')}}}:";

    /// <summary>Hash per WebSocket connection: role, id, projectUrl, greeting state, source ip.</summary>
    public string Connection(string connectionId) => $"{SessionPrefix}conn:{connectionId}";

    /// <summary>Hash per registered streamer: conn, state, player, instance.</summary>
    public string Streamer(string streamerId) => $"{SessionPrefix}streamer:{streamerId}";

    /// <summary>Hash per connected player: conn, state, streamer, projectUrl, offered, listed.</summary>
    public string Player(string playerId) => $"{SessionPrefix}player:{playerId}";

    /// <summary>
    /// String with a TTL: the streamer a player lost. Epic's stock frontend reconnects wanting that id and stops
    /// after three polls unless it is listed, so it is listed to that player (subscribing to it is then matched as
    /// usual).
    /// </summary>
    public string PlayerResume(string playerId) => $"{SessionPrefix}resume:{playerId}";

    /// <summary>Set of every registered streamer id.</summary>
    public string Streamers => $"{SessionPrefix}streamers";

    /// <summary>Sorted set of idle streamer ids, scored by when they became idle (longest idle first).</summary>
    public string Idle => $"{SessionPrefix}idle";

    /// <summary>List of waiting player ids, oldest first.</summary>
    public string Queue => $"{SessionPrefix}queue";

    /// <summary>Hash: how fast the queue is served (when its head started waiting, average wait of recent heads) for
    /// queueStatus estimates.</summary>
    public string QueueStats => $"{SessionPrefix}queue-stats";

    /// <summary>Set of source addresses streamers may connect from.</summary>
    public string AllowedIps => $"{Prefix}allowed-ips";

    /// <summary>Hash per streaming instance started through the REST API.</summary>
    public string Instance(string instanceId) => $"{Prefix}instance:{instanceId}";

    public string Instances => $"{Prefix}instances";

    /// <summary>String: the instance that owns a public address (streamers are found by their source ip).</summary>
    public string InstanceByIp(string ip) => $"{Prefix}instance-ip:{ip}";
}

/// <summary>Field names of the hashes in <see cref="PsKeys"/>.</summary>
public static class PsFields
{
    public const string Role = "role";
    public const string Id = "id";
    public const string Conn = "conn";
    public const string State = "state";
    public const string Player = "player";
    public const string Streamer = "streamer";
    public const string ProjectUrl = "projectUrl";
    public const string Greeting = "greeting";
    public const string SourceIp = "ip";
    public const string Since = "since";

    /// <summary>On a player: its streamer's offer reached it (it is negotiating, not merely reserved).</summary>
    public const string Offered = "offered";

    /// <summary>On a player: the id its last streamerList named (subscribing to it never fails as unknown).</summary>
    public const string Listed = "listed";

    /// <summary>
    /// On a player: the streamer connection that has been sent <c>playerConnected</c> for it (its told mark). Whoever
    /// ends the session tells the streamer <c>playerDisconnected</c> only if it finds this, so the streamer never hears
    /// of a player leaving before it heard of it arriving (<see cref="Matchmaker.ConfirmToldAsync"/>). A field of the
    /// player, not a key of its own with a time to live: it lasts exactly as long as the session it describes.
    /// </summary>
    public const string Told = "told";
}

/// <summary>Field names of <see cref="PsKeys.QueueStats"/>, whose values are milliseconds.</summary>
public static class QueueStatsFields
{
    /// <summary>When the queue's current head began to be the head (it became non-empty, or the previous head was
    /// served).</summary>
    public const string BusySince = "busySince";

    /// <summary>Exponentially weighted average of how long a head waited to be served.</summary>
    public const string AverageMs = "avgServeMs";

    /// <summary>How much the latest head's wait counts in <see cref="AverageMs"/>.</summary>
    public const string Weight = "0.3";

    public static double? ParseMs(string? value) =>
        double.TryParse(
            value,
            System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture,
            out var ms
        )
            ? ms
            : null;
}

public static class Roles
{
    public const string Player = "player";
    public const string Streamer = "streamer";
}

/// <summary>Streamer lifecycle: INITIALIZING → IDLE | RESERVED → BUSY → RELEASED (out of the pool until it
/// reconnects).</summary>
public static class StreamerStates
{
    public const string Initializing = "INITIALIZING";
    public const string Idle = "IDLE";
    public const string Reserved = "RESERVED";
    public const string Busy = "BUSY";

    /// <summary>Its player left and its worker is restarting the instance; never matched again on this
    /// connection.</summary>
    public const string Released = "RELEASED";
}

/// <summary>Player lifecycle on one connection.</summary>
public static class PlayerStates
{
    /// <summary>Connected, not subscribed.</summary>
    public const string Idle = "idle";
    public const string Waiting = "waiting";

    /// <summary>A streamer was reserved for it; the streamer has been told (playerConnected).</summary>
    public const string Reserved = "reserved";

    /// <summary>Its answer reached the streamer.</summary>
    public const string Streaming = "streaming";
}

/// <summary>Greeting (config, then identify for streamers) delivery state of a connection.</summary>
public static class GreetingStates
{
    public const string Pending = "pending";

    /// <summary>The background retry is writing it right now.</summary>
    public const string Sending = "sending";
    public const string Sent = "sent";
}
