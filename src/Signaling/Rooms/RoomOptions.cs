using MobZ.Signaling.Abstractions.Turn;

namespace MobZ.Signaling.Rooms;

/// <summary>Limits and timings of MobZ rooms. Bound from configuration section "MobZ:Rooms".</summary>
public sealed class RoomOptions
{
    public const string SectionName = "MobZ:Rooms";

    /// <summary>Publishers (stations) an m2m room holds.</summary>
    public int MaxM2mPublishers { get; set; } = 9;

    /// <summary>Viewers an m2m room holds.</summary>
    public int MaxM2mViewers { get; set; } = 200;

    /// <summary>Viewers a p2m room holds (they watch HLS, so the limit is about signaling fan-out).</summary>
    public int MaxP2mViewers { get; set; } = 5000;

    /// <summary>Handed to every client in JoinAck.</summary>
    public List<IceServer> IceServers { get; set; } = [];

    /// <summary>A TURN server for clients whose network blocks UDP to the Munits: each JoinAck carries credentials of
    /// its own for it, valid for <see cref="TurnOptions.CredentialLifetime"/>.</summary>
    public TurnOptions Turn { get; set; } = new();

    /// <summary>Base of the LL-HLS playback URL p2m viewers get: {HlsBaseUrl}/{roomId}/index.m3u8, or with a playback
    /// token {HlsBaseUrl}/{roomId}/t/{token}/index.m3u8.</summary>
    public string HlsBaseUrl { get; set; } = "/hls";

    /// <summary>How long the playback token in a p2m viewer's URL is valid (when MobZ:Access:HmacSecret is set): the
    /// longest a viewer watches before it must join again for a new URL.</summary>
    public TimeSpan PlaybackTokenLifetime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often clients are told to send Heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection with no Heartbeat for this long is treated as gone.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Period of the local sweep service (on AWS a scheduled Lambda calls the sweep instead).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the hosted sweep service runs in this process (false in a Lambda).</summary>
    public bool RunSweepService { get; set; } = true;

    /// <summary>Whether this process listens for station moves (Regulators announce them on Redis) and tells the
    /// rooms' clients (false in a Lambda, which cannot hold a subscription).</summary>
    public bool RunMoveRelay { get; set; } = true;

    /// <summary>Placement: what one running station adds to a Munit's reported load (0–1) when a new station is
    /// placed. 0.05 makes twenty stations weigh as much as a fully busy CPU.</summary>
    public double PlacementStationWeight { get; set; } = 0.05;

    /// <summary>
    /// Development only: the first joiner of a room owns it and may Kick and accept publishers without the admin
    /// grant, and ownership passes to anyone (the behaviour before access tokens). Off: ownership comes from the grant.
    /// </summary>
    public bool FirstJoinerIsOwner { get; set; }

    /// <summary>How long a handler waits for a Munit's MediaResponse.</summary>
    public TimeSpan MediaRequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest client message accepted; bigger ones get MESSAGE_TOO_LARGE.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Longest one post to one connection may take; a member slower than this is a slow consumer and is skipped,
    /// so a room's fan-out never waits on one member (the invocation itself may run 29 s).
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

public sealed record IceServer
{
    public List<string> Urls { get; set; } = [];
    public string? Username { get; set; }
    public string? Credential { get; set; }
}
