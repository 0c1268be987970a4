using MobZ.Munit.Stats;

namespace MobZ.Munit.Congestion;

/// <summary>
/// A publisher's bandwidth as the Munit sees it arrive, for publishers that did not negotiate transport-cc and so
/// estimate nothing themselves: what the Munit tells them with REMB. The delay trend over the packets'
/// abs-send-time (<see cref="DelayTrend"/>), judged by <see cref="OveruseDetector"/>, steers an
/// <see cref="AimdRateControl"/> around the measured incoming rate — GCC's receive side, as libwebrtc's
/// remote bitrate estimator runs it. Packets go in on the packet path (allocation-free); the estimate is updated
/// by the media tick.
/// </summary>
public sealed class ReceiveSideEstimator
{
    private const long AbsSendTimeWrap = 1 << 24;

    private readonly DelayTrend _trend = new();
    private readonly OveruseDetector _detector = new();
    private readonly AimdRateControl _rate = new();
    private readonly BitrateMeter _incoming = new();
    private bool _hasSendTime;
    private uint _lastAbsSendTime;
    private long _sendTicks; // abs-send-time unwrapped, in 1/2^18 s
    private long _lastGroupArrivalUs = -1;

    /// <summary>What the delay trend said last.</summary>
    public BandwidthUsage Usage => _detector.State;

    /// <summary>The estimate in bit/s; 0 until there is one.</summary>
    public long Estimate => _rate.Estimate;

    /// <summary>Bits per second arriving over the last second.</summary>
    public long IncomingBitsPerSecond(long nowMs) => _incoming.BitsPerSecond(nowMs);

    /// <summary>One packet from the publisher (any SSRC, retransmissions and padding included).</summary>
    /// <param name="absSendTime">the packet's 24-bit abs-send-time (6.18 fixed-point seconds), or null when it
    /// carries none: then it counts towards the incoming rate only.</param>
    public void OnPacket(uint? absSendTime, int size, long arrivalMicroseconds)
    {
        long nowMs = arrivalMicroseconds / 1000;
        _incoming.Add(size, nowMs);
        if (absSendTime is not { } value)
            return;
        if (_hasSendTime)
        {
            // Signed difference modulo 2^24 (the value wraps every 64 s).
            long diff = (value - _lastAbsSendTime) & (AbsSendTimeWrap - 1);
            _sendTicks += diff >= AbsSendTimeWrap / 2 ? diff - AbsSendTimeWrap : diff;
        }

        _hasSendTime = true;
        _lastAbsSendTime = value;
        long sendUs = _sendTicks * 1_000_000 / (1 << 18);
        if (_trend.OnPacket(sendUs, arrivalMicroseconds))
        {
            double gapMs = _lastGroupArrivalUs < 0 ? 0 : (arrivalMicroseconds - _lastGroupArrivalUs) / 1000.0;
            _lastGroupArrivalUs = arrivalMicroseconds;
            _detector.Detect(_trend.Trend, _trend.Deltas, gapMs, nowMs);
        }
    }

    /// <summary>Moves the estimate on (from the media tick) and returns it, within <paramref name="upperBound"/>;
    /// 0 while there is none yet.</summary>
    public long Update(long upperBound, long nowMs) =>
        _rate.Update(_detector.State, _incoming.BitsPerSecond(nowMs), upperBound, nowMs);
}
