namespace MobZ.Hls.Packaging;

/// <summary>
/// The segment boundaries of an adaptive ladder, shared by its renditions (one per simulcast layer): segment n of
/// every rendition begins at the frame captured at <see cref="Start"/>(n), a time on the sender's wall clock (UTC
/// ticks, from the sender reports), so a player can switch renditions at any segment boundary. The first rendition
/// whose own rule wants a cut (a keyframe once the segment is long enough, or a segment about to exceed the target
/// duration) declares the next boundary at its frame; the others cut at their frame of the same time. A rendition
/// that starts, or resumes after a hole, declares a boundary at its first frame unless one lies within tolerance.
/// Only the newest boundaries are kept (a rendition more than that far behind the others starts afresh).
/// </summary>
internal sealed class SegmentBoundaries
{
    private const int Kept = 64;
    private readonly long[] _starts = new long[Kept];
    private readonly bool[] _discontinuous = new bool[Kept];

    /// <summary>Renditions sharing the boundaries. One alone cuts at any keyframe, as a stream of its own
    /// does.</summary>
    public int Renditions { get; set; }

    /// <summary>The newest frame time any rendition has seen.</summary>
    public long LatestFrame { get; private set; } = long.MinValue;

    /// <summary>
    /// Set when a keyframe was asked of every layer: the newest frame time seen then (UTC ticks); a keyframe captured
    /// after it may answer the request. <see cref="long.MaxValue"/> when no request is outstanding. Simulcast layers do
    /// not send keyframes at the same instant on their own, but an encoder asked for one sends it on every layer at the
    /// same frame: so with several renditions only a keyframe that answers a request begins a segment (the others then
    /// have theirs at the same time), not one a single layer sent of its own accord.
    /// </summary>
    public long KeyframeAskedAfter { get; set; } = long.MaxValue;

    private long _keyframeTime = long.MinValue;
    private int _keyframeRenditions;

    public void Saw(long time) => LatestFrame = Math.Max(LatestFrame, time);

    /// <summary>Every layer is asked for a keyframe now.</summary>
    public void AskKeyframe()
    {
        if (KeyframeAskedAfter == long.MaxValue && LatestFrame != long.MinValue)
        {
            KeyframeAskedAfter = LatestFrame;
        }
    }

    /// <summary>
    /// Whether a keyframe captured at <paramref name="time"/> that one rendition just received answers the outstanding
    /// request. Chromium on a short path answers with the very next frame, while a frame or two in flight may be a
    /// layer's own keyframe: so a keyframe within <paramref name="margin"/> of the request answers it only once a
    /// second rendition has a keyframe of the same time (a layer's own keyframe has no partner; an answer to the
    /// request comes on every layer), and one later than that answers it alone (a layer that flows alone has no
    /// partner). An answer passed over would cost the publisher a second keyframe on every layer for the same segment
    /// (KeyframeCostTests).
    /// </summary>
    public bool Answers(long time, long tolerance, long margin)
    {
        if (_keyframeRenditions > 0 && Math.Abs(time - _keyframeTime) <= tolerance)
        {
            _keyframeRenditions++;
        }
        else
        {
            _keyframeTime = time;
            _keyframeRenditions = 1;
        }

        return KeyframeAskedAfter != long.MaxValue
            && time > KeyframeAskedAfter + tolerance
            && (time > KeyframeAskedAfter + margin + tolerance || _keyframeRenditions >= 2);
    }

    /// <summary>Index of the newest boundary (the segment begun last), -1 before the first.</summary>
    public long Newest { get; private set; } = -1;

    public long Start(long segment) => _starts[segment % Kept];

    public bool Has(long segment) => segment >= 0 && segment <= Newest && segment > Newest - Kept;

    /// <summary>
    /// Whether segment <paramref name="segment"/> begins with EXT-X-DISCONTINUITY in every rendition: a rendition that
    /// resumes after a hole of its own (frames lost on its layer, or the layer paused) begins it discontinuous, and
    /// every variant stream must present the same discontinuities (rfc8216bis §6.2.4), or a player that switches
    /// there, or lines renditions up by discontinuity sequence (hls.js), finds them out of step.
    /// </summary>
    public bool Discontinuous(long segment) => Has(segment) && _discontinuous[segment % Kept];

    /// <summary>A new segment begins at <paramref name="time"/>.</summary>
    public long Declare(long time)
    {
        if (Newest >= 0 && time <= Start(Newest))
        {
            time = Start(Newest) + 1; // boundaries only move forward, whatever a re-anchored clock says
        }

        Newest++;
        _starts[Newest % Kept] = time;
        _discontinuous[Newest % Kept] = false;
        return Newest;
    }

    /// <summary>
    /// The segment a rendition whose segment was cut (or that starts) at a frame of <paramref name="time"/> goes on
    /// in: the newest boundary within <paramref name="tolerance"/> of it or before it, or a new boundary at it when
    /// the frame lies later than the newest boundary.
    /// </summary>
    /// <param name="afterHole">the rendition resumes after a hole: the segment is discontinuous in every
    /// rendition.</param>
    public long Join(long time, long tolerance, bool afterHole = false)
    {
        long segment;
        if (Newest < 0 || time > Start(Newest) + tolerance)
        {
            segment = Declare(time);
        }
        else
        {
            segment = Newest;
            while (Has(segment - 1) && time < Start(segment) - tolerance)
            {
                segment--;
            }
        }

        if (afterHole)
        {
            _discontinuous[segment % Kept] = true;
        }

        return segment;
    }

    /// <summary>The segment a frame of <paramref name="time"/> falls in, among the boundaries after
    /// <paramref name="current"/>; <paramref name="current"/> when none of them is due.</summary>
    public long Due(long current, long time, long tolerance)
    {
        if (current < Newest && !Has(current + 1))
        {
            return Join(time, tolerance); // fallen further behind than the boundaries kept
        }

        long segment = current;
        while (segment < Newest && Has(segment + 1) && time >= Start(segment + 1) - tolerance)
        {
            segment++;
        }

        return segment;
    }
}
