namespace MobZ.Hls.Timing;

/// <summary>
/// The NTP ↔ RTP pair of a track's latest RTCP sender report (RFC 3550 §6.4.1): the sender's wall clock
/// at a given RTP timestamp. Two tracks with sender reports can be placed on one timeline.
/// </summary>
internal sealed class SenderReportClock
{
    private static readonly DateTime NtpEpoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly int _clockRate;
    private ulong _ntp;
    private uint _rtp;

    public SenderReportClock(int clockRate)
    {
        _clockRate = clockRate;
    }

    public bool HasReport { get; private set; }

    public void Update(ulong ntp, uint rtpTimestamp)
    {
        if (ntp == 0)
        {
            return;
        }

        _ntp = ntp;
        _rtp = rtpTimestamp;
        HasReport = true;
    }

    /// <summary>The sender's wall clock when <paramref name="rtpTimestamp"/> was sampled.</summary>
    public bool TryGetWallClock(uint rtpTimestamp, out DateTime utc)
    {
        utc = default;
        if (!HasReport)
        {
            return false;
        }

        double offsetSeconds = (double)(int)(rtpTimestamp - _rtp) / _clockRate;
        utc = ToDateTime(_ntp).AddTicks((long)(offsetSeconds * TimeSpan.TicksPerSecond));
        return true;
    }

    /// <summary>The RTP timestamp this track had (or will have) at wall clock <paramref name="utc"/>.</summary>
    public bool TryGetRtpTimestamp(DateTime utc, out uint rtpTimestamp)
    {
        rtpTimestamp = 0;
        if (!HasReport)
        {
            return false;
        }

        double seconds = (utc - ToDateTime(_ntp)).Ticks / (double)TimeSpan.TicksPerSecond;
        rtpTimestamp = unchecked(_rtp + (uint)(long)Math.Round(seconds * _clockRate));
        return true;
    }

    public static DateTime ToDateTime(ulong ntp)
    {
        long seconds = (long)(ntp >> 32);
        long fractionTicks = (long)(((ntp & 0xFFFF_FFFFUL) * TimeSpan.TicksPerSecond) >> 32);
        return NtpEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + fractionTicks);
    }

    public static ulong FromDateTime(DateTime utc)
    {
        long ticks = utc.Ticks - NtpEpoch.Ticks;
        ulong seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        ulong fraction = ((ulong)(ticks % TimeSpan.TicksPerSecond) << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }
}
