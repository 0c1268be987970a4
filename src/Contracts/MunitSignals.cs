using System.Text.Json.Serialization;

namespace MobZ.Contracts;

/// <summary>
/// The contract between signaling and a Munit's Regulator. Orders travel on pub/sub, but each order's
/// intent is also written to the store first (see <see cref="MunitKeys"/>), so a Regulator that missed a
/// message reconciles from the keys. Every message carries <see cref="Version"/>; a receiver drops (and logs)
/// versions it does not know.
/// </summary>
[JsonPolymorphic(
    TypeDiscriminatorPropertyName = "type",
    UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization
)]
[JsonDerivedType(typeof(AssignSignal), "assign")]
[JsonDerivedType(typeof(UnassignSignal), "unassign")]
[JsonDerivedType(typeof(DrainSignal), "drain")]
[JsonDerivedType(typeof(ReviveSignal), "revive")]
[JsonDerivedType(typeof(StopSignal), "stop")]
[JsonDerivedType(typeof(MediaRequest), "media")]
[JsonDerivedType(typeof(PeerGoneSignal), "peerGone")]
public abstract record MunitSignal
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")]
    public int Version { get; init; } = CurrentVersion;
}

/// <summary>Create a station (one publisher) on the receiving Munit.</summary>
public sealed record AssignSignal(
    [property: JsonPropertyName("stationId")] string StationId,
    [property: JsonPropertyName("roomId")] string RoomId,
    [property: JsonPropertyName("publisherId")] string PublisherId,
    [property: JsonPropertyName("roomKind")] string RoomKind,
    /// <summary>true for p2m: the station also feeds the HLS packager.</summary>
    [property: JsonPropertyName("hls")] bool Hls
) : MunitSignal;

/// <summary>Close a station and all of its subscribers.</summary>
public sealed record UnassignSignal([property: JsonPropertyName("stationId")] string StationId) : MunitSignal;

/// <summary>
/// Accept no new stations; finish existing ones; report drained through the registry. With
/// <see cref="DeadlineSeconds"/>, the stations still on the Munit when that many seconds have passed are handed
/// over to other Munits (the same hand-over as a Stop, so their clients are told with StationMoved) and the Munit
/// stays registered, draining and empty. The deadline is a duration counted from when the Regulator takes the
/// order, so the clocks of signaling and the Munit need not agree; a later Drain order replaces it (without a
/// deadline: none), a Revive cancels it.
/// </summary>
public sealed record DrainSignal : MunitSignal
{
    /// <summary>The longest a drain may take, 0 to <see cref="MaxDeadlineSeconds"/>; null waits for the stations to
    /// end.</summary>
    [JsonPropertyName("deadlineSeconds")]
    public double? DeadlineSeconds { get; init; }

    /// <summary>A day: longer than any drain an operator waits for, short enough that a typo (ms for s) is
    /// refused.</summary>
    public const double MaxDeadlineSeconds = 86_400;

    /// <summary>Whether <paramref name="seconds"/> is a deadline a Drain order may carry.</summary>
    public static bool IsValidDeadline(double seconds) =>
        double.IsFinite(seconds) && seconds is >= 0 and <= MaxDeadlineSeconds;
}

/// <summary>Accept new stations again after a drain.</summary>
public sealed record ReviveSignal : MunitSignal;

/// <summary>Graceful shutdown of the Munit process.</summary>
public sealed record StopSignal : MunitSignal;

/// <summary>
/// Broadcast when signaling finds it has no record of a live connection (the store lost its data): the client is
/// told to reconnect and join again under a new connection id, so every Munit closes the stations this peer
/// publishes (deleting their keys, so no orphan outlives the rejoin) and drops it as a viewer of every station.
/// </summary>
public sealed record PeerGoneSignal([property: JsonPropertyName("peerId")] string PeerId) : MunitSignal;

/// <summary>
/// A request from signaling that needs an answer from the Munit (SDP work, candidates, layer choice).
/// The Regulator publishes a <see cref="MediaResponse"/> on <see cref="ReplyTo"/>; the requester subscribes
/// to that channel before publishing and gives up after its own timeout. An empty <see cref="ReplyTo"/>
/// means nobody waits for the answer (signaling sends <see cref="MediaOps.Leave"/> that way); the Regulator
/// then publishes nothing. <see cref="PeerId"/> is the signaling connection id of the publisher or viewer.
/// </summary>
public sealed record MediaRequest(
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("replyTo")] string ReplyTo,
    [property: JsonPropertyName("op")] string Op,
    [property: JsonPropertyName("stationId")] string StationId,
    [property: JsonPropertyName("peerId")] string PeerId
) : MunitSignal
{
    [JsonPropertyName("sdp")]
    public string? Sdp { get; init; }

    [JsonPropertyName("candidate")]
    public string? Candidate { get; init; }

    [JsonPropertyName("sdpMid")]
    public string? SdpMid { get; init; }

    [JsonPropertyName("sdpMLineIndex")]
    public int? SdpMLineIndex { get; init; }

    /// <summary>Simulcast layer (rid or spatial index as text) for <see cref="MediaOps.Simulcast"/>.</summary>
    [JsonPropertyName("layer")]
    public string? Layer { get; init; }
}

/// <summary>The operations a <see cref="MediaRequest"/> names.</summary>
public static class MediaOps
{
    /// <summary>Publisher's offer → Munit's answer (sdp).</summary>
    public const string Publish = "publish";

    /// <summary>Viewer asks to watch a station → Munit's offer (sdp).</summary>
    public const string Watch = "watch";

    /// <summary>Viewer's answer to a Watch offer.</summary>
    public const string Answer = "answer";

    /// <summary>Trickled ICE candidate from a publisher or viewer.</summary>
    public const string Candidate = "candidate";

    /// <summary>Viewer picks a simulcast layer.</summary>
    public const string Simulcast = "simulcast";

    /// <summary>A peer (publisher or viewer) leaves the station.</summary>
    public const string Leave = "leave";
}

public sealed record MediaResponse(
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("ok")] bool Ok
)
{
    [JsonPropertyName("v")]
    public int Version { get; init; } = MunitSignal.CurrentVersion;

    [JsonPropertyName("sdp")]
    public string? Sdp { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }
}

/// <summary>
/// Published on <see cref="MunitKeys.MovesChannel"/> after a Regulator's commit moved stations from one Munit to
/// others (the old Munit died, stopped or handed over). The station hashes already name the new Munits; this
/// only tells signaling, which must tell each room's publisher (offer again) and viewers (watch again).
/// </summary>
public sealed record StationsMovedEvent(
    [property: JsonPropertyName("fromMunitId")] string FromMunitId,
    /// <summary>"expired" (heartbeat lost) or "handover" (the Munit stopped or drained).</summary>
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("moves")] IReadOnlyList<StationMove> Moves
)
{
    public const string Expired = "expired";
    public const string Handover = "handover";

    [JsonPropertyName("v")]
    public int Version { get; init; } = MunitSignal.CurrentVersion;
}

public sealed record StationMove(
    [property: JsonPropertyName("stationId")] string StationId,
    [property: JsonPropertyName("toMunitId")] string ToMunitId
);

/// <summary>
/// Published on <see cref="MunitKeys.PeersChannel"/> when a station's publisher peer ended by itself (an authenticated
/// DTLS close or fatal alert, ICE consent expiry): the station stays, its media stopped until the publisher offers
/// again. <see cref="EventId"/> is unique per loss, so of several signaling nodes exactly one tells the room.
/// </summary>
public sealed record PeerLostEvent(
    [property: JsonPropertyName("eventId")] string EventId,
    [property: JsonPropertyName("munitId")] string MunitId,
    [property: JsonPropertyName("stationId")] string StationId,
    [property: JsonPropertyName("peerId")] string PeerId,
    [property: JsonPropertyName("reason")] string Reason
)
{
    [JsonPropertyName("v")]
    public int Version { get; init; } = MunitSignal.CurrentVersion;
}

/// <summary>
/// Published on <see cref="MunitKeys.RestoredChannel"/> after a Regulator wrote back stations the store had lost
/// (Redis restarted empty). Signaling has lost those publishers' connections too: each one still open is told to
/// rejoin at once, and each one's stations are closed (<see cref="PeerGoneSignal"/>), open or not.
/// </summary>
public sealed record StationsRestoredEvent(
    [property: JsonPropertyName("munitId")] string MunitId,
    [property: JsonPropertyName("publisherIds")] IReadOnlyList<string> PublisherIds
)
{
    [JsonPropertyName("v")]
    public int Version { get; init; } = MunitSignal.CurrentVersion;
}

[JsonSerializable(typeof(MunitSignal))]
[JsonSerializable(typeof(StationsRestoredEvent))]
[JsonSerializable(typeof(PeerLostEvent))]
[JsonSerializable(typeof(StationsMovedEvent))]
[JsonSerializable(typeof(MediaResponse))]
[JsonSerializable(typeof(MunitRegistration))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
