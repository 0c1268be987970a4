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
}
