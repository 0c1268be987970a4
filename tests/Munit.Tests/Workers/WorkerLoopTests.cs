using Microsoft.Extensions.Time.Testing;
using MobZ.Munit.Control;
using MobZ.Munit.Routing;
using MobZ.Munit.Tests.Routing;
using MobZ.Munit.WebRtc;
using MobZ.Rtc.Codecs;
using MobZ.TestKit;

namespace MobZ.Munit.Tests.Workers;

/// <summary>A media worker's periodic work (reports, NACKs, layer choice) runs on the worker's own loop thread, between
/// its datagram batches, driven by the host's clock (a fake one here).</summary>
public sealed class WorkerLoopTests
{
    [Fact]
    public async Task A_workers_receiver_reports_to_its_publishers_are_made_on_its_receive_thread()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var media = new WebRtcMedia(
            new MunitOptions
            {
                BindAddress = "127.0.0.1",
                Port = 0,
                TcpPort = 0,
                Workers = 2,
            },
            time: time
        );
        var worker = media.Workers[1];
        using var station = new StationRouter(
            worker.Engine,
            new StationDescriptor("st-1", "room-1", "pub-1", "m2m", false)
        );
        var output = new ThreadRecordingOutput();
        var publisher = station.AttachPublisher(
            "pub-1",
            output,
            [new PublishedTrack(MediaKind.Audio, MediaCodec.Opus, ForwardingRig.OpusPt, 48000, 0, [null], "0")],
            new PublisherExtensions()
        );
        worker.Engine.OnPublisherRtp(publisher, Packets.Opus(ForwardingRig.AudioSsrc, 1, 960), worker.Engine.NowMs);

        await Eventually.WaitUntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(MediaEngine.TickIntervalMs));
                return output.Threads.Count > 0;
            },
            TimeSpan.FromSeconds(30),
            "the publisher got a receiver report"
        );

        Assert.All(output.Threads, name => Assert.Equal($"rtc-udp-{worker.Port}", name));
        Assert.True(worker.Engine.TickCount > 0);
        Assert.Equal(0, media.Workers[0].Engine.TickCount);
    }

    private sealed class ThreadRecordingOutput : IPeerOutput
    {
        private readonly List<string?> _threads = [];

        public IReadOnlyList<string?> Threads
        {
            get
            {
                lock (_threads)
                    return [.. _threads];
            }
        }

        public void SendRtp(Span<byte> buffer, int length) { }

        public void SendRtcp(Span<byte> buffer, int length)
        {
            lock (_threads)
                _threads.Add(Thread.CurrentThread.Name);
        }
    }
}
