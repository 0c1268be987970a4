using MobZ.Munit.Stats;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Rtp;

/// <summary>
/// Receive side of one incoming RTP stream (one SSRC of a publisher): sequence tracking with wrap cycles,
/// loss and jitter for receiver reports (RFC 3550 §A.3, §A.8), the publisher's sender-report clock mapping,
/// bitrate, and the NACK generator for packets the Munit itself lost upstream.
/// </summary>
public sealed class RtpStreamRecv
{
    /// <summary>A jump larger than this is a source restart, not loss (RFC 3550 §A.1 MAX_DROPOUT).</summary>
    public const int MaxDropout = 3000;

    private ushort _maxSeq;
    private uint _cycles;
    private uint _baseSeq;
    private bool _started;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private double _jitter;
    private long _lastTransit;
    private bool _haveTransit;

    public RtpStreamRecv(uint ssrc, uint clockRate)
    {
        Ssrc = ssrc;
        ClockRate = clockRate;
    }

    public uint Ssrc { get; }
    public uint ClockRate { get; }
    public NackGenerator Nacks { get; } = new();
    public BitrateMeter Bitrate { get; } = new();

    public long Packets { get; private set; }
    public long Bytes { get; private set; }
    public long LastPacketMs { get; private set; } = long.MinValue;
    public long KeyFrames { get; set; }

    /// <summary>The publisher's latest sender report: (NTP, RTP) pair for clock mapping, and when it arrived.</summary>
    public ulong SrNtp { get; private set; }
    public uint SrRtp { get; private set; }
    public long SrArrivalMs { get; private set; }
    public bool HasSenderReport => SrArrivalMs != 0;

    public uint ExtendedHighestSeq => (_cycles << 16) | _maxSeq;
    public long Expected => _started ? ExtendedHighestSeq - _baseSeq + 1 : 0;
    public long Lost => Math.Max(0, Expected - _received);
    public double JitterClockUnits => _jitter;

    /// <summary>Records one arriving packet.</summary>
    /// <returns>false for a packet far outside the window (old duplicate or a restart being confirmed).</returns>
    public bool Receive(ushort seq, uint rtpTimestamp, int size, long arrivalMs)
    {
        Packets++;
        Bytes += size;
        LastPacketMs = arrivalMs;
        Bitrate.Add(size, arrivalMs);

        if (!_started)
        {
            Restart(seq);
        }
        else
        {
            ushort delta = (ushort)(seq - _maxSeq);
            if (delta != 0 && delta < 0x8000)
            {
                if (delta > MaxDropout)
                {
                    Restart(seq);
                }
                else
                {
                    if (seq < _maxSeq)
                        _cycles++;
                    _maxSeq = seq;
                }
            }
            else if (delta != 0 && (ushort)(_maxSeq - seq) > MaxDropout)
            {
                // Far behind: a restart with lower numbers.
                Restart(seq);
            }
        }
        _received++;
        Nacks.OnPacket(seq);
        UpdateJitter(rtpTimestamp, arrivalMs);
        return true;
    }

    public void OnSenderReport(ulong ntp, uint rtpTimestamp, long arrivalMs)
    {
        SrNtp = ntp;
        SrRtp = rtpTimestamp;
        SrArrivalMs = arrivalMs == 0 ? 1 : arrivalMs;
    }

    /// <summary>
    /// This stream's RTP time for wall-clock (sender's NTP) <paramref name="ntp"/>, from the last sender report.
    /// </summary>
    public bool TryMapNtpToRtp(ulong ntp, out uint rtp)
    {
        if (!HasSenderReport)
        {
            rtp = 0;
            return false;
        }
        long diffTicks = (NtpTime.ToDateTime(ntp) - NtpTime.ToDateTime(SrNtp)).Ticks;
        rtp = (uint)(SrRtp + diffTicks * ClockRate / TimeSpan.TicksPerSecond);
        return true;
    }

    /// <summary>Report block for a receiver report sent now (resets the interval counters).</summary>
    public ReportBlock BuildReport(long nowMs)
    {
        long expected = Expected;
        long expectedInterval = expected - _expectedPrior;
        long receivedInterval = _received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = _received;
        byte fraction = ReportMath.FractionLost(expectedInterval, receivedInterval);
        int cumulative = ReportMath.CumulativeLost(expected, _received);

        uint lsr = 0,
            dlsr = 0;
        if (HasSenderReport)
        {
            lsr = ReportMath.NtpMiddle32(SrNtp);
            dlsr = ReportMath.DelaySinceLastSenderReport(TimeSpan.FromMilliseconds(nowMs - SrArrivalMs));
        }
        return new ReportBlock(Ssrc, fraction, cumulative, ExtendedHighestSeq, (uint)_jitter, lsr, dlsr);
    }

    private void Restart(ushort seq)
    {
        _started = true;
        _baseSeq = seq;
        _maxSeq = seq;
        _cycles = 0;
        _received = 0;
        _expectedPrior = 0;
        _receivedPrior = 0;
        Nacks.Reset();
    }

    private void UpdateJitter(uint rtpTimestamp, long arrivalMs)
    {
        // RFC 3550 §A.8: J += (|D| - J) / 16 with D the change in relative transit time, in clock units.
        long arrival = arrivalMs * ClockRate / 1000;
        long transit = arrival - rtpTimestamp;
        if (_haveTransit)
        {
            long d = Math.Abs(transit - _lastTransit);
            if (d < ClockRate * 10L)
                _jitter += (d - _jitter) / 16.0;
        }
        _lastTransit = transit;
        _haveTransit = true;
    }
}
