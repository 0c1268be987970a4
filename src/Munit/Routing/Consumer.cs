using MobZ.Munit.Rtp;
using MobZ.Munit.Simulcast;

namespace MobZ.Munit.Routing;

/// <summary>
/// One producer's track as one viewer receives it: its own SSRC, payload type and continuous numbering
/// (<see cref="RtpRewriter"/>), its send stream (counters, retransmission index, sender reports), and the
/// decision which incoming packets it takes (<see cref="Decide"/>).
/// </summary>
public abstract class Consumer
{
    protected Consumer(Producer producer, Subscriber subscriber, uint ssrc, byte payloadType)
    {
        Producer = producer;
        Subscriber = subscriber;
        Ssrc = ssrc;
        PayloadType = payloadType;
        Rewriter = new RtpRewriter(producer.ClockRate);
        Send = new RtpStreamSend(ssrc, producer.ClockRate);
        if (producer.Kind == MediaKind.Video)
            Vp8 = new Vp8Munger();
    }

    public Producer Producer { get; }
    public Subscriber Subscriber { get; }
    public uint Ssrc { get; }
    public byte PayloadType { get; }

    /// <summary>RTX SSRC toward the viewer, 0 when RTX was not negotiated (retransmit on the media SSRC).</summary>
    public uint RtxSsrc { get; init; }
    public byte RtxPayloadType { get; init; }
    public ushort NextRtxSeq { get; set; } = (ushort)Random.Shared.Next(0, 0x8000);

    /// <summary>abs-send-time id in the viewer's session: the Munit stamps its own send time there (viewer-side
    /// REMB).</summary>
    public int AbsSendTimeId { get; init; }

    /// <summary>The mid of this track in the viewer's session (for SDP).</summary>
    public string? Mid { get; init; }
    public RtpRewriter Rewriter { get; }

    /// <summary>VP8 descriptor numbering toward this viewer (video only; used while the producer's codec is
    /// VP8).</summary>
    public Vp8Munger? Vp8 { get; }
    public RtpStreamSend Send { get; }
    public bool Closed { get; set; }

    /// <summary>Layer forwarded now (-1 before the first packet).</summary>
    public abstract int CurrentLayer { get; }
    public virtual int TargetLayer => CurrentLayer;
    public virtual long LayerSwitches => 0;

    /// <summary>The highest layer the viewer's bandwidth allows for this track (-1: not decided, or not
    /// simulcast).</summary>
    public virtual int CeilingLayer => -1;

    /// <summary>This track's share of the viewer's bandwidth (0: no cap).</summary>
    public virtual long BandwidthShareBps => 0;

    /// <summary>The ceiling last logged (the tick logs a change).</summary>
    public int LoggedCeilingLayer { get; set; } = -1;

    /// <summary>Generation of the source layer that was forwarded last (to map a NACK back to the right
    /// cache).</summary>
    public int CurrentGeneration { get; protected set; } = -1;

    /// <summary>The next packet forwarded comes from a new source (layer switch, publisher restart): every number
    /// space the viewer sees continues from where it was.</summary>
    public void Resync()
    {
        Rewriter.RequestResync();
        Vp8?.RequestResync();
    }

    /// <summary>Which packets of the producer this viewer gets; called on the packet path for every packet.</summary>
    public abstract LayerDecision Decide(int layer, int generation, bool keyFrameStart, long nowMs);

    /// <summary>Start over at the next key frame (the viewer's connection just came up).</summary>
    public abstract void RequireSync(long nowMs);

    /// <summary>Periodic work (layer choice); called every few tens of milliseconds.</summary>
    public virtual void Tick(long nowMs) { }

    /// <summary>What this track needs at the layer the viewer asked for, bandwidth aside (bit/s): what probing aims
    /// for.</summary>
    public virtual long WantedBitrate(long nowMs)
    {
        int layer = CurrentLayer >= 0 ? CurrentLayer : 0;
        return layer < Producer.Layers.Length ? Producer.Bitrate(layer, nowMs) : 0;
    }

    /// <summary>The layer the viewer's <see cref="StreamAllocator"/> gave this track (-1: none, or not
    /// capped).</summary>
    public int AllocatedLayer { get; set; } = -1;

    /// <summary>Why the track is at <see cref="AllocatedLayer"/>.</summary>
    public StreamAllocator.Reason AllocationReason { get; set; }

    /// <summary>Not even the track's lowest layer fits the viewer's estimate: nothing of it is forwarded.</summary>
    public bool Paused { get; private set; }

    /// <summary>Since when the track's lowest layer has not fitted the viewer's estimate (-1: it fits).</summary>
    public long UnfitSinceMs { get; set; } = -1;

    /// <summary>Times the track was paused (stats).</summary>
    public long Pauses { get; private set; }

    /// <summary>Whether <see cref="Paused"/> was last logged on (the tick logs a change).</summary>
    public bool LoggedPaused { get; set; }

    /// <summary>Pauses the track or resumes it (then from a key frame, so the viewer's decoder restarts
    /// cleanly).</summary>
    public void SetPaused(bool paused, long nowMs)
    {
        if (paused == Paused)
            return;
        Paused = paused;
        if (paused)
            Pauses++;
        else
            RequireSync(nowMs);
    }

    /// <summary>The lowest layer the allocator can give this track (-1: nothing flows).</summary>
    public virtual int LowestLayer(long nowMs) => Producer.IsActive(LayerOrFirst, nowMs) ? LayerOrFirst : -1;

    /// <summary>The next layer above <paramref name="layer"/> toward the viewer's choice (-1: none).</summary>
    public virtual int NextLayerUp(int layer, long nowMs) => -1;

    /// <summary>What forwarding <paramref name="layer"/> takes, bit/s (with the headroom a switch up needs).</summary>
    public virtual long LayerNeed(int layer, long nowMs) => Producer.Bitrate(layer, nowMs);

    private int LayerOrFirst => CurrentLayer >= 0 ? CurrentLayer : 0;

    /// <summary>The viewer's share of its bandwidth estimate for this track.</summary>
    public virtual void SetBandwidth(long bps) { }

    /// <summary>The viewer's layer preference (SimulcastUpdate); ignored by non-simulcast consumers.</summary>
    public virtual void SetPreferredLayer(int layer) { }

    /// <summary>The viewer asked for a keyframe (PLI/FIR): ask the publisher, through the throttle.</summary>
    public void RequestKeyFrame(long nowMs)
    {
        Send.KeyFrameRequestsReceived++;
        int layer = TargetLayer >= 0 ? TargetLayer : CurrentLayer;
        if (layer < 0)
            layer = Producer.Layers.Length - 1;
        uint ssrc = Producer.Layers[layer].Ssrc;
        if (ssrc != 0)
            Producer.KeyFrames.KeyFrameNeeded(ssrc, nowMs);
    }

    protected void RequestKeyFrameFor(int layer, long nowMs)
    {
        if (layer < 0)
            return;
        uint ssrc = Producer.Layers[layer].Ssrc;
        if (ssrc != 0)
            Producer.KeyFrames.KeyFrameNeeded(ssrc, nowMs);
    }
}
