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

    /// <summary>Renditions sharing the boundaries. One alone cuts at any keyframe, as a stream of its own
    /// does.</summary>
    public int Renditions { get; set; }

    /// <summary>The newest frame time any rendition has seen.</summary>
    public long LatestFrame { get; private set; } = long.MinValue;

    /// <summary>
    /// Set when a keyframe was asked of every layer: only a keyframe captured after this (UTC ticks) answers it;
    /// <see cref="long.MaxValue"/> when no request is outstanding. Simulcast layers do not send keyframes at the same
    /// instant on their own, but an encoder asked for one sends it on every layer at the same frame: so with several
    /// renditions only a keyframe that answers a request begins a segment (the others then have theirs at the same
    /// time), not one a single layer sent of its own accord.
    /// </summary>
    public long KeyframeAskedAfter { get; set; } = long.MaxValue;

    public void Saw(long time) => LatestFrame = Math.Max(LatestFrame, time);

    /// <summary>Every layer is asked for a keyframe now: frames up to <paramref name="margin"/> after the newest seen
    /// (the frame arriving now, the one being encoded) were captured before the request reached the publisher. A
    /// genuine answer that comes sooner is missed, and the segment waits for the next request's.</summary>
    public void AskKeyframe(long margin)
    {
        if (KeyframeAskedAfter == long.MaxValue && LatestFrame != long.MinValue)
        {
            KeyframeAskedAfter = LatestFrame + margin;
        }
    }

    /// <summary>Index of the newest boundary (the segment begun last), -1 before the first.</summary>
    public long Newest { get; private set; } = -1;

    public long Start(long segment) => _starts[segment % Kept];

    public bool Has(long segment) => segment >= 0 && segment <= Newest && segment > Newest - Kept;

    /// <summary>A new segment begins at <paramref name="time"/>.</summary>
    public long Declare(long time)
    {
        if (Newest >= 0 && time <= Start(Newest))
        {
            time = Start(Newest) + 1; // boundaries only move forward, whatever a re-anchored clock says
        }

        Newest++;
        _starts[Newest % Kept] = time;
        return Newest;
    }

    /// <summary>
    /// The segment a rendition whose segment was cut (or that starts) at a frame of <paramref name="time"/> goes on
    /// in: the newest boundary within <paramref name="tolerance"/> of it or before it, or a new boundary at it when
    /// the frame lies later than the newest boundary.
    /// </summary>
    public long Join(long time, long tolerance)
    {
        if (Newest < 0 || time > Start(Newest) + tolerance)
        {
            return Declare(time);
        }

        long segment = Newest;
        while (Has(segment - 1) && time < Start(segment) - tolerance)
        {
            segment--;
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
