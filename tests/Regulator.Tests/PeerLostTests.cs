using System.Collections.Concurrent;
using System.Text.Json;
using MobZ.Contracts;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.Regulator.Tests;

/// <summary>A publisher's media peer that ends by itself on the Munit is announced to signaling, which tells the
/// room.</summary>
public sealed class PeerLostTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_publisher_peer_that_ends_by_itself_is_announced_on_the_peers_channel()
    {
        await using var backend = await redis.CreateBackendAsync(redis.NewKeyPrefix());
        await using var h = await RegulatorHarness.StartAsync(backend);
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-1");
        await Eventually.WaitUntilAsync(() => h.Munit.HasStation("st-1"), TimeSpan.FromSeconds(15), "the station runs");
        var heard = new ConcurrentQueue<PeerLostEvent>();
        await using var _ = await backend.Bus.SubscribeAsync(MunitKeys.PeersChannel, json =>
        {
            heard.Enqueue(JsonSerializer.Deserialize(json, ContractsJsonContext.Default.PeerLostEvent)!);
            return Task.CompletedTask;
        });

        h.Media.Lose("st-1", "pub-st-1", "DTLS close_notify");

        await Eventually.WaitUntilAsync(() => !heard.IsEmpty, TimeSpan.FromSeconds(15), "the loss was announced");
        var lost = Assert.Single(heard);
        Assert.Equal(h.MunitId, lost.MunitId);
        Assert.Equal("st-1", lost.StationId);
        Assert.Equal("pub-st-1", lost.PeerId);
        Assert.Equal("DTLS close_notify", lost.Reason);
        Assert.False(string.IsNullOrEmpty(lost.EventId));
        Assert.True(h.Munit.HasStation("st-1"), "the station stays for the publisher's next offer");
    }
}
