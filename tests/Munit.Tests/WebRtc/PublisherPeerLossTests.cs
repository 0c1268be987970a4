using System.Collections.Concurrent;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.Tests.WebRtc;

/// <summary>
/// A publisher's peer that ends while it is still the station's publisher (DTLS close or alert, consent expiry —
/// each proven to end a peer in the Rtc tests) is reported through <see cref="IMunit.PeerLost"/>; the closes the
/// Munit makes itself (Leave, a replacing offer, the station closing) are not.
/// </summary>
public sealed class PublisherPeerLossTests : IAsyncLifetime
{
    private readonly MunitOptions _options = new() { BindAddress = "127.0.0.1", Port = 0 };
    private readonly ConcurrentQueue<PeerLost> _lost = new();
    private WebRtcMedia _media = null!;
    private MunitServer _munit = null!;
    private string _offer = "";

    public Task InitializeAsync()
    {
        _media = new WebRtcMedia(_options);
        _munit = new MunitServer(_options, _media);
        _munit.PeerLost += _lost.Enqueue;
        _offer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-simulcast-offer.sdp"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _munit.DisposeAsync();
        _media.Dispose();
    }

    private async Task<RtcPeer> PublishAsync(string station)
    {
        var before = _media.Workers[0].Transport.Peers.ToHashSet();
        var published = await _munit.HandleAsync(
            new MediaCommand(MediaOp.Publish, station, "pub-" + station) { Sdp = _offer }
        );
        Assert.True(published.Ok, published.Error);
        return Assert.Single(_media.Workers[0].Transport.Peers, p =>
            !before.Contains(p) && p.Id.StartsWith($"publisher:{station}:", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task A_publisher_peer_that_ends_by_itself_is_reported_with_its_station_peer_and_reason()
    {
        Assert.True(_munit.CreateStation(new StationDescriptor("st-a", "room", "pub-st-a", "m2m", false)));
        var peer = await PublishAsync("st-a");

        peer.Close(); // what a DTLS close_notify or a consent expiry does to it, from outside the station

        var lost = Assert.Single(_lost);
        Assert.Equal(new PeerLost("st-a", "pub-st-a", "closed locally"), lost);
        Assert.True(_munit.HasStation("st-a"));
    }

    [Fact]
    public async Task Closes_the_Munit_makes_itself_are_not_reported()
    {
        Assert.True(_munit.CreateStation(new StationDescriptor("st-b", "room", "pub-st-b", "m2m", false)));
        await PublishAsync("st-b");
        await PublishAsync("st-b"); // a new offer (not an ICE restart) replaces the peer and closes the old one
        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Leave, "st-b", "pub-st-b"))).Ok);

        Assert.True(_munit.CreateStation(new StationDescriptor("st-c", "room", "pub-st-c", "m2m", false)));
        await PublishAsync("st-c");
        Assert.True(_munit.CloseStation("st-c"));

        Assert.Empty(_lost);
    }
}
