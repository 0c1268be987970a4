using MobZ.Munit.Simulcast;

namespace MobZ.Munit.Routing;

/// <summary>
/// A consumer of a simulcast producer: a <see cref="SimulcastSelector"/> picks the layer; switching happens
/// on a keyframe of the target layer, and the publisher is asked for that keyframe when the target changes.
/// </summary>
public sealed class SimulcastConsumer : Consumer
{
    private readonly SimulcastSelector _selector;

    public SimulcastConsumer(Producer producer, Subscriber subscriber, uint ssrc, byte payloadType)
        : base(producer, subscriber, ssrc, payloadType)
    {
        _selector = new SimulcastSelector(producer);
    }

    public SimulcastSelector Selector => _selector;
    public override int CurrentLayer => _selector.Current;
    public override int TargetLayer => _selector.Target;
    public override long LayerSwitches => _selector.Switches;
    public override int CeilingLayer => _selector.Ceiling;
    public override long BandwidthShareBps => _selector.Bandwidth == long.MaxValue ? 0 : _selector.Bandwidth;

    public override LayerDecision Decide(int layer, int generation, bool keyFrameStart, long nowMs)
    {
        if (Paused)
            return LayerDecision.Drop;
        if (_selector.Target < 0 && _selector.Update(nowMs))
            RequestKeyFrameFor(_selector.Target, nowMs);
        if (layer == _selector.Current && generation != CurrentGeneration)
        {
            // The publisher restarted this layer: its numbers are new, so start over at a keyframe.
            _selector.ResetCurrent();
            RequestKeyFrameFor(_selector.Target, nowMs);
        }
        var decision = _selector.OnPacket(layer, keyFrameStart);
        if (decision == LayerDecision.SwitchAndForward)
            CurrentGeneration = generation;
        return decision;
    }

    public override void RequireSync(long nowMs)
    {
        _selector.ResetCurrent();
        _selector.Update(nowMs);
        RequestKeyFrameFor(_selector.Target, nowMs);
    }

    public override void Tick(long nowMs)
    {
        if (_selector.Update(nowMs))
            RequestKeyFrameFor(_selector.Target, nowMs);
    }

    public override long WantedBitrate(long nowMs) => _selector.WantedBitrate(nowMs);

    public override int LowestLayer(long nowMs) => _selector.LowestLayer(nowMs);

    public override int NextLayerUp(int layer, long nowMs) => _selector.NextLayerUp(layer, nowMs);

    public override long LayerNeed(int layer, long nowMs) => _selector.Need(layer, nowMs);

    public override void SetBandwidth(long bps) => _selector.SetBandwidth(bps);

    public override void SetPreferredLayer(int layer) => _selector.SetPreferred(layer);
}
