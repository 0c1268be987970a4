using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Munit.Control;
using MobZ.Munit.Hosting;
using MobZ.Munit.WebRtc;

namespace MobZ.Munit.Tests.WebRtc;

/// <summary>
/// The Munit as the hosts build it (<see cref="MunitServiceCollectionExtensions.AddMunit"/>: MunitHost, the local
/// stack) reports a publisher peer that ends by itself, as the Munit built by hand does
/// (<see cref="PublisherPeerLossTests"/>): without it the Regulator never hears of a lost publisher and the room keeps
/// showing it live.
/// </summary>
public sealed class HostedPeerLossTests
{
    [Fact]
    public async Task The_hosted_Munit_reports_a_publisher_peer_that_ends_by_itself()
    {
        await using var services = new ServiceCollection()
            .AddMunit(o =>
            {
                o.BindAddress = "127.0.0.1";
                o.Port = 0;
                o.Workers = 1;
            })
            .BuildServiceProvider();
        var munit = services.GetRequiredService<MunitServer>();
        var media = services.GetRequiredService<WebRtcMedia>();
        var lost = new ConcurrentQueue<PeerLost>();
        munit.PeerLost += lost.Enqueue;
        var offer = File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-simulcast-offer.sdp")
        );

        Assert.True(munit.CreateStation(new StationDescriptor("st-h", "room", "pub-st-h", "m2m", false)));
        var published = await munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-h", "pub-st-h") { Sdp = offer });
        Assert.True(published.Ok, published.Error);
        var peer = Assert.Single(media.Workers[0].Transport.Peers, p =>
            p.Id.StartsWith("publisher:st-h:", StringComparison.Ordinal)
        );

        peer.Close(); // what a DTLS close_notify or a consent expiry does to it

        Assert.Equal(new PeerLost("st-h", "pub-st-h", "closed locally"), Assert.Single(lost));
    }
}
