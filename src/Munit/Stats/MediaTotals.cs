using MobZ.Munit.Routing;

namespace MobZ.Munit.Stats;

/// <summary>
/// Running totals of one media engine since it started, for the metrics endpoint. Per-station and per-viewer
/// counters vanish with their station or viewer; these only grow, as a Prometheus counter must. Written on the
/// packet path under the engine's lock (plain increments), read without it by the metrics collector: a read
/// may lag by a packet, never tear (64-bit fields).
/// </summary>
public sealed class MediaTotals
{
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];

    /// <summary>RTP packets handed to viewers' transports (after fan-out), and their bytes.</summary>
    public long ForwardedPackets;
    public long ForwardedBytes;

    /// <summary>Viewers' NACK feedback packets received, and packets sent again for them (as RTX when
    /// negotiated).</summary>
    public long NacksReceived;
    public long Retransmitted;

    /// <summary>NACK feedback packets the Munit sent to publishers for packets it lost upstream.</summary>
    public long NacksSent;

    /// <summary>Keyframe requests (PLI/FIR) from viewers, and PLIs (FIRs to a publisher that negotiated only FIR) sent
    /// after the throttle.</summary>
    public long KeyFrameRequestsReceived;
    public long KeyFrameRequestsSent;

    /// <summary>Transport-cc feedback messages sent to publishers that negotiated it.</summary>
    public long TransportCcFeedbackSent;

    /// <summary>Transport-cc feedback messages from viewers taken for their estimate, and those dropped as
    /// malformed.</summary>
    public long ViewerTransportCcFeedback;
    public long ViewerTransportCcFeedbackMalformed;

    /// <summary>The Munit's send-side estimates of its viewers that negotiated transport-cc and have one (bit/s),
    /// summed, and how many viewers that is.</summary>
    public long ViewerEstimate;
    public long ViewersEstimated;

    /// <summary>A viewer's send-side estimate went from <paramref name="before"/> to <paramref name="after"/> (0:
    /// none).</summary>
    public void ViewerEstimateChanged(long before, long after)
    {
        ViewerEstimate += after - before;
        ViewersEstimated += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
    }

    /// <summary>REMB messages sent to publishers, and the sum of the latest estimate sent to each publisher the
    /// Munit estimates for (bit/s; those with transport-cc estimate for themselves).</summary>
    public long RembSent;
    public long RembEstimate;

    /// <summary>Probe clusters toward viewers: started, carried by the link, not carried; padding bytes sent for
    /// them.</summary>
    public long ProbeClusters;
    public long ProbesSucceeded;
    public long ProbesFailed;
    public long ProbePaddingBytes;

    /// <summary>Viewers' video tracks paused because not even their lowest layer fitted the viewer's
    /// estimate.</summary>
    public long TrackPauses;

    /// <summary>A viewer's consumer moved to another simulcast layer.</summary>
    public long LayerSwitches;

    public void Drop(DropReason reason) => _drops[(int)reason]++;

    public long Drops(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);
}
