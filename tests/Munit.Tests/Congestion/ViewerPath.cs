using MobZ.Munit.Congestion;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.Congestion;

/// <summary>
/// The path from the Munit to one viewer on a simulated clock: the Munit sends 1200-byte packets at what its
/// estimate allows up to <see cref="DemandBps"/> (an ideal allocator), each numbered by a real
/// <see cref="TransportCcSender"/>; a bottleneck link queues them (FIFO, tail drop past 300 ms of queue, as a
/// shaped link does) and may lose some at random; the viewer is a real <see cref="TransportCcRecorder"/> that
/// writes feedback every 100 ms, which comes back through <see cref="Deliver"/> (a test can reorder or repeat).
/// </summary>
internal sealed class ViewerPath(long linkBps, long demandBps, int seed = 1)
{
    private const int PacketBytes = 1200;
    private const long StepUs = 5_000;
    private const long BaseDelayUs = 20_000;
    private const long MaxQueueUs = 300_000;

    private readonly Random _random = new(seed);
    private readonly TransportCcRecorder _viewer = new();
    private readonly Queue<(ushort Seq, long ArrivalUs)> _inFlight = new();
    private readonly byte[] _packet = new byte[PacketBytes + 64];
    private readonly byte[] _feedback = new byte[1500];
    private long _nowUs = 1_000_000;
    private long _linkFreeUs;
    private long _nextFeedbackUs;
    private double _budgetBytes;

    public TransportCcSender Sender { get; } = new(3);
    public SendSideEstimator Estimator => Sender.Estimator;
    public long LinkBps { get; set; } = linkBps;
    public long DemandBps { get; set; } = demandBps;
    public double LossRate { get; set; }
    public long NowMs => _nowUs / 1000;

    /// <summary>How feedback reaches the Munit; by default at once, in order.</summary>
    public Action<byte[]> Deliver { get; set; } = null!;

    /// <summary>The rate the Munit sends at now.</summary>
    public long SendBps => Estimator.Estimate > 0 ? Math.Min(Estimator.Estimate, DemandBps) : DemandBps;

    /// <summary>Runs the path; returns the estimate (bit/s, 0: none) sampled every 100 ms.</summary>
    public List<long> Run(TimeSpan duration)
    {
        Deliver ??= message => Sender.OnFeedback(message, NowMs);
        var samples = new List<long>();
        var writer = new RtpPacketWriter
        {
            PayloadType = 96,
            Ssrc = 0xBEEF01,
            Payload = new byte[PacketBytes - RtpPacket.FixedHeaderSize],
        };
        long end = _nowUs + (long)duration.TotalMicroseconds;
        for (; _nowUs < end; _nowUs += StepUs)
        {
            _budgetBytes += SendBps * (StepUs / 1_000_000.0) / 8;
            for (; _budgetBytes >= PacketBytes; _budgetBytes -= PacketBytes)
            {
                writer.SequenceNumber++;
                writer.TryWrite(_packet, out int length);
                long seq = Sender.PacketsSent;
                Sender.Stamp(_packet, length, _nowUs);
                Link((ushort)seq, _nowUs);
            }

            while (_inFlight.Count > 0 && _inFlight.Peek().ArrivalUs <= _nowUs)
            {
                var (seq, arrival) = _inFlight.Dequeue();
                _viewer.Record(seq, arrival, 0xBEEF01);
            }

            if (_nowUs >= _nextFeedbackUs)
            {
                _nextFeedbackUs = _nowUs + 100_000;
                while (_viewer.TryWriteFeedback(_feedback, 0x5EED, out int written))
                    Deliver(_feedback[..written]);
                samples.Add(Estimator.Estimate);
            }
        }

        return samples;
    }

    private void Link(ushort seq, long sendUs)
    {
        long serialization = PacketBytes * 8 * 1_000_000L / LinkBps;
        long start = Math.Max(sendUs, _linkFreeUs);
        if (start - sendUs > MaxQueueUs)
            return; // tail drop: the queue is full
        _linkFreeUs = start + serialization;
        if (_random.NextDouble() < LossRate)
            return;
        _inFlight.Enqueue((seq, _linkFreeUs + BaseDelayUs));
    }
}
