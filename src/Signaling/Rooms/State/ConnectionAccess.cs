using MobZ.Access;

namespace MobZ.Signaling.Rooms.State;

/// <summary>
/// What a connection's access token granted, recorded at $connect: the token itself is seen only then (the
/// browser sends it when it opens the socket), and every later action of the connection is checked against this.
/// </summary>
public sealed record ConnectionAccess(string UserId, string Room, AccessGrant Grants, long ExpiresAt)
{
    public static ConnectionAccess From(AccessClaims claims) =>
        new(claims.UserId, claims.Room, claims.Grants, claims.Expires.ToUnixTimeSeconds());

    public AccessClaims ToClaims() => new(UserId, Room, Grants, DateTimeOffset.FromUnixTimeSeconds(ExpiresAt));
}
