using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.TestKit;
using MobZ.TestKit.Aiortc;
using Xunit.Abstractions;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// aiortc offers REMB and abs-send-time but not transport-cc, so the Munit estimates its path itself: no REMB
/// until there is an estimate, then REMB that tracks what actually arrives (aiortc sets its encoder's target
/// from it).
/// </summary>
[Trait("Category", "Interop")]
public sealed class AiortcPublisherRembTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WebRtcMedia _media = null!;
    private MunitServer _munit = null!;

    public Task InitializeAsync()
    {
        var options = new MunitOptions { BindAddress = "127.0.0.1", Port = 0 };
        _media = new WebRtcMedia(options);
        _munit = new MunitServer(options, _media);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _munit.DisposeAsync();
        _media.Dispose();
    }

    [Fact]
    public async Task An_aiortc_publisher_gets_REMB_from_the_Munits_estimate_of_what_arrives()
    {
        Assert.True(_munit.CreateStation(new StationDescriptor("st-1", "room-1", "pub", "m2m", false)));
        using var publisher = new AiortcPeer(AiortcMunitTests.Script, "publisher", 25);
        try
        {
            var offer = (await publisher.ReadAsync("offer", TimeSpan.FromSeconds(20))).GetString()!;
            Assert.DoesNotContain("transport-cc", offer);
            var published = await _munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-1", "pub") { Sdp = offer });
            Assert.True(published.Ok, published.Error);
            await publisher.SendAsync("answer", published.Sdp!);

            var totals = _media.Workers[0].Engine.Forwarder.Totals;
            var station = _munit.FindStation("st-1")!;
            await Eventually.WaitUntilAsync(
                () => station.Media.GetStats().PacketsIn > 50,
                TimeSpan.FromSeconds(20),
                "the publisher is flowing"
            );
            Assert.Equal(0, totals.RembSent); // no estimate yet, so no REMB
            await Eventually.WaitUntilAsync(() => totals.RembSent > 0, TimeSpan.FromSeconds(15), "a REMB goes out");

            long estimate = Volatile.Read(ref totals.RembEstimate);
            long incoming = station.Media.GetStats().IncomingBitsPerSecond;
            output.WriteLine($"REMB {estimate} bit/s with {incoming} bit/s arriving, {totals.RembSent} sent");
            Assert.InRange(estimate, incoming / 2, (incoming * 3 / 2) + 100_000);
            Assert.Equal(0, totals.TransportCcFeedbackSent);
        }
        finally
        {
            foreach (var line in publisher.StandardError.TakeLast(10))
                output.WriteLine("[publisher] " + line);
        }
    }
}
