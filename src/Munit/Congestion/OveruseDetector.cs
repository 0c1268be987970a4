namespace MobZ.Munit.Congestion;

/// <summary>What the delay trend says about the path.</summary>
public enum BandwidthUsage
{
    Normal,
    Overusing,
    Underusing,
}

/// <summary>
/// Compares the delay trend with an adaptive threshold (GCC §5.4, libwebrtc's OveruseDetector): overuse once the
/// trend has stayed above it for <see cref="OveruseTimeMs"/> and is still rising; underuse below its negative.
/// The threshold follows the trend slowly (up faster than down), so a path with steady jitter does not read as
/// congested and a competing TCP flow does not starve us.
/// </summary>
public sealed class OveruseDetector
{
    private const double OveruseTimeMs = 10;
    private const double UpGain = 0.0087;
    private const double DownGain = 0.039;
    private const double MinThreshold = 6;
    private const double MaxThreshold = 600;
    private const double MaxStepMs = 100;
    private const int MinDeltas = 2;

    private double _threshold = 12.5;
    private double _overuseMs = -1;
    private int _overuseCount;
    private double _previousTrend;
    private long _lastUpdateMs = -1;

    public BandwidthUsage State { get; private set; } = BandwidthUsage.Normal;

    public double Threshold => _threshold;

    public BandwidthUsage Detect(double trend, int deltas, double groupGapMs, long nowMs)
    {
        if (deltas < MinDeltas)
            return State;
        if (trend > _threshold)
        {
            _overuseMs = _overuseMs < 0 ? groupGapMs / 2 : _overuseMs + groupGapMs;
            _overuseCount++;
            if (_overuseMs > OveruseTimeMs && _overuseCount > 1 && trend >= _previousTrend)
            {
                _overuseMs = 0;
                _overuseCount = 0;
                State = BandwidthUsage.Overusing;
            }
        }
        else if (trend < -_threshold)
        {
            _overuseMs = -1;
            _overuseCount = 0;
            State = BandwidthUsage.Underusing;
        }
        else
        {
            _overuseMs = -1;
            _overuseCount = 0;
            State = BandwidthUsage.Normal;
        }

        _previousTrend = trend;
        AdaptThreshold(trend, nowMs);
        return State;
    }

    private void AdaptThreshold(double trend, long nowMs)
    {
        if (_lastUpdateMs < 0)
            _lastUpdateMs = nowMs;
        double magnitude = Math.Abs(trend);
        if (magnitude > _threshold + 15)
        {
            // A spike (a key frame, a route change): leave the threshold where it is.
            _lastUpdateMs = nowMs;
            return;
        }

        double gain = magnitude < _threshold ? DownGain : UpGain;
        double stepMs = Math.Min(nowMs - _lastUpdateMs, MaxStepMs);
        _threshold = Math.Clamp(_threshold + (gain * (magnitude - _threshold) * stepMs), MinThreshold, MaxThreshold);
        _lastUpdateMs = nowMs;
    }
}
