namespace MobZ.PixelStreaming.Matching;

/// <summary>A streamer reserved for a player: the streamer must now be told <c>playerConnected</c>.</summary>
public sealed record Match(string StreamerId, string StreamerConnectionId, string PlayerId, string PlayerConnectionId, string? ProjectUrl);

public enum SubscribeOutcome
{
    Matched,
    Queued,
    /// <summary>The player is not (or no longer) connected on this connection.</summary>
    NotConnected,
    /// <summary>Contention did not settle within the attempt budget; the player may retry.</summary>
    Contended,
}

public sealed record SubscribeResult(SubscribeOutcome Outcome, Match? Match = null);

/// <summary>What a player leaving released: the streamer it had (if any), which must be told playerDisconnected.</summary>
public sealed record ReleasedStreamer(string StreamerId, string StreamerConnectionId, string PlayerId);

/// <summary>What a streamer leaving released: the player it served or had reserved (if any).</summary>
public sealed record OrphanedPlayer(string PlayerId, string PlayerConnectionId);
