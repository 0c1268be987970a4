using MobZ.Contracts;
using MobZ.Munit.Control;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.Regulator.Tests;

/// <summary>
/// Redis restarted empty: the Regulator writes its stations back, but signaling has no record of their publishers'
/// connections, tells those clients to reconnect and broadcasts PeerGone. The old stations must not outlive that,
/// or the rejoined publisher's new station would run beside an orphan.
/// </summary>
public sealed class PeerGoneTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task After_Redis_lost_its_data_peer_gone_closes_the_lost_publishers_station_and_drops_it_as_a_viewer()
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var backend = await redis.CreateBackendAsync();
        await using var h = await RegulatorHarness.StartAsync(backend);
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-lost");
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-other");
        await Eventually.WaitUntilAsync(
            () => h.Munit.HasStation("st-lost") && h.Munit.HasStation("st-other"),
            Timeout,
            "both stations run"
        );

        await redis.RestartAsync(); // no persistence: every key is gone
        await Eventually.WaitUntilAsync(
            async () => (await backend.Store.SetMembersAsync(MunitKeys.Stations(h.MunitId))).Count == 2,
            Timeout,
            "the Regulator wrote its stations back"
        );

        await backend.Bus.PublishAsync(
            MunitKeys.BroadcastChannel,
            System.Text.Json.JsonSerializer.Serialize<MunitSignal>(
                new PeerGoneSignal("pub-st-lost"),
                ContractsJsonContext.Default.MunitSignal
            )
        );

        await Eventually.WaitUntilAsync(
            () => !h.Munit.HasStation("st-lost"),
            Timeout,
            "the lost publisher's station closed"
        );
        Assert.False(await backend.Store.ExistsAsync(MunitKeys.Station("st-lost")));
        Assert.Equal(["st-other"], await backend.Store.SetMembersAsync(MunitKeys.Stations(h.MunitId)));
        Assert.True(h.Munit.HasStation("st-other"));
        Assert.Equal(
            "pub-st-other",
            await backend.Store.HashGetAsync(MunitKeys.Station("st-other"), StationFields.Publisher)
        );
        Assert.Contains(h.Media.Commands, c =>
            c.Op == MediaOp.Leave && c.StationId == "st-other" && c.PeerId == "pub-st-lost"
        );

        // A later reconcile does not bring it back.
        await h.Regulator.ReconcileAsync();
        Assert.False(h.Munit.HasStation("st-lost"));
        Assert.False(await backend.Store.ExistsAsync(MunitKeys.Station("st-lost")));
    }

    [Fact]
    public async Task Peer_gone_leaves_a_station_alone_whose_hash_names_another_publisher()
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var backend = await redis.CreateBackendAsync();
        await using var h = await RegulatorHarness.StartAsync(backend);
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-a");
        await Eventually.WaitUntilAsync(() => h.Munit.HasStation("st-a"), Timeout, "the station runs");

        await backend.Bus.PublishAsync(
            MunitKeys.BroadcastChannel,
            System.Text.Json.JsonSerializer.Serialize<MunitSignal>(
                new PeerGoneSignal("somebody-else"),
                ContractsJsonContext.Default.MunitSignal
            )
        );
        await Eventually.WaitUntilAsync(
            () => h.Media.Commands.Any(c => c.Op == MediaOp.Leave && c.PeerId == "somebody-else"),
            Timeout,
            "the Regulator handled PeerGone"
        );

        Assert.True(h.Munit.HasStation("st-a"));
        Assert.Equal(h.MunitId, await backend.Store.HashGetAsync(MunitKeys.Station("st-a"), StationFields.Munit));
    }

    [Fact]
    public async Task A_Regulator_that_writes_back_lost_stations_names_their_publishers_on_the_restored_channel()
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var backend = await redis.CreateBackendAsync();
        await using var h = await RegulatorHarness.StartAsync(backend);
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-1");
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-2");
        await Eventually.WaitUntilAsync(
            () => h.Munit.HasStation("st-1") && h.Munit.HasStation("st-2"),
            Timeout,
            "both stations run"
        );
        var heard = new System.Collections.Concurrent.ConcurrentQueue<StationsRestoredEvent>();
        await using var _ = await backend.Bus.SubscribeAsync(MunitKeys.RestoredChannel, json =>
        {
            heard.Enqueue(
                System.Text.Json.JsonSerializer.Deserialize(json, ContractsJsonContext.Default.StationsRestoredEvent)!
            );
            return Task.CompletedTask;
        });

        Assert.Equal("OK", await redis.CommandAsync("FLUSHALL")); // the data is gone, the connection stays

        await Eventually.WaitUntilAsync(() => !heard.IsEmpty, Timeout, "the write-back was announced");
        var restored = Assert.Single(heard);
        Assert.Equal(h.MunitId, restored.MunitId);
        Assert.Equal(["pub-st-1", "pub-st-2"], restored.PublisherIds.Order());
    }
}
