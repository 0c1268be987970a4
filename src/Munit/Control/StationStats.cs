namespace MobZ.Munit.Control;

/// <summary>Counters of one station (publisher side and the sum over its viewers).</summary>
public sealed record StationStats(
    string StationId,
    bool HasPublisher,
    int Subscribers,
    long PacketsIn,
    long BytesIn,
    long PacketsOut,
    long BytesOut,
    long IncomingBitsPerSecond,
    long OutgoingBitsPerSecond,
    long PacketsLostUpstream,
    long NacksReceived,
    long NacksSentUpstream,
    long KeyFrameRequestsAsked,
    long KeyFrameRequestsSent
)
{
    public IReadOnlyList<SubscriberStats> SubscriberDetails { get; init; } = [];

    public static StationStats Empty(string stationId) => new(stationId, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>Counters of one viewer of a station.</summary>
public sealed record SubscriberStats(
    string PeerId,
    long PacketsSent,
    long BytesSent,
    int Layer,
    int TargetLayer,
    long LayerSwitches,
    long NacksReceived,
    long Retransmitted,
    long KeyFrameRequests,
    byte FractionLost,
    long BandwidthEstimateBps,
    long? RoundTripMs
)
{
    /// <summary>REMB packets the viewer sent, including those not taken as an estimate (REMB not negotiated).</summary>
    public long RembReceived { get; init; }

    /// <summary>Where <c>BandwidthEstimateBps</c> comes from: "transport-cc" (the Munit's send-side estimate from the
    /// viewer's feedback; 0 until the path showed congestion), "remb" (the viewer's own), or null (none).</summary>
    public string? BandwidthSource { get; init; }

    /// <summary>Transport-cc feedback messages the viewer sent that the estimate took, and the estimate's halves
    /// (bit/s, 0: none) and the bitrate the viewer acknowledged over the last second.</summary>
    public long TransportCcFeedback { get; init; }
    public long DelayBasedEstimateBps { get; init; }
    public long LossBasedEstimateBps { get; init; }
    public long AcknowledgedBps { get; init; }

    /// <summary>Probe clusters toward the viewer (started, carried by its link), the last one's measured rate (bit/s,
    /// 0: none or not carried) and the bitrate its tracks want at the layers it asked for.</summary>
    public long ProbeClusters { get; init; }
    public long ProbesSucceeded { get; init; }
    public long LastProbeBps { get; init; }
    public long WantedBps { get; init; }

    /// <summary>Why the viewer's video is at its layer: "uncapped" (no estimate), "preferred" (its choice fits),
    /// "bandwidth" (a higher layer would not fit) or "paused" (not even the lowest fits; nothing is
    /// forwarded).</summary>
    public string? LayerReason { get; init; }

    /// <summary>Times the viewer's video of this station was paused for bandwidth.</summary>
    public long Pauses { get; init; }
}
