using MobZ.Munit.Stats;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Rtp;

/// <summary>
/// Send side of one outgoing stream (one consumer toward one viewer): counters, the retransmission index
/// that maps an output sequence number back to the cached input packet, the numbers of the sender report,
/// and what the viewer's receiver reports say (loss, RTT).
/// </summary>
public sealed class RtpStreamSend
{
    public const int IndexCapacity = 1024; // power of two; ≥ the packet cache so every cached packet is findable

    private readonly Sent[] _index = new Sent[IndexCapacity];

    /// <summary>What was sent under one output sequence number.</summary>
    public struct Sent
    {
        public ushort OutputSeq;
        public ushort InputSeq;
        public byte Layer;
        public bool Valid;
        public int Generation;
        public uint TimestampOffset;

        /// <summary>The VP8 descriptor numbers it went out with, when <see cref="Vp8Munged"/>.</summary>
        public Vp8Numbers Vp8;
        public bool Vp8Munged;
    }

    public RtpStreamSend(uint ssrc, uint clockRate)
    {
        Ssrc = ssrc;
        ClockRate = clockRate;
    }

    public uint Ssrc { get; }
    public uint ClockRate { get; }

    public long PacketsSent { get; private set; }
    public BitrateMeter Bitrate { get; } = new();
    public long BytesSent { get; private set; }

    /// <summary>RTP payload octets (the SR's octet count excludes headers, RFC 3550 §6.4.1).</summary>
    public long PayloadBytesSent { get; private set; }
    public long Retransmitted { get; private set; }
    public long NacksReceived { get; set; }
    public long NackedPacketsMissing { get; set; }
    public long KeyFrameRequestsReceived { get; set; }

    public uint LastOutputTimestamp { get; private set; }
    public long LastSentMs { get; private set; }
    public bool HasSent => PacketsSent > 0;

    public byte FractionLost { get; private set; }
    public int CumulativeLost { get; private set; }
    public uint Jitter { get; private set; }
    public long? RoundTripMs { get; private set; }

    public void OnSent(
        ushort outputSeq,
        uint outputTs,
        ushort inputSeq,
        int layer,
        int generation,
        uint tsOffset,
        int size,
        int payloadSize,
        long nowMs,
        Vp8Numbers? vp8 = null
    )
    {
        PacketsSent++;
        BytesSent += size;
        PayloadBytesSent += payloadSize;
        Bitrate.Add(size, nowMs);
        LastOutputTimestamp = outputTs;
        LastSentMs = nowMs;
        ref Sent e = ref _index[outputSeq & (IndexCapacity - 1)];
        e.OutputSeq = outputSeq;
        e.InputSeq = inputSeq;
        e.Layer = (byte)layer;
        e.Generation = generation;
        e.TimestampOffset = tsOffset;
        e.Vp8 = vp8.GetValueOrDefault();
        e.Vp8Munged = vp8.HasValue;
        e.Valid = true;
    }

    public void OnRetransmitted(int size)
    {
        Retransmitted++;
        BytesSent += size;
    }

    public bool TryFind(ushort outputSeq, out Sent sent)
    {
        sent = _index[outputSeq & (IndexCapacity - 1)];
        return sent.Valid && sent.OutputSeq == outputSeq;
    }

    /// <summary>
    /// The sender report for "now". With the publisher's own sender report for the source layer, the RTP time
    /// is extrapolated from it (so audio and video of one publisher stay in sync for the viewer); without one,
    /// from the last packet sent.
    /// </summary>
    /// <param name="sourceSrRtp">publisher's SR RTP timestamp, already mapped into this stream's output
    /// timeline.</param>
    /// <param name="sourceSrArrivalMs">when that SR arrived (monotonic ms), 0 when there is none.</param>
    public SenderInfo BuildSenderInfo(ulong ntpNow, long nowMs, uint sourceSrRtp, long sourceSrArrivalMs)
    {
        uint rtp =
            sourceSrArrivalMs != 0
                ? sourceSrRtp + (uint)((nowMs - sourceSrArrivalMs) * ClockRate / 1000)
                : LastOutputTimestamp + (uint)((nowMs - LastSentMs) * ClockRate / 1000);
        return new SenderInfo(Ssrc, ntpNow, rtp, (uint)PacketsSent, (uint)PayloadBytesSent);
    }

    /// <summary>A viewer's report block about this stream.</summary>
    /// <param name="arrivalNtpMiddle32">our NTP clock when the block arrived, compact form.</param>
    public void OnReceiverReport(in ReportBlock block, uint arrivalNtpMiddle32)
    {
        FractionLost = block.FractionLost;
        CumulativeLost = block.CumulativeLost;
        Jitter = block.Jitter;
        var rtt = ReportMath.RoundTripTime(
            arrivalNtpMiddle32,
            block.LastSenderReport,
            block.DelaySinceLastSenderReport
        );
        if (rtt is { } t)
            RoundTripMs = (long)t.TotalMilliseconds;
    }
}

/// <summary>The numbers of an RTCP sender report's sender info (RFC 3550 §6.4.1).</summary>
public readonly record struct SenderInfo(
    uint Ssrc,
    ulong NtpTimestamp,
    uint RtpTimestamp,
    uint PacketCount,
    uint OctetCount
);
