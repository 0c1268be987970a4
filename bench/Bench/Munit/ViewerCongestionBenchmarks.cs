using BenchmarkDotNet.Attributes;
using MobZ.Munit.Congestion;
using MobZ.Munit.Routing;
using MobZ.Munit.Rtp;
using MobZ.Munit.Tests.Support;
using MobZ.Rtc.Codecs;
using MobZ.Rtc.Rtp;

namespace MobZ.Bench.Munit;

/// <summary>
/// What congestion control costs per transport-cc feedback message from a viewer: <see cref="Feedback"/> numbers 16
/// packets (what a browser reports in one message at about 1.5 Mbit/s and 100 ms), then takes the viewer's
/// recorded feedback about them (send-side estimator, probe cluster meter) and shares the estimate among the
/// viewer's tracks (<see cref="StreamAllocator"/>) — a viewer of <see cref="Stations"/> stations, each an audio and
/// a three-layer simulcast video track. <see cref="AllocateOnly"/> is the allocation alone (it also runs every tick).
/// </summary>
[MemoryDiagnoser]
public class ViewerCongestionBenchmarks
{
    private const int PacketsPerFeedback = 16;
    private const long Now = 100_000;
    private TransportCcSender _sender = null!;
    private byte[][] _feedback = null!;
    private byte[] _packet = null!;
    private int _packetLength;
    private Subscriber _viewer = null!;
    private int _next;
    private long _sendUs;

    [Params(1, 9)]
    public int Stations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sender = new TransportCcSender(3);
        // The viewer's feedback for a whole cycle of sequence numbers, one message per 16 packets, one packet a
        // millisecond arriving 1 ms apart with a little jitter (the estimator then has real groups to compare).
        var recorder = new TransportCcRecorder();
        var feedback = new List<byte[]>();
        var message = new byte[1500];
        var random = new Random(1);
        for (int i = 0; i < 65536; i++)
        {
            recorder.Record((ushort)i, (i * 1000L) + random.Next(0, 300), 0x1234);
            if ((i + 1) % PacketsPerFeedback == 0 && recorder.TryWriteFeedback(message, 0x5EED, out int written))
                feedback.Add(message[..written]);
        }
        _feedback = [.. feedback];
        var writer = new RtpPacketWriter
        {
            PayloadType = 96,
            Ssrc = 0x1234,
            Payload = new byte[1100],
        };
        _packet = new byte[1500];
        writer.TryWrite(_packet, out _packetLength);

        _viewer = new Subscriber("viewer", new DiscardOutput());
        for (int s = 0; s < Stations; s++)
        {
            _viewer.Add(new SimpleConsumer(Fed(MediaKind.Audio, 40_000), _viewer, (uint)(100 + s), 111));
            _viewer.Add(
                new SimulcastConsumer(Fed(MediaKind.Video, 150_000, 500_000, 1_500_000), _viewer, (uint)(200 + s), 96)
            );
        }
    }

    [Benchmark]
    public long Feedback()
    {
        for (int i = 0; i < PacketsPerFeedback; i++)
        {
            _sendUs += 1000;
            _packetLength = _sender.Stamp(_packet, _packetLength, _sendUs);
        }
        _sender.OnFeedback(_feedback[_next], _sendUs / 1000);
        _next = (_next + 1) % _feedback.Length;
        // The estimate from a 1 Mbit/s path: some tracks get their top layer, some step down.
        StreamAllocator.Allocate(
            _viewer,
            Math.Max(_sender.Estimator.Estimate, 1_000_000 * Stations / 2),
            Now,
            mayPause: true
        );
        return _sender.Estimator.Estimate;
    }

    [Benchmark]
    public long AllocateOnly() => StreamAllocator.Allocate(_viewer, 1_000_000 * Stations / 2, Now, mayPause: true);

    private static Producer Fed(MediaKind kind, params long[] bitrates) => FedProducer.Create(kind, Now, bitrates);

    private sealed class DiscardOutput : IPeerOutput
    {
        public void SendRtp(Span<byte> buffer, int length) { }

        public void SendRtcp(Span<byte> buffer, int length) { }
    }
}
