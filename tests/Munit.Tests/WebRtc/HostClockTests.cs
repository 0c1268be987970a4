using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;

namespace MobZ.Munit.Tests.WebRtc;

/// <summary>
/// The Munit runs on the host's clock all the way down: a publisher whose browser never completes ICE loses its
/// peer when the host's clock (not the wall clock) says its consent ran out, and the loss is reported.
/// </summary>
public sealed class HostClockTests
{
    [Fact]
    public async Task A_publisher_that_never_checks_is_lost_when_the_hosts_clock_passes_its_consent_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new MunitOptions { BindAddress = "127.0.0.1", Port = 0 };
        using var media = new WebRtcMedia(options, time: time);
        await using var munit = new MunitServer(options, media);
        var lost = new ConcurrentQueue<PeerLost>();
        munit.PeerLost += lost.Enqueue;
        var offer = File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-simulcast-offer.sdp")
        );
        Assert.True(munit.CreateStation(new StationDescriptor("st", "room", "pub", "m2m", false)));
        var published = await munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st", "pub") { Sdp = offer });
        Assert.True(published.Ok, published.Error);

        for (int second = 0; second < 29; second++)
            time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(lost);
        Assert.Equal(1, media.Workers[0].Transport.PeerCount);

        for (int second = 0; second < 3; second++)
            time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("st", Assert.Single(lost).StationId);
        Assert.Equal(0, media.Workers[0].Transport.PeerCount);
    }
}
