namespace MobZ.PixelStreaming.Matching;

/// <summary>A streamer reserved for a player: the streamer must now be told <c>playerConnected</c>.</summary>
public sealed record Match(
    string StreamerId,
    string StreamerConnectionId,
    string PlayerId,
    string PlayerConnectionId,
    string? ProjectUrl
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
public sealed record SubscribeResult(SubscribeOutcome Outcome, Match? Match = null, ReleasedStreamer? Released = null);

/// <summary>What a player leaving released: the streamer it had (if any), which must be told
/// playerDisconnected.</summary>
public sealed record ReleasedStreamer(string StreamerId, string StreamerConnectionId, string PlayerId);

/// <summary>What a streamer leaving released: the player it served or had reserved (if any).</summary>
/// <param name="Requeued">
/// The player had only been reserved (no offer reached it yet), so it went back to the head of the queue and
/// never noticed; otherwise it is no longer subscribed and its socket must be closed.
/// </param>
public sealed record OrphanedPlayer(string PlayerId, string PlayerConnectionId, bool Requeued);

/// <summary>A streamer's new id, and the player subscribed to it (if any), which must be told
/// <c>streamerIdChanged</c>.</summary>
public sealed record RenamedStreamer(string Id, string? PlayerId, string? PlayerConnectionId);
