namespace MobZ.Rtc.Rtcp;

/// <summary>Per-packet symbols of transport-wide congestion control feedback.</summary>
public enum TransportCcStatus : byte
{
    NotReceived = 0,

    /// <summary>Received; delta fits one unsigned byte of 250 µs ticks (0 – 63.75 ms).</summary>
    ReceivedSmallDelta = 1,

    /// <summary>Received; delta is a signed 16-bit count of 250 µs ticks (negative or larger).</summary>
    ReceivedLargeDelta = 2,
}

/// <summary>One packet's entry in a feedback message.</summary>
/// <param name="DeltaTicks">Receive delta in 250 µs ticks relative to the previous received packet (0 when not
/// received).</param>
/// <param name="ArrivalMicroseconds">Reference time plus all deltas so far, in the receiver's clock; 0 when not
/// received.</param>
public readonly record struct TransportCcPacketResult(
    ushort SequenceNumber,
    TransportCcStatus Status,
    int DeltaTicks,
    long ArrivalMicroseconds
)
{
    public bool Received => Status != TransportCcStatus.NotReceived;
}

/// <summary>A packet the receiver saw: its transport-wide sequence number and arrival time in microseconds.</summary>
public readonly record struct TransportCcArrival(ushort SequenceNumber, long ArrivalMicroseconds);
