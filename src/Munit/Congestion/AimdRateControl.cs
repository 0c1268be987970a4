namespace MobZ.Munit.Congestion;

/// <summary>
/// The rate half of a receive-side estimator (GCC §5.5, libwebrtc's AimdRateControl): on overuse the estimate
/// drops to <see cref="Beta"/> × the rate actually arriving; while the path is normal it grows by 8 % a second
/// (or by about one packet per round trip near the rate where the last overuse happened); underuse holds it. It
/// never runs ahead of what arrives by more than half again, so a quiet sender is not promised a link it never
/// tested.
/// </summary>
public sealed class AimdRateControl
{
    public const double Beta = 0.85;
    private const double IncreasePerSecond = 0.08;
    private const long MinBitrate = 30_000;
    private const long InitializationMs = 5_000;
    private const long RoundTripMs = 200;

    private readonly bool _startOnOveruseOnly;
    private long _firstIncomingMs = -1;
    private long _lastChangeMs = -1;
    private long _lastDecreaseMs = long.MinValue / 2;
    private double _maxAtOveruse = -1; // kbit/s, smoothed
    private double _maxVariance = 0.4;

    /// <param name="startOnOveruseOnly">no estimate until the first overuse (a sender's estimate caps what it sends,
    /// so without congestion seen it has nothing to say); otherwise also after a few seconds of traffic, from what
    /// arrives (a receiver's REMB).</param>
    public AimdRateControl(bool startOnOveruseOnly = false) => _startOnOveruseOnly = startOnOveruseOnly;

    /// <summary>The estimate in bit/s; 0 until it is valid (after the first overuse or a few seconds of
    /// traffic).</summary>
    public long Estimate { get; private set; }

    public bool Valid => Estimate > 0;

    /// <param name="incoming">bit/s arriving now, measured over the last second (0 when unknown).</param>
    /// <returns>the estimate after this update.</returns>
    public long Update(BandwidthUsage usage, long incoming, long upperBound, long nowMs)
    {
        if (incoming > 0 && _firstIncomingMs < 0)
            _firstIncomingMs = nowMs;
        if (!Valid)
        {
            bool warmedUp =
                !_startOnOveruseOnly && _firstIncomingMs >= 0 && nowMs - _firstIncomingMs >= InitializationMs;
            if (incoming <= 0 || (usage != BandwidthUsage.Overusing && !warmedUp))
                return 0;
            Estimate = Math.Clamp(incoming, MinBitrate, upperBound);
            _lastChangeMs = nowMs;
        }

        double elapsedMs = Math.Clamp(nowMs - _lastChangeMs, 0, 1000);
        _lastChangeMs = nowMs;
        long next = Estimate;
        switch (usage)
        {
            case BandwidthUsage.Overusing:
                // Once per round trip: the queue needs that long to drain before the trend can show it.
                if (incoming > 0 && nowMs - _lastDecreaseMs >= RoundTripMs)
                {
                    next = Math.Min(Estimate, (long)(Beta * incoming));
                    RememberOveruse(incoming / 1000.0);
                    _lastDecreaseMs = nowMs;
                }

                break;
            case BandwidthUsage.Normal:
                if (NearConvergence(Estimate / 1000.0))
                {
                    // About one 1200-byte packet per round trip (additive increase).
                    next = Estimate + (long)Math.Max(1000, 1200 * 8 * elapsedMs / RoundTripMs);
                }
                else
                {
                    next = Estimate + (long)(Estimate * (Math.Pow(1 + IncreasePerSecond, elapsedMs / 1000) - 1));
                }

                long limit = incoming > 0 ? (long)(1.5 * incoming) + 10_000 : Estimate;
                if (next > limit)
                    next = Math.Max(Estimate, limit); // held by what arrives, never cut while increasing
                break;
            case BandwidthUsage.Underusing:
                break;
        }

        Estimate = Math.Clamp(next, MinBitrate, upperBound);
        return Estimate;
    }

    /// <summary>
    /// A probe showed the path carries <paramref name="bps"/>: the estimate rises to it (never falls by it), and the
    /// increase goes multiplicative again, the old overuse level no longer being where the path tops out.
    /// </summary>
    public void RaiseTo(long bps, long upperBound, long nowMs)
    {
        if (!Valid || bps <= Estimate)
            return;
        Estimate = Math.Clamp(bps, MinBitrate, upperBound);
        _maxAtOveruse = -1;
        _lastChangeMs = nowMs;
    }

    private bool NearConvergence(double kbps)
    {
        if (_maxAtOveruse < 0)
            return false;
        double deviation = Math.Sqrt(_maxVariance * _maxAtOveruse);
        if (kbps > _maxAtOveruse + (3 * deviation))
        {
            _maxAtOveruse = -1; // well past the old ceiling: the path changed, probe multiplicatively again
            return false;
        }

        return kbps > _maxAtOveruse - (3 * deviation);
    }

    private void RememberOveruse(double kbps)
    {
        const double Alpha = 0.05;
        if (_maxAtOveruse < 0)
        {
            _maxAtOveruse = kbps;
            return;
        }

        double error = _maxAtOveruse - kbps;
        double norm = Math.Max(_maxAtOveruse, 1.0);
        _maxVariance = Math.Clamp(((1 - Alpha) * _maxVariance) + (Alpha * error * error / norm), 0.4, 2.5);
        _maxAtOveruse = ((1 - Alpha) * _maxAtOveruse) + (Alpha * kbps);
    }
}
