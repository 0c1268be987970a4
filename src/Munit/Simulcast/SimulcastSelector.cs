namespace MobZ.Munit.Simulcast;

/// <summary>What a simulcast consumer does with one incoming packet.</summary>
public enum LayerDecision : byte
{
    /// <summary>Not the layer this viewer gets.</summary>
    Drop,

    /// <summary>Forward on the current layer.</summary>
    Forward,

    /// <summary>A keyframe of the target layer: switch to it (re-base the numbering) and forward.</summary>
    SwitchAndForward,
}

/// <summary>
/// One viewer's choice among a publisher's simulcast layers (Janus's <c>substream</c> + <c>fallback</c>,
/// mediasoup's SimulcastConsumer):
/// <list type="bullet">
/// <item><b>preferred</b> — what the viewer asked for (SimulcastUpdate);</item>
/// <item><b>ceiling</b> — the highest layer the viewer's bandwidth estimate (REMB, when it negotiated REMB)
/// carries;</item>
/// <item><b>fallback</b> — a layer the publisher stopped sending is not a target; the selector goes down
/// to the best layer still flowing (or up, if nothing below flows);</item>
/// <item><b>switch on keyframe only</b> — the current layer keeps flowing until a keyframe of the target
/// arrives, so the viewer's decoder never gets a delta frame it has no reference for.</item>
/// </list>
/// The owner asks the publisher for that keyframe when <see cref="Update"/> reports a new target.
/// </summary>
public sealed class SimulcastSelector
{
    /// <summary>Headroom the estimate must exceed a layer's bitrate by before going up to it.</summary>
    public const double UpgradeHeadroom = 1.15;

    private readonly ILayerSource _layers;
    private long _bandwidthBps = long.MaxValue;

    public SimulcastSelector(ILayerSource layers)
    {
        _layers = layers;
        Preferred = layers.LayerCount - 1;
    }

    /// <summary>Layer the viewer asked for; defaults to the highest.</summary>
    public int Preferred { get; private set; }

    /// <summary>Layer currently forwarded, -1 before the first keyframe.</summary>
    public int Current { get; private set; } = -1;

    /// <summary>Layer being switched to (equals <see cref="Current"/> when settled), -1 when nothing flows.</summary>
    public int Target { get; private set; } = -1;

    /// <summary>Layer switches done (stats).</summary>
    public long Switches { get; private set; }

    public void SetPreferred(int layer) => Preferred = Math.Clamp(layer, 0, _layers.LayerCount - 1);

    /// <summary>The viewer's available bandwidth for this stream, in bits per second.</summary>
    public void SetBandwidth(long bps) => _bandwidthBps = bps <= 0 ? long.MaxValue : bps;

    public long Bandwidth => _bandwidthBps;

    /// <summary>The highest layer at or below the preference that the bandwidth allows (-1 before the first
    /// update).</summary>
    public int Ceiling { get; private set; } = -1;

    /// <summary>
    /// Recomputes the target from preference, bandwidth and which layers flow.
    /// </summary>
    /// <returns>true when the target changed to a layer other than the current one (ask for its keyframe).</returns>
    public bool Update(long nowMs)
    {
        int target = ChooseTarget(nowMs);
        if (target == Target)
            return false;
        Target = target;
        return target >= 0 && target != Current;
    }

    /// <summary>Decides for one packet of <paramref name="layer"/>.</summary>
    public LayerDecision OnPacket(int layer, bool keyFrameStart)
    {
        if (layer == Target && layer != Current)
        {
            if (!keyFrameStart)
                return LayerDecision.Drop;
            Current = layer;
            Switches++;
            return LayerDecision.SwitchAndForward;
        }
        return layer == Current ? LayerDecision.Forward : LayerDecision.Drop;
    }

    /// <summary>The current layer's source restarted: forward nothing until a keyframe of the target.</summary>
    public void ResetCurrent()
    {
        Current = -1;
    }

    /// <summary>
    /// What this viewer's choice needs, bandwidth aside: the bitrate of the best flowing layer at or below the
    /// preference, with the headroom going up to it takes (0 when nothing flows).
    /// </summary>
    public long WantedBitrate(long nowMs)
    {
        for (int l = Math.Min(Preferred, _layers.LayerCount - 1); l >= 0; l--)
        {
            if (!_layers.IsActive(l, nowMs))
                continue;
            long bitrate = _layers.Bitrate(l, nowMs);
            return Current >= 0 && l > Current ? (long)(bitrate * UpgradeHeadroom) : bitrate;
        }

        return 0;
    }

    /// <summary>The lowest flowing layer (-1: none flows).</summary>
    public int LowestLayer(long nowMs)
    {
        for (int l = 0; l < _layers.LayerCount; l++)
        {
            if (_layers.IsActive(l, nowMs))
                return l;
        }

        return -1;
    }

    /// <summary>The next flowing layer above <paramref name="layer"/>, at most the preferred one (-1: none).</summary>
    public int NextLayerUp(int layer, long nowMs)
    {
        for (int l = layer + 1; l <= Math.Min(Preferred, _layers.LayerCount - 1); l++)
        {
            if (_layers.IsActive(l, nowMs))
                return l;
        }

        return -1;
    }

    /// <summary>What forwarding <paramref name="layer"/> needs: its bitrate, with the headroom going up to it
    /// takes.</summary>
    public long Need(int layer, long nowMs)
    {
        long bitrate = _layers.Bitrate(layer, nowMs);
        return Current >= 0 && layer > Current ? (long)(bitrate * UpgradeHeadroom) : bitrate;
    }

    private int ChooseTarget(long nowMs)
    {
        int count = _layers.LayerCount;
        int wanted = Math.Min(Preferred, count - 1);

        // Bandwidth ceiling: the highest layer at or below the preference that fits; going up needs headroom
        // so an estimate hovering at a layer's bitrate does not flap between two layers.
        int ceiling = 0;
        for (int l = wanted; l >= 0; l--)
        {
            long bitrate = _layers.Bitrate(l, nowMs);
            double needed = Current >= 0 && l > Current ? bitrate * UpgradeHeadroom : bitrate;
            if (bitrate == 0 || needed <= _bandwidthBps)
            {
                ceiling = l;
                break;
            }
        }
        Ceiling = ceiling;

        // Fallback: the best layer still flowing at or below the ceiling, else the lowest flowing above it.
        for (int l = ceiling; l >= 0; l--)
        {
            if (_layers.IsActive(l, nowMs))
                return l;
        }

        for (int l = ceiling + 1; l < count; l++)
        {
            if (_layers.IsActive(l, nowMs))
                return l;
        }

        return -1;
    }
}
