namespace MobZ.Munit.Congestion;

/// <summary>
/// The delay signal of a receive-side estimator (GCC, draft-ietf-rmcat-gcc-02 §5.2–5.3, libwebrtc's trendline
/// filter): packets sent within <see cref="BurstMicroseconds"/> of each other form a group; for each pair of
/// groups the growth of the one-way delay (arrival gap minus send gap) is accumulated, smoothed, and the slope of
/// the last <see cref="WindowSize"/> points against arrival time is the trend — positive while a queue builds
/// on the path. Allocation-free after construction.
/// </summary>
public sealed class DelayTrend
{
    public const long BurstMicroseconds = 5_000;
    public const int WindowSize = 20;
    private const double Smoothing = 0.9;
    private const double Gain = 4.0;
    private const int MaxDeltaCount = 60;

    private readonly double[] _x = new double[WindowSize]; // arrival time, ms since the first group
    private readonly double[] _y = new double[WindowSize]; // smoothed accumulated delay, ms
    private int _count;
    private int _next;

    private bool _hasGroup;
    private long _groupFirstSend;
    private long _groupLastSend;
    private long _groupLastArrival;
    private bool _hasPrevious;
    private long _previousLastSend;
    private long _previousLastArrival;

    private bool _hasOrigin;
    private long _originArrival;
    private double _accumulated;
    private double _smoothed;
    private int _deltas;

    /// <summary>The modified trend (slope × sample count × gain), in ms: what the overuse detector compares with
    /// its threshold. Updated when a group completes.</summary>
    public double Trend { get; private set; }

    /// <summary>Groups compared so far (the detector waits for a few before it decides anything).</summary>
    public int Deltas => _deltas;

    /// <summary>Adds one packet; returns true when it completed a group and <see cref="Trend"/> moved.</summary>
    /// <param name="sendMicroseconds">the sender's clock (unwrapped), only differences matter.</param>
    public bool OnPacket(long sendMicroseconds, long arrivalMicroseconds)
    {
        if (!_hasGroup)
        {
            StartGroup(sendMicroseconds, arrivalMicroseconds);
            return false;
        }

        if (sendMicroseconds < _groupFirstSend)
            return false; // reordered from an older group: its timing says nothing new

        if (sendMicroseconds - _groupFirstSend <= BurstMicroseconds)
        {
            _groupLastSend = Math.Max(_groupLastSend, sendMicroseconds);
            _groupLastArrival = Math.Max(_groupLastArrival, arrivalMicroseconds);
            return false;
        }

        bool updated = false;
        if (_hasPrevious)
        {
            long sendDelta = _groupLastSend - _previousLastSend;
            long arrivalDelta = _groupLastArrival - _previousLastArrival;
            Update((arrivalDelta - sendDelta) / 1000.0, _groupLastArrival);
            updated = true;
        }

        _hasPrevious = true;
        _previousLastSend = _groupLastSend;
        _previousLastArrival = _groupLastArrival;
        StartGroup(sendMicroseconds, arrivalMicroseconds);
        return updated;
    }

    private void StartGroup(long send, long arrival)
    {
        _hasGroup = true;
        _groupFirstSend = _groupLastSend = send;
        _groupLastArrival = arrival;
    }

    private void Update(double delayGrowthMs, long arrivalMicroseconds)
    {
        if (!_hasOrigin)
        {
            _hasOrigin = true;
            _originArrival = arrivalMicroseconds;
        }

        _deltas = Math.Min(_deltas + 1, MaxDeltaCount);
        _accumulated += delayGrowthMs;
        _smoothed = (Smoothing * _smoothed) + ((1 - Smoothing) * _accumulated);
        _x[_next] = (arrivalMicroseconds - _originArrival) / 1000.0;
        _y[_next] = _smoothed;
        _next = (_next + 1) % WindowSize;
        if (_count < WindowSize)
            _count++;
        if (_count == WindowSize)
            Trend = Slope() * _deltas * Gain;
    }

    private double Slope()
    {
        double meanX = 0,
            meanY = 0;
        for (int i = 0; i < _count; i++)
        {
            meanX += _x[i];
            meanY += _y[i];
        }

        meanX /= _count;
        meanY /= _count;
        double numerator = 0,
            denominator = 0;
        for (int i = 0; i < _count; i++)
        {
            numerator += (_x[i] - meanX) * (_y[i] - meanY);
            denominator += (_x[i] - meanX) * (_x[i] - meanX);
        }

        return denominator == 0 ? 0 : numerator / denominator;
    }
}
