using MobZ.Access;

namespace MobZ.PixelStreaming.Security;

public sealed record TokenCheck(string? PlayerId, string? Failure)
{
    public bool IsValid => PlayerId is not null;
}

/// <summary>
/// Pixel Streaming's player policy over the host's one <see cref="AccessTokenValidator"/> (keys, algorithms,
/// lifetime, issuer and audience from "MobZ:Access"). The player id is the token's <c>sub</c>, or its <c>userId</c>
/// as in Epic's player tokens. A token without a <c>room</c> claim is a plain player token; a token that names a
/// room must cover the room <see cref="Room"/> and grant <c>join</c>, so a token minted for a call room cannot
/// open a Pixel Streaming session.
/// </summary>
public sealed class PlayerTokenValidator(AccessTokenValidator access)
{
    /// <summary>The room name a room-scoped token must cover to admit a Pixel Streaming player.</summary>
    public const string Room = "ps";

    /// <summary>False when no key is configured: every token is refused.</summary>
    public bool HasKeys => access.HasKeys;

    public async Task<TokenCheck> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        var check = await access.ValidateAsync(token, AccessRequirement.Player, cancellationToken);
        if (!check.IsValid)
            return new TokenCheck(null, check.Failure);
        var claims = check.Claims!;
        if (claims.Room.Length > 0 && !claims.Covers(Room))
            return new TokenCheck(null, $"token is for room \"{claims.Room}\", not Pixel Streaming (room \"{Room}\")");
        if (claims.Room.Length > 0 && !claims.Has(AccessGrant.Join))
            return new TokenCheck(null, "token does not grant join");
        if (!Identifiers.IsValid(claims.UserId))
            return new TokenCheck(null, "the token's user id is not a usable player id");
        return new TokenCheck(claims.UserId, null);
    }
}
