namespace MobZ.Munit.Rtcp;

/// <summary>
/// The numbers of one RTCP reception report block (RFC 3550 §6.4.1), produced by the side that receives a
/// stream and consumed by the side that sends it.
/// </summary>
public readonly record struct ReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSeq,
    uint Jitter,
    uint LastSr,
    uint DelaySinceLastSr);

/// <summary>The numbers of an RTCP sender report's sender info (RFC 3550 §6.4.1).</summary>
public readonly record struct SenderInfo(uint Ssrc, ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount);
