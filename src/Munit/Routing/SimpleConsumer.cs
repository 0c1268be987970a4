using MobZ.Munit.Simulcast;

namespace MobZ.Munit.Routing;

/// <summary>
/// A consumer of a single-stream producer (audio, or video without simulcast). After it starts and after a
/// publisher restart it re-bases its numbering; for video it waits for a keyframe so the viewer's decoder
/// never starts on a delta frame.
/// </summary>
public sealed class SimpleConsumer(Producer producer, Subscriber subscriber, uint ssrc, byte payloadType)
    : Consumer(producer, subscriber, ssrc, payloadType)
{
    private bool _syncRequired = true;
    private bool _keyFrameAsked;
    private int _current = -1;

    public override int CurrentLayer => _current;

    public override void RequireSync(long nowMs)
    {
        _syncRequired = true;
        _keyFrameAsked = false;
    }

    public override LayerDecision Decide(int layer, int generation, bool keyFrameStart, long nowMs)
    {
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
