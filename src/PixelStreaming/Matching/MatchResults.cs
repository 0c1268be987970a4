namespace MobZ.PixelStreaming.Matching;

/// <summary>A streamer reserved for a player: the streamer must now be told <c>playerConnected</c>.</summary>
/// <param name="InstanceId">The streaming instance the streamer runs on, whose worker loads the project; null when
/// it was not started through the REST API.</param>
public sealed record Match(
    string StreamerId,
    string StreamerConnectionId,
    string PlayerId,
    string PlayerConnectionId,
    string? ProjectUrl,
    string? InstanceId
);

public enum SubscribeOutcome
{
    Matched,
    Queued,

    /// <summary>The player is not (or no longer) connected on this connection.</summary>
    NotConnected,
}

/// <param name="Released">The streamer the player held before subscribing again: it must be told
/// playerDisconnected.</param>
/// <param name="Position">Queued: the player's place in the queue, 1 at its head.</param>
/// <param name="AverageServeMs">Queued: the average time a head waited to be served (null until measured).</param>
public sealed record SubscribeResult(
    SubscribeOutcome Outcome,
    Match? Match = null,
    ReleasedStreamer? Released = null,
    int Position = 0,
    double? AverageServeMs = null
);

/// <summary>What a player leaving released: the streamer it had (if any).</summary>
/// <param name="Told">The streamer had been told of the player (<c>playerConnected</c>), so the caller tells it
/// <c>playerDisconnected</c>; otherwise whoever is telling it of the arrival does
/// (Matchmaker.ConfirmToldAsync).</param>
/// <param name="InstanceId">The streaming instance the streamer runs on, whose worker restarts it; null when
/// none.</param>
/// <param name="Offered">The release put the streamer back in service in the same step (one with no instance to
/// restart serves the next player as it is): handed to <paramref name="Next"/>, or idle when nobody waited.</param>
/// <param name="Next">The waiting player the streamer was handed to; null when it was not.</param>
public sealed record ReleasedStreamer(
    string StreamerId,
    string StreamerConnectionId,
    string PlayerId,
    bool Told,
    string? InstanceId,
    bool Offered = false,
    Match? Next = null
);

/// <summary>The queue as a round of <c>queueStatus</c> reads it: its first players (oldest first, each with its
/// connection, null when its record is gone) and the average time a head waited to be served (null until
/// measured).</summary>
public sealed record WaitingPlayers(double? AverageServeMs, IReadOnlyList<(string PlayerId, string? Conn)> Players);

/// <summary>What a player's unsubscribe or departure did: the streamer it released, if any, and whether it had
/// been waiting (the players behind it moved up).</summary>
public sealed record PlayerRelease(ReleasedStreamer? Streamer, bool WasWaiting);

/// <summary>What confirming that a streamer was told of its player found.</summary>
/// <param name="Told">The player still holds the streamer: its told mark is written.</param>
/// <param name="Offered">The player had left; its release left the goodbye and the hand-over to the caller, and
/// the streamer was offered again: to <paramref name="Next"/>, or made idle when nobody waited.</param>
public sealed record ToldOutcome(bool Told, bool Offered, Match? Next);

/// <summary>A closed socket's connection record as it was dropped: its role and id (null when it had none), and for
/// a player what giving up its place did (null when another connection holds the player id now).</summary>
public sealed record ClosedConnection(string? Role, string? Id, PlayerRelease? Release);

/// <summary>What a streamer leaving released: the player it served or had reserved (if any).</summary>
/// <param name="Requeued">
/// The player had only been reserved (no offer reached it yet), so it went back to the head of the queue and
/// never noticed; otherwise it is no longer subscribed and its socket must be closed.
/// </param>
public sealed record OrphanedPlayer(string PlayerId, string PlayerConnectionId, bool Requeued);

/// <summary>A streamer's new id, and the player subscribed to it (if any), which must be told
/// <c>streamerIdChanged</c>.</summary>
public sealed record RenamedStreamer(string Id, string? PlayerId, string? PlayerConnectionId);
