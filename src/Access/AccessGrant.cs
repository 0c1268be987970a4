namespace MobZ.Access;

/// <summary>What an access token lets its holder do in the room (or rooms) it names.</summary>
[Flags]
public enum AccessGrant
{
    None = 0,

    /// <summary>Enter the room.</summary>
    Join = 1,

    /// <summary>Publish in a p2p or m2m room (join as publisher, ask to publish, send offers).</summary>
    Publish = 2,

    /// <summary>Receive others' media: join as viewer, Watch, be offered stations, play the room's LL-HLS
    /// stream.</summary>
    Subscribe = 4,

    /// <summary>Moderate: Kick, accept or reject publish requests; the room's owner is its first admin.</summary>
    Admin = 8,

    /// <summary>Publish into a p2m room, and so into its public LL-HLS stream.</summary>
    P2mPublish = 16,
}

/// <summary>The claim names of <see cref="AccessGrant"/>s, as they appear in a token's <c>grants</c> array.</summary>
public static class AccessGrants
{
    public const string JoinName = "join";
    public const string PublishName = "publish";
    public const string SubscribeName = "subscribe";
    public const string AdminName = "admin";
    public const string P2mPublishName = "p2m-publish";

    /// <summary>Every grant: what a development token holds unless it asks for less.</summary>
    public const AccessGrant Everything =
        AccessGrant.Join | AccessGrant.Publish | AccessGrant.Subscribe | AccessGrant.Admin | AccessGrant.P2mPublish;

    public static readonly IReadOnlyList<(string Name, AccessGrant Grant)> All =
    [
        (JoinName, AccessGrant.Join),
        (PublishName, AccessGrant.Publish),
        (SubscribeName, AccessGrant.Subscribe),
        (AdminName, AccessGrant.Admin),
        (P2mPublishName, AccessGrant.P2mPublish),
    ];

    public static bool TryParseName(string? name, out AccessGrant grant)
    {
        foreach (var (n, g) in All)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                grant = g;
                return true;
            }
        }
        grant = AccessGrant.None;
        return false;
    }

    /// <summary>Parses "join,publish" or "join publish"; false names the first unknown grant.</summary>
    public static bool TryParseList(string? list, out AccessGrant grants, out string? unknown)
    {
        grants = AccessGrant.None;
        unknown = null;
        foreach (
            var part in (list ?? "").Split(
                [',', ' '],
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            )
        )
        {
            if (!TryParseName(part, out var g))
            {
                unknown = part;
                return false;
            }
            grants |= g;
        }
        return true;
    }

    public static IReadOnlyList<string> Names(AccessGrant grants) =>
        [.. All.Where(x => (grants & x.Grant) != 0).Select(x => x.Name)];

    public static string Name(AccessGrant grant) => All.FirstOrDefault(x => x.Grant == grant).Name ?? grant.ToString();
}
