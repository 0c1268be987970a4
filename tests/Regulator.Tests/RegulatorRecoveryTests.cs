using MobZ.Contracts;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.Regulator.Tests;

/// <summary>
/// What pub/sub cannot guarantee: missed messages, a Redis restart that loses every key, a Munit that dies
/// without cleaning up. Each runs against real redis-server.
/// </summary>
public sealed class RegulatorRecoveryTests : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly RedisServer _redis;

    public RegulatorRecoveryTests(RedisServer redis) => _redis = redis;

    [Fact]
    public async Task Reconcile_creates_stations_whose_assign_was_missed_and_closes_stations_whose_unassign_was_missed()
    {
        await using var backend = await _redis.CreateBackendAsync(_redis.NewKeyPrefix());
        await using var h = await RegulatorHarness.StartAsync(backend);

        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-silent", publish: false);
        await Eventually.WaitUntilAsync(
            () => h.Munit.HasStation("st-silent"),
            Timeout,
            "reconcile created the station without an Assign"
        );

        await RegulatorHarness.RemoveStationAsync(backend, h.MunitId, "st-silent", publish: false);
        await Eventually.WaitUntilAsync(
            () => !h.Munit.HasStation("st-silent"),
            Timeout,
            "reconcile closed the station without an Unassign"
        );
    }

    [Fact]
    public async Task Redis_restart_in_the_middle_of_a_session_loses_no_station()
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var backend = await redis.CreateBackendAsync();
        await using var h = await RegulatorHarness.StartAsync(backend);
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-1");
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-2", hls: true);
        await Eventually.WaitUntilAsync(
            () => h.Munit.HasStation("st-1") && h.Munit.HasStation("st-2"),
            Timeout,
            "both stations exist"
        );

        await redis.RestartAsync(); // no persistence: every key is gone

        // The Munit keeps its stations, and the Regulator writes back what the store lost.
        await Eventually.WaitUntilAsync(
            async () =>
                await backend.Store.ExistsAsync(MunitKeys.Alive(h.MunitId))
                && (await backend.Store.SetMembersAsync(MunitKeys.Stations(h.MunitId))).Count == 2,
            Timeout,
            "registration and station set restored after the restart"
        );
        Assert.True(h.Munit.HasStation("st-1"));
        Assert.True(h.Munit.HasStation("st-2"));
        var st2 = await backend.Store.HashGetAllAsync(MunitKeys.Station("st-2"));
        Assert.Equal(h.MunitId, st2[StationFields.Munit]);
        Assert.Equal("true", st2[StationFields.Hls]);
        Assert.Equal("pub-st-2", st2[StationFields.Publisher]);

        // Orders work again after the reconnect (the subscription came back).
        await RegulatorHarness.PlaceStationAsync(backend, h.MunitId, "st-3");
        await Eventually.WaitUntilAsync(
            () => h.Munit.HasStation("st-3"),
            Timeout,
            "a station assigned after the restart exists"
        );
        Assert.True(h.Munit.HasStation("st-1"));
    }

    [Fact]
    public async Task Munit_whose_heartbeat_expires_has_its_stations_reassigned_to_a_live_Munit()
    {
        string prefix = _redis.NewKeyPrefix();
        await using var backendA = await _redis.CreateBackendAsync(prefix);
        await using var backendB = await _redis.CreateBackendAsync(prefix);
        var a = await RegulatorHarness.StartAsync(backendA, "munit-a", RegulatorHarness.FastOptions);
        await using var b = await RegulatorHarness.StartAsync(backendB, "munit-b");
        for (int i = 0; i < 3; i++)
            await RegulatorHarness.PlaceStationAsync(backendA, "munit-a", $"st-{i}");
        await Eventually.WaitUntilAsync(() => a.Munit.StationIds.Count == 3, Timeout, "munit-a runs three stations");
        Assert.Empty(b.Munit.StationIds);
        var announced = new System.Collections.Concurrent.ConcurrentQueue<StationsMovedEvent>();
        await using var moves = await backendB.Bus.SubscribeAsync(MunitKeys.MovesChannel, json =>
        {
            announced.Enqueue(
                System.Text.Json.JsonSerializer.Deserialize(json, ContractsJsonContext.Default.StationsMovedEvent)!
            );
            return Task.CompletedTask;
        });

        await a.Regulator.AbandonAsync(); // a crash: no hand-over, no deregistration

        await Eventually.WaitUntilAsync(
            () => b.Munit.StationIds.Count == 3,
            Timeout,
            "munit-b took over the three stations"
        );
        var store = backendB.Store;
        Assert.False(await store.ExistsAsync(MunitKeys.Info("munit-a")));
        Assert.Null(await store.SortedSetScoreAsync(MunitKeys.Registry, "munit-a"));
        Assert.Empty(await store.SetMembersAsync(MunitKeys.Stations("munit-a")));
        Assert.Equal(3, (await store.SetMembersAsync(MunitKeys.Stations("munit-b"))).Count);
        for (int i = 0; i < 3; i++)
            Assert.Equal("munit-b", await store.HashGetAsync(MunitKeys.Station($"st-{i}"), StationFields.Munit));
        // Signaling hears of the move once, so it can tell the stations' clients.
        await Eventually.WaitUntilAsync(
            () => !announced.IsEmpty,
            Timeout,
            "the move was announced on the moves channel"
        );
        var moved = Assert.Single(announced);
        Assert.Equal("munit-a", moved.FromMunitId);
        Assert.Equal(StationsMovedEvent.Expired, moved.Reason);
        Assert.Equal(["st-0", "st-1", "st-2"], moved.Moves.Select(m => m.StationId).Order());
        Assert.All(moved.Moves, m => Assert.Equal("munit-b", m.ToMunitId));
        await a.Munit.DisposeAsync();
    }

    [Fact]
    public async Task When_several_munits_notice_the_same_expiry_each_station_moves_exactly_once()
    {
        string prefix = _redis.NewKeyPrefix();
        await using var backend = await _redis.CreateBackendAsync(prefix);
        var dead = await RegulatorHarness.StartAsync(backend, "dead", RegulatorHarness.FastOptions);
        await using var b = await RegulatorHarness.StartAsync(backend, "live-b");
        await using var c = await RegulatorHarness.StartAsync(backend, "live-c");
        for (int i = 0; i < 6; i++)
            await RegulatorHarness.PlaceStationAsync(backend, "dead", $"st-{i}");
        await Eventually.WaitUntilAsync(
            () => dead.Munit.StationIds.Count == 6,
            Timeout,
            "the doomed Munit runs six stations"
        );

        await dead.Regulator.AbandonAsync();

        await Eventually.WaitUntilAsync(
            () => b.Munit.StationIds.Count + c.Munit.StationIds.Count == 6,
            Timeout,
            "the survivors run six stations between them"
        );
        var onB = b.Munit.StationIds.ToHashSet();
        var onC = c.Munit.StationIds.ToHashSet();
        Assert.Empty(onB.Intersect(onC));
        // Spread, not piled on one survivor.
        Assert.Equal(3, onB.Count);
        Assert.Equal(3, onC.Count);
        await dead.Munit.DisposeAsync();
    }

    [Fact]
    public async Task Graceful_stop_hands_stations_to_another_Munit_and_deregisters()
    {
        string prefix = _redis.NewKeyPrefix();
        await using var backend = await _redis.CreateBackendAsync(prefix);
        var leaving = await RegulatorHarness.StartAsync(backend, "leaving");
        await using var staying = await RegulatorHarness.StartAsync(backend, "staying");
        await RegulatorHarness.PlaceStationAsync(backend, "leaving", "st-x");
        await Eventually.WaitUntilAsync(() => leaving.Munit.HasStation("st-x"), Timeout, "st-x on the leaving Munit");

        await leaving.Regulator.StopAsync();

        Assert.False(leaving.Munit.HasStation("st-x"));
        Assert.False(await backend.Store.ExistsAsync(MunitKeys.Info("leaving")));
        await Eventually.WaitUntilAsync(
            () => staying.Munit.HasStation("st-x"),
            Timeout,
            "st-x moved to the staying Munit"
        );
        await leaving.Munit.DisposeAsync();
    }

    [Fact]
    public async Task Munit_that_comes_back_after_its_stations_moved_closes_them_instead_of_fighting_over_them()
    {
        string prefix = _redis.NewKeyPrefix();
        await using var backend = await _redis.CreateBackendAsync(prefix);
        await using var survivor = await RegulatorHarness.StartAsync(backend, "survivor");
        var zombie = await RegulatorHarness.StartAsync(backend, "zombie", RegulatorHarness.FastOptions);
        await RegulatorHarness.PlaceStationAsync(backend, "zombie", "st-z");
        await Eventually.WaitUntilAsync(() => zombie.Munit.HasStation("st-z"), Timeout, "st-z on the zombie");
        await zombie.Regulator.AbandonAsync();
        await Eventually.WaitUntilAsync(() => survivor.Munit.HasStation("st-z"), Timeout, "st-z moved to the survivor");

        // The same Munit process recovers (a long pause) with a fresh Regulator.
        await using var revived = new RegulatorOnExistingMunit(backend, zombie);
        await revived.Regulator.StartAsync();
        Assert.False(zombie.Munit.HasStation("st-z"));
        Assert.Equal("survivor", await backend.Store.HashGetAsync(MunitKeys.Station("st-z"), StationFields.Munit));
        await zombie.Munit.DisposeAsync();
    }

    private sealed class RegulatorOnExistingMunit(MobZ.State.IStateBackend backend, RegulatorHarness old)
        : IAsyncDisposable
    {
        public Regulator Regulator { get; } =
            new(
                old.Munit,
                backend.Store,
                backend.Bus,
                old.MunitId,
                "127.0.0.1",
                40000,
                100,
                RegulatorHarness.FastOptions,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<Regulator>.Instance
            );

        public ValueTask DisposeAsync() => Regulator.DisposeAsync();
    }
}
