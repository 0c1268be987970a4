namespace MobZ.Regulator;

/// <summary>Timing and identity of one Regulator (the Munit's id, address and port come from the Munit's
/// options).</summary>
public sealed class RegulatorOptions
{
    /// <summary>How often the registration and heartbeat are refreshed and expired Munits are looked for.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// TTL of the heartbeat key. When it passes without a refresh the Munit counts as gone and its stations
    /// are reassigned; three missed heartbeats by default.
    /// </summary>
    public TimeSpan AliveTtl { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// Ceiling of the heartbeat key's TTL. A Munit whose heartbeats run late stretches its own TTL (interval plus three
    /// times the worst recent lateness, see HeartbeatLiveness) up to this, so a busy machine is not declared dead
    /// while a vanished Munit is still noticed within this long.
    /// </summary>
    public TimeSpan MaxAliveTtl { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the Munit's stations are compared with the store even without a nudge.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Address other components reach the Munit's media port at (the public IP on ECS).</summary>
    public string? AdvertisedAddress { get; set; }
}
