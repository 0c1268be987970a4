namespace MobZ.Hls.Timing;

/// <summary>
/// Turns 32-bit RTP timestamps of one track into a 64-bit decode timeline that starts where the packager
/// says, runs on across the 32-bit wrap, and never goes backwards: a jump backwards or too far forwards
/// (a publisher that restarted its encoder, a new SSRC) is re-based to continue one nominal step after the
/// previous sample instead of leaving a hole or an overlap in the fMP4 track.
/// </summary>
internal sealed class RtpTimeline
{
    private readonly long _maxForwardJump;
    private bool _started;
    private uint _lastTimestamp;
    private long _lastExtended;
    private long _offset;
    private long _lastDts;

    public RtpTimeline(int clockRate, TimeSpan maxForwardJump)
    {
        ClockRate = clockRate;
        _maxForwardJump = (long)(maxForwardJump.TotalSeconds * clockRate);
    }

    public int ClockRate { get; }

    public bool IsStarted => _started;

    /// <summary>How often the timeline was re-based after a jump.</summary>
    public int Rebases { get; private set; }

    /// <summary>Anchors <paramref name="timestamp"/> at decode time <paramref name="dts"/>.</summary>
    public void Start(uint timestamp, long dts)
    {
        _started = true;
        _lastTimestamp = timestamp;
        _lastExtended = timestamp;
        _offset = dts - timestamp;
        _lastDts = dts;
    }

    /// <summary>The decode time of <paramref name="timestamp"/> without moving the timeline (for a
    /// look-ahead).</summary>
    public long Peek(uint timestamp) => _lastExtended + (int)(timestamp - _lastTimestamp) + _offset;

    /// <param name="step">where to put a sample after a jump, relative to the previous one.</param>
    public long Map(uint timestamp, long step)
    {
        if (!_started)
        {
            throw new InvalidOperationException("The timeline has not been started.");
        }

        long extended = _lastExtended + (int)(timestamp - _lastTimestamp);
        long dts = extended + _offset;
        long delta = dts - _lastDts;
        if (delta <= 0 || delta > _maxForwardJump)
        {
            dts = _lastDts + Math.Max(1, step);
            _offset = dts - extended;
            Rebases++;
        }

        _lastTimestamp = timestamp;
        _lastExtended = extended;
        _lastDts = dts;
        return dts;
    }
}
