using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.TestKit;
using MobZ.TestKit.Aiortc;
using Xunit.Abstractions;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// The whole media path on real WebRTC stacks: an aiortc publisher's VP8 and Opus go through the Munit's
/// shared UDP port (ICE-lite, DTLS-SRTP) to an aiortc viewer that decodes them.
/// </summary>
[Trait("Category", "Interop")]
public class AiortcMunitTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Media workers of the Munit under test; with more than one, another room takes the first worker, so
    /// the test's room runs on the last (its own port, thread and engine).</summary>
    protected virtual int Workers => 1;

    public const string Script = "Interop/aiortc_munit_peer.py";
    private WebRtcMedia _media = null!;
    private MunitServer _munit = null!;

    public Task InitializeAsync()
    {
        var options = new MunitOptions
        {
            BindAddress = "127.0.0.1",
            Port = 0,
            Workers = Workers,
        };
        _media = new WebRtcMedia(options);
        _munit = new MunitServer(options, _media);
        for (int i = 1; i < Workers; i++)
        {
            Assert.True(
                _munit.CreateStation(new StationDescriptor($"st-other-{i}", $"room-other-{i}", "nobody", "m2m", false))
            );
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _munit.DisposeAsync();
        _media.Dispose();
    }

    [Fact]
    public async Task aiortc_viewer_decodes_what_an_aiortc_publisher_sends_through_the_Munit()
    {
        Assert.True(_munit.CreateStation(new StationDescriptor("st-1", "room-1", "pub", "m2m", false)));
        using var publisher = new AiortcPeer(Script, "publisher", 40);
        using var viewer = new AiortcPeer(Script, "viewer", 25);
        try
        {
            var offer = (await publisher.ReadAsync("offer", TimeSpan.FromSeconds(20))).GetString()!;
            var published = await _munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-1", "pub") { Sdp = offer });
            Assert.True(published.Ok, published.Error);
            await publisher.SendAsync("answer", published.Sdp!);

            // Join late, as a viewer usually does: the publisher's first key frame is long gone.
            var station = _munit.FindStation("st-1")!;
            await Eventually.WaitUntilAsync(
                () => station.Media.GetStats().PacketsIn > 200,
                TimeSpan.FromSeconds(20),
                "the publisher is flowing"
            );
            var watch = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-1", "viewer-1"));
            Assert.True(watch.Ok, watch.Error);
            await viewer.SendAsync("offer", watch.Sdp!);
            var answer = (await viewer.ReadAsync("answer", TimeSpan.FromSeconds(20))).GetString()!;
            var answered = await _munit.HandleAsync(
                new MediaCommand(MediaOp.Answer, "st-1", "viewer-1") { Sdp = answer }
            );
            Assert.True(answered.Ok, answered.Error);

            var result = await viewer.ReadAsync("result", TimeSpan.FromSeconds(40));
            var stats = _munit.FindStation("st-1")!.Media.GetStats();
            output.WriteLine(
                $"viewer {result}; station in {stats.PacketsIn} pkts, out {stats.PacketsOut} pkts, keyframe asks {stats.KeyFrameRequestsAsked}/{stats.KeyFrameRequestsSent}"
            );
            Assert.True(result.GetProperty("videoFrames").GetInt32() >= 30, "the viewer decoded 30 video frames");
            Assert.True(result.GetProperty("audioFrames").GetInt32() > 0, "the viewer decoded audio");
            Assert.True(stats.PacketsOut > 0);
            Assert.Equal(Workers - 1, _media.Placement.WorkerOf("room-1"));
            Assert.True(_media.Workers[Workers - 1].Engine.Forwarder.Forwarded > 0);
        }
        finally
        {
            foreach (var line in publisher.StandardError.TakeLast(10))
                output.WriteLine("[publisher] " + line);
            foreach (var line in viewer.StandardError.TakeLast(10))
                output.WriteLine("[viewer] " + line);
        }
    }
}

/// <summary>The same on a Munit with two media workers, the publisher's and viewer's room on the second.</summary>
[Trait("Category", "Interop")]
public sealed class AiortcMunitOnTwoWorkersTests(ITestOutputHelper output) : AiortcMunitTests(output)
{
    protected override int Workers => 2;
}
