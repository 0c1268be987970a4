using MobZ.Munit.Stats;

namespace MobZ.Munit.Congestion;

/// <summary>
/// The Munit's estimate of the path to one viewer, from that viewer's transport-cc feedback (GCC's send side,
/// draft-ietf-rmcat-gcc-02, as libwebrtc and pion run it). Two halves, the lower wins:
/// <list type="bullet">
/// <item>delay-based: the same trend over inter-group delay variation as the receive side (<see cref="DelayTrend"/>
/// on our send times and the viewer's arrival times, <see cref="OveruseDetector"/>), steering an
/// <see cref="AimdRateControl"/> around the acknowledged bitrate (what the viewer says arrived over the last
/// second);</item>
/// <item>loss-based: over windows of at least <see cref="LossWindowPackets"/> reported packets, more than 10 %
/// lost cuts the estimate by half the loss fraction, under 2 % lets it grow 8 % a second, in between holds (so
/// steady random loss that NACK repairs does not drain it). A window of a second with under 2 % lost is enough
/// to grow (a low rate would otherwise wait many seconds for its packets), and packets sent before a cut do not
/// count toward the next one (they were sent at the old rate).</item>
/// </list>
/// Until the path has shown congestion (an overuse, or heavy loss) there is no estimate: the viewer's layer is
/// then not capped, as before. Allocation-free; the caller serialises access.
/// </summary>
public sealed class SendSideEstimator
{
    /// <summary>The ceiling of any estimate (far above any simulcast layer).</summary>
    public const long MaxBitrate = 50_000_000;
    public const int LossWindowPackets = 100;
    private const double HighLoss = 0.10;
    private const double LowLoss = 0.02;
    private const long LossDecreaseIntervalMs = 300;
    private const long LossIncreaseIntervalMs = 1000;
    private const long MinBitrate = 30_000;

    private readonly DelayTrend _trend = new();
    private readonly OveruseDetector _detector = new();
    private readonly AimdRateControl _rate = new(startOnOveruseOnly: true);
    private readonly BitrateMeter _acknowledged = new();
    private long _lastGroupArrivalUs = -1;
    private int _windowReceived;
    private int _windowLost;
    private long _lossBased; // 0: loss sets no limit
    private long _lastLossDecreaseMs = long.MinValue / 2;
    private long _lastLossIncreaseMs = long.MinValue / 2;
    private long _windowStartMs = -1;
    private long _countFromSendUs = long.MinValue;

    /// <summary>The estimate in bit/s; 0 while there is none.</summary>
    public long Estimate { get; private set; }

    /// <summary>The delay-based half (0: none yet).</summary>
    public long DelayBased => _rate.Estimate;

    /// <summary>The loss-based limit (0: none).</summary>
    public long LossBased => _lossBased;

    /// <summary>What the delay trend said last.</summary>
    public BandwidthUsage Usage => _detector.State;

    /// <summary>The loss fraction of the last complete window.</summary>
    public double LossFraction { get; private set; }

    /// <summary>Bits per second the viewer acknowledged over the last second.</summary>
    public long AcknowledgedBitsPerSecond(long nowMs) => _acknowledged.BitsPerSecond(nowMs);

    /// <summary>A packet the viewer reports received, in the order they were sent.</summary>
    /// <param name="sendMicroseconds">when the Munit sent it (its clock).</param>
    /// <param name="arrivalMicroseconds">when it arrived (the viewer's clock; only differences matter).</param>
    public void OnReceived(long sendMicroseconds, long arrivalMicroseconds, int size, long nowMs)
    {
        _acknowledged.Add(size, nowMs);
        if (sendMicroseconds >= _countFromSendUs)
            _windowReceived++;
        if (_trend.OnPacket(sendMicroseconds, arrivalMicroseconds))
        {
            double gapMs = _lastGroupArrivalUs < 0 ? 0 : (arrivalMicroseconds - _lastGroupArrivalUs) / 1000.0;
            _lastGroupArrivalUs = arrivalMicroseconds;
            _detector.Detect(_trend.Trend, _trend.Deltas, gapMs, nowMs);
        }
    }

    /// <summary>A packet the viewer reports lost.</summary>
    public void OnLost(long sendMicroseconds)
    {
        if (sendMicroseconds >= _countFromSendUs)
            _windowLost++;
    }

    /// <summary>A packet reported lost before turned up after all: it counts as received, not lost.</summary>
    public void OnRecovered(long sendMicroseconds)
    {
        if (sendMicroseconds >= _countFromSendUs && _windowLost > 0)
            _windowLost--;
    }

    /// <summary>Moves the estimate on after a feedback message; returns it (0: none).</summary>
    public long Update(long nowMs)
    {
        long acknowledged = _acknowledged.BitsPerSecond(nowMs);
        long delayBased = _rate.Update(_detector.State, acknowledged, MaxBitrate, nowMs);
        UpdateLossBased(acknowledged, delayBased, nowMs);
        long estimate = delayBased;
        if (_lossBased > 0 && (estimate == 0 || _lossBased < estimate))
            estimate = _lossBased;
        Estimate = estimate;
        return estimate;
    }

    /// <summary>
    /// A probe cluster's measured rate (<see cref="ProbeClusterMeter"/>): unless the delay trend says a queue is
    /// building, the estimate rises to it — both halves, so a loss-based limit left from congestion that has passed
    /// does not hold it down. A result under the estimate changes nothing (the estimate's own halves cut it when
    /// the path says so).
    /// </summary>
    /// <returns>whether the estimate rose.</returns>
    public bool OnProbeResult(long bitsPerSecond, long nowMs)
    {
        if (Estimate <= 0 || bitsPerSecond <= Estimate || _detector.State == BandwidthUsage.Overusing)
            return false;
        _rate.RaiseTo(bitsPerSecond, MaxBitrate, nowMs);
        if (_lossBased > 0 && _lossBased < bitsPerSecond)
            _lossBased = bitsPerSecond;
        long estimate = _rate.Estimate;
        if (_lossBased > 0 && (estimate == 0 || _lossBased < estimate))
            estimate = _lossBased;
        Estimate = estimate;
        return true;
    }

    private void UpdateLossBased(long acknowledged, long delayBased, long nowMs)
    {
        if (_windowStartMs < 0)
            _windowStartMs = nowMs;
        int reported = _windowReceived + _windowLost;
        double loss = reported == 0 ? 0 : (double)_windowLost / reported;
        bool full = reported >= LossWindowPackets;
        bool lowAfterASecond = reported >= LossWindowPackets / 5 && nowMs - _windowStartMs >= 1000 && loss < LowLoss;
        if (!full && !lowAfterASecond)
            return;
        LossFraction = loss;
        _windowReceived = 0;
        _windowLost = 0;
        _windowStartMs = nowMs;
        if (loss > HighLoss)
        {
            if (nowMs - _lastLossDecreaseMs < LossDecreaseIntervalMs)
                return;
            long from = Estimate > 0 ? Estimate : acknowledged;
            if (from <= 0)
                return;
            _lossBased = Math.Max(MinBitrate, (long)(from * (1 - (0.5 * loss))));
            _lastLossDecreaseMs = nowMs;
            _countFromSendUs = nowMs * 1000; // send times are on the same clock as nowMs
        }
        else if (loss < LowLoss && _lossBased > 0 && nowMs - _lastLossIncreaseMs >= LossIncreaseIntervalMs)
        {
            _lossBased = (long)(_lossBased * 1.08) + 1000;
            _lastLossIncreaseMs = nowMs;
            // Once loss allows more than the delay-based half does, the delay half alone decides.
            if (_lossBased >= MaxBitrate || (delayBased > 0 && _lossBased > delayBased))
                _lossBased = 0;
        }
    }
}
