using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Contracts;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Regulator.Tests;

/// <summary>
/// Moving a dead Munit's stations is one server-side step (<c>munits.move-stations</c>) on every backend: on a Redis
/// Cluster too, under a key prefix with no hash tag of its own, because the Munit keys share theirs.
/// </summary>
public sealed class MoveStationsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    public static TheoryData<string> StoreBackends => new() { "in-process", "redis", "redis-cluster" };

    [Theory]
    [MemberData(nameof(StoreBackends))]
    public async Task A_dead_Munits_stations_move_once_to_the_live_accepting_Munits_with_the_fewest(string backend)
    {
        await using var state = await CreateAsync(backend);
        var store = state.Store;
        await RegisterAsync(store, "m-dead", alive: false);
        await RegisterAsync(store, "m-b", load: 0.9);
        await RegisterAsync(store, "m-c", load: 0.1);
        await RegisterAsync(store, "m-draining", draining: true);
        await RegisterAsync(store, "m-gone", alive: false);
        await PlaceAsync(store, "m-b", "st-b0");
        foreach (var i in Enumerable.Range(0, 3))
            await PlaceAsync(store, "m-c", $"st-c{i}");
        foreach (var i in Enumerable.Range(0, 6))
            await PlaceAsync(store, "m-dead", $"st-{i}");
        // Listed by the dead Munit, but its hash says it runs elsewhere: not the dead Munit's to move.
        await PlaceAsync(store, "m-elsewhere", "st-stale");
        await store.SetAddAsync(MunitKeys.Stations("m-dead"), "st-stale");

        // Every Regulator notices the same expiry at once; exactly one moves the stations.
        var movers = Enumerable
            .Range(0, 8)
            .Select(_ => new StationReassigner(store, state.Bus, NullLogger.Instance).ReassignAsync("m-dead", true))
            .ToArray();
        var moved = await Task.WhenAll(movers);

        Assert.Equal([-1, -1, -1, -1, -1, -1, -1, 6], moved.Order());
        // Ten stations over the two that take them: five each, whatever their reported loads.
        Assert.Equal(5, await store.SetLengthAsync(MunitKeys.Stations("m-b")));
        Assert.Equal(5, await store.SetLengthAsync(MunitKeys.Stations("m-c")));
        foreach (var i in Enumerable.Range(0, 6))
        {
            var munit = await store.HashGetAsync(MunitKeys.Station($"st-{i}"), StationFields.Munit);
            Assert.True(munit is "m-b" or "m-c", $"st-{i} on {munit}");
            Assert.True(await store.SetContainsAsync(MunitKeys.Stations(munit!), $"st-{i}"));
        }
        Assert.Equal("m-elsewhere", await store.HashGetAsync(MunitKeys.Station("st-stale"), StationFields.Munit));
        Assert.False(await store.ExistsAsync(MunitKeys.Stations("m-dead")));
        Assert.False(await store.ExistsAsync(MunitKeys.Info("m-dead")));
        Assert.Null(await store.SortedSetScoreAsync(MunitKeys.Registry, "m-dead"));
        Assert.Equal(0, await store.SetLengthAsync(MunitKeys.Stations("m-draining")));
    }

    [Theory]
    [MemberData(nameof(StoreBackends))]
    public async Task Nothing_moves_off_a_Munit_that_is_alive_fenced_or_has_nowhere_to_go(string backend)
    {
        await using var state = await CreateAsync(backend);
        var store = state.Store;
        var reassigner = new StationReassigner(store, state.Bus, NullLogger.Instance);
        await RegisterAsync(store, "m-a", epoch: "e1");
        await PlaceAsync(store, "m-a", "st-1");

        Assert.Equal(-1, await reassigner.ReassignAsync("m-a", requireExpired: true));
        Assert.Equal(-1, await reassigner.ReassignAsync("m-a", requireExpired: false, leaseEpoch: "e1"));
        await RegisterAsync(store, "m-b", draining: true);
        Assert.Equal(-1, await reassigner.ReassignAsync("m-a", requireExpired: false, leaseEpoch: "e1"));
        Assert.Equal("m-a", await store.HashGetAsync(MunitKeys.Station("st-1"), StationFields.Munit));

        await RegisterAsync(store, "m-c");
        Assert.Equal(-1, await reassigner.ReassignAsync("m-a", requireExpired: false, leaseEpoch: "an-old-lease"));
        Assert.Equal("m-a", await store.HashGetAsync(MunitKeys.Station("st-1"), StationFields.Munit));

        // A drain that outlasted its deadline: the stations move, the Munit stays registered.
        Assert.Equal(1, await reassigner.ReassignAsync("m-a", requireExpired: false, leaseEpoch: "e1", retire: false));
        Assert.Equal("m-c", await store.HashGetAsync(MunitKeys.Station("st-1"), StationFields.Munit));
        Assert.True(await store.ExistsAsync(MunitKeys.Info("m-a")));
        Assert.Equal(0, await reassigner.ReassignAsync("m-a", requireExpired: false, leaseEpoch: "e1", retire: false));
    }

    private async Task<IStateBackend> CreateAsync(string backend) =>
        backend switch
        {
            "in-process" => await StateBackend.CreateAsync(null, NullLoggerFactory.Instance),
            "redis" => await redis.CreateBackendAsync(redis.NewKeyPrefix()),
            // No hash tag in the prefix: the Munit keys' own tag must keep each step's keys in one slot.
            _ => await (await RedisCluster.SharedAsync()).CreateBackendAsync($"mobz-test:{Guid.NewGuid():N}:"),
        };

    private static async Task RegisterAsync(
        IStateStore store,
        string munitId,
        double load = 0,
        bool alive = true,
        bool draining = false,
        string epoch = "e0"
    )
    {
        await store.HashSetAsync(
            MunitKeys.Info(munitId),
            [
                new(MunitInfoFields.MunitId, munitId),
                new(MunitInfoFields.Draining, draining ? "true" : "false"),
                new(MunitInfoFields.Epoch, epoch),
            ]
        );
        await store.SortedSetAddAsync(MunitKeys.Registry, munitId, load);
        if (alive)
            await store.SetStringAsync(MunitKeys.Alive(munitId), "1", TimeSpan.FromMinutes(5));
    }

    private static async Task PlaceAsync(IStateStore store, string munitId, string stationId)
    {
        await store.HashSetAsync(MunitKeys.Station(stationId), StationFields.Munit, munitId);
        await store.SetAddAsync(MunitKeys.Stations(munitId), stationId);
    }
}
