namespace MobZ.Access;

/// <summary>
/// What a validated access token says: who holds it, which room (or, ending in '*', which room-name prefix) it
/// covers, and what its holder may do there. <see cref="Room"/> is empty only for a token checked without
/// <see cref="AccessRequirement.RoomRequired"/> that names no room; it covers no room.
/// </summary>
public sealed record AccessClaims(string UserId, string Room, AccessGrant Grants, DateTimeOffset Expires)
{
    /// <summary>True when <see cref="Room"/> ends in '*': the token covers every room whose name starts with the
    /// rest.</summary>
    public bool IsRoomPrefix => Room.EndsWith('*');

    public bool Covers(string roomId) =>
        Room.Length > 0
        && (
            IsRoomPrefix
                ? roomId.StartsWith(Room.AsSpan(0, Room.Length - 1), StringComparison.Ordinal)
                : string.Equals(Room, roomId, StringComparison.Ordinal)
        );

    public bool Has(AccessGrant grant) => (Grants & grant) == grant;
}

/// <summary>
/// The outcome of checking one token: claims, or why it was refused — <see cref="Failure"/> a short phrase for the
/// client and the log, <see cref="Kind"/> the same as a fixed value for code and metric tags.
/// </summary>
public readonly record struct AccessCheck(
    AccessClaims? Claims,
    string? Failure,
    AccessFailure Kind = AccessFailure.None
)
{
    public bool IsValid => Claims is not null;

    public static AccessCheck Refused(AccessFailure kind, string failure) => new(null, failure, kind);
}

/// <summary>Why a token was refused.</summary>
public enum AccessFailure
{
    None,
    Missing,
    NoKey,
    TooLong,
    Malformed,
    Expired,
    NoExpiry,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    AlgorithmNotAllowed,
    BadSignature,
    MissingClaim,
    UnknownGrant,
    Invalid,
}
