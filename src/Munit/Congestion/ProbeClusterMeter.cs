namespace MobZ.Munit.Congestion;

/// <summary>
/// What a viewer's transport-cc feedback says about a probe cluster (every packet sent to the viewer while a
/// <see cref="Prober"/> cluster was on: media and padding): the rate it left at and the rate it arrived at. A link
/// with room delivers the cluster at the rate it was sent; a link without spreads it out, and the arrival rate is
/// what the link carries (packet-train dispersion, as libwebrtc's probe estimator reads it). Fixed memory: the
/// last <see cref="Slots"/> clusters; allocation-free.
/// </summary>
public sealed class ProbeClusterMeter
{
    /// <summary>Clusters tracked at once (a cluster id reuses the slot of the id this many before it).</summary>
    public const int Slots = 4;

    /// <summary>Packets a cluster must have arrived before its rates mean anything.</summary>
    public const int MinPackets = 5;

    /// <summary>How long after its last packet a cluster waits for feedback about most of its packets before it is
    /// judged on what did arrive.</summary>
    public const long SettleMs = 1000;

    // Arrival under this fraction of the send rate means the link is full: take a little less than the arrival rate.
    private const double SaturatedRatio = 0.9;
    private const double SaturatedUse = 0.95;

    private readonly Cluster[] _clusters = new Cluster[Slots];

    private struct Cluster
    {
        public int Id;
        public int Sent;
        public bool Ended;
        public bool Judged;
        public long EndedMs;
        public int Received;
        public long ReceivedBytes;
        public long FirstSendUs;
        public long LastSendUs;
        public int LastSendSize;
        public long FirstArrivalUs;
        public int FirstArrivalSize;
        public long LastArrivalUs;
    }

    /// <summary>A packet of <paramref name="cluster"/> left (numbered for transport-cc).</summary>
    public void OnSent(int cluster)
    {
        ref var c = ref Slot(cluster, reset: true);
        c.Sent++;
    }

    /// <summary>The cluster's sending is over; its result is due once feedback about it is in.</summary>
    public void End(int cluster, long nowMs)
    {
        ref var c = ref Slot(cluster, reset: false);
        if (c.Id != cluster || c.Ended)
            return;
        c.Ended = true;
        c.EndedMs = nowMs;
    }

    /// <summary>The viewer reports a packet of <paramref name="cluster"/> arrived (each packet once).</summary>
    public void OnReceived(int cluster, long sendMicroseconds, long arrivalMicroseconds, int size)
    {
        ref var c = ref Slot(cluster, reset: false);
        if (c.Id != cluster || c.Judged)
            return;
        if (c.Received == 0)
        {
            c.FirstSendUs = c.LastSendUs = sendMicroseconds;
            c.FirstArrivalUs = c.LastArrivalUs = arrivalMicroseconds;
            c.LastSendSize = c.FirstArrivalSize = size;
        }
        else
        {
            c.FirstSendUs = Math.Min(c.FirstSendUs, sendMicroseconds);
            if (sendMicroseconds >= c.LastSendUs)
            {
                c.LastSendUs = sendMicroseconds;
                c.LastSendSize = size;
            }
            if (arrivalMicroseconds < c.FirstArrivalUs)
            {
                c.FirstArrivalUs = arrivalMicroseconds;
                c.FirstArrivalSize = size;
            }
            c.LastArrivalUs = Math.Max(c.LastArrivalUs, arrivalMicroseconds);
        }
        c.Received++;
        c.ReceivedBytes += size;
    }

    /// <summary>
    /// A cluster whose result is in: most of its packets reported, or <see cref="SettleMs"/> past its end. The
    /// result is the lower of the send and arrival rates (a little under the arrival rate when that is well below
    /// the send rate: the link was full); 0 when too few packets arrived to say anything (the probe failed).
    /// </summary>
    public bool TryTakeResult(long nowMs, out int cluster, out long bitsPerSecond)
    {
        for (int i = 0; i < Slots; i++)
        {
            ref var c = ref _clusters[i];
            if (c.Id == 0 || !c.Ended || c.Judged)
                continue;
            bool reported = c.Received * 10 >= c.Sent * 8 && c.Received >= MinPackets;
            if (!reported && nowMs - c.EndedMs < SettleMs)
                continue;
            c.Judged = true;
            cluster = c.Id;
            bitsPerSecond = Rate(c);
            return true;
        }

        cluster = 0;
        bitsPerSecond = 0;
        return false;
    }

    private static long Rate(in Cluster c)
    {
        long sendInterval = c.LastSendUs - c.FirstSendUs;
        long arrivalInterval = c.LastArrivalUs - c.FirstArrivalUs;
        if (c.Received < MinPackets || sendInterval <= 0 || arrivalInterval <= 0)
            return 0;
        // Each interval spans all but one packet's worth of bytes: the last sent, and the first to arrive.
        double sendBps = (c.ReceivedBytes - c.LastSendSize) * 8e6 / sendInterval;
        double arrivalBps = (c.ReceivedBytes - c.FirstArrivalSize) * 8e6 / arrivalInterval;
        if (arrivalBps < SaturatedRatio * sendBps)
            return (long)(SaturatedUse * arrivalBps);
        return (long)Math.Min(sendBps, arrivalBps);
    }

    private ref Cluster Slot(int cluster, bool reset)
    {
        ref var c = ref _clusters[cluster & (Slots - 1)];
        if (reset && c.Id != cluster)
            c = new Cluster { Id = cluster };
        return ref c;
    }
}
