namespace MobZ.Contracts;

/// <summary>
/// Field names of the <see cref="MunitKeys.Info"/> hash. The Regulator writes them; signaling reads
/// <see cref="Draining"/> when it picks a Munit for a new station. Values are invariant-culture text,
/// booleans as "true"/"false". The same names as <see cref="MunitRegistration"/>'s JSON form.
/// </summary>
public static class MunitInfoFields
{
    public const string MunitId = "munitId";
    public const string Address = "address";
    public const string Port = "port";
    public const string Capacity = "capacity";
    public const string Load = "load";
    public const string Draining = "draining";
    public const string Stations = "stations";
    public const string Subscribers = "subscribers";

    /// <summary>Each media worker's load, comma-separated <c>index:port:cpu:stations:peers</c> (cpu: the worker
    /// thread's share of one core, 0–1); empty for a Munit without workers.</summary>
    public const string Workers = "workers";

    /// <summary>
    /// The lease epoch: a fresh value each time the Munit registers. Its heartbeats and hand-overs are conditional
    /// on it, so a Munit declared dead (Info deleted by the move) or replaced cannot write itself back by accident.
    /// </summary>
    public const string Epoch = "epoch";
}

/// <summary>
/// Field names of the <see cref="MunitKeys.Station"/> hash. Signaling writes the whole hash in the same
/// atomic commit that adds the station id to <see cref="MunitKeys.Stations"/>, before it publishes the
/// <see cref="AssignSignal"/>; on Unassign it deletes both in one commit, then publishes.
/// </summary>
public static class StationFields
{
    public const string Munit = "munit";
    public const string Room = "room";
    public const string Publisher = "publisher";
    public const string RoomKind = "roomKind";

    /// <summary>"true" when the station also feeds the HLS packager (p2m).</summary>
    public const string Hls = "hls";
}
