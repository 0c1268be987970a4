namespace MobZ.Access;

/// <summary>
/// What a caller needs from a token beyond a good signature, lifetime, issuer and audience. Rooms use
/// <see cref="Room"/>; Pixel Streaming players use <see cref="Player"/>.
/// </summary>
public sealed record AccessRequirement
{
    /// <summary>The token must name a room (or room prefix) in its <c>room</c> claim.</summary>
    public bool RoomRequired { get; init; } = true;

    /// <summary>
    /// Claims that name the user when the configured <see cref="AccessTokenOptions.UserIdClaim"/> is absent,
    /// tried in order.
    /// </summary>
    public IReadOnlyList<string> FallbackUserIdClaims { get; init; } = [];

    /// <summary>Room signaling: user, room and grants.</summary>
    public static AccessRequirement Room { get; } = new();

    /// <summary>
    /// Pixel Streaming players: a user id from <c>sub</c>, or from <c>userId</c> as in Epic's player tokens; the
    /// room claim is optional (the player's policy judges it when present).
    /// </summary>
    public static AccessRequirement Player { get; } = new() { RoomRequired = false, FallbackUserIdClaims = ["userId"] };
}
