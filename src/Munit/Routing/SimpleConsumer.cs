using MobZ.Munit.Simulcast;

namespace MobZ.Munit.Routing;

/// <summary>
/// A consumer of a single-stream producer (audio, or video without simulcast). After it starts and after a
/// publisher restart it re-bases its numbering; for video it waits for a keyframe so the viewer's decoder
/// never starts on a delta frame. With a <see cref="Layer"/>, it takes that one layer of a simulcast producer (a tap
/// that packages one HLS rendition per layer).
/// </summary>
public sealed class SimpleConsumer(Producer producer, Subscriber subscriber, uint ssrc, byte payloadType)
    : Consumer(producer, subscriber, ssrc, payloadType)
{
    private bool _syncRequired = true;
    private bool _keyFrameAsked;
    private int _current = -1;

    /// <summary>The only simulcast layer taken; -1 (the default) takes whatever the producer sends.</summary>
    public int Layer { get; init; } = -1;

    public override int CurrentLayer => _current;

    public override int TargetLayer => Layer >= 0 ? Layer : _current;

    public override void RequireSync(long nowMs)
    {
        _syncRequired = true;
        _keyFrameAsked = false;
    }

    public override LayerDecision Decide(int layer, int generation, bool keyFrameStart, long nowMs)
    {
        if ((Layer >= 0 && layer != Layer) || Paused)
            return LayerDecision.Drop;
        if (generation != CurrentGeneration)
        {
            CurrentGeneration = generation;
            _syncRequired = true;
            _keyFrameAsked = false;
        }
        if (!_syncRequired)
            return LayerDecision.Forward;
        if (Producer.Kind == MediaKind.Video && !keyFrameStart)
        {
            if (!_keyFrameAsked)
            {
                _keyFrameAsked = true;
                RequestKeyFrameFor(layer, nowMs);
            }
            return LayerDecision.Drop;
        }
        _syncRequired = false;
        _current = layer;
        return LayerDecision.SwitchAndForward;
    }
}
