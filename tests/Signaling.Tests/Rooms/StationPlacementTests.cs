using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// A publisher's station goes to the live, accepting Munit with the lowest reported load plus a share per station it
/// runs, chosen and written in one step (<c>munits.place</c>): a burst of publishers joining at once spreads evenly
/// and none is refused because another placement got there first.
/// </summary>
public sealed class StationPlacementTests(RedisServer redis) : IClassFixture<RedisServer>
{
    public static TheoryData<string> StoreBackends =>
        new() { Backends.InProcess, Backends.Redis, Backends.RedisCluster };

    [Theory]
    [MemberData(nameof(StoreBackends))]
    public async Task A_burst_of_publishers_spreads_evenly_over_the_live_accepting_Munits(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        var store = state.Store;
        // Equal reported loads (they lag a burst by a heartbeat): the stations each Munit already runs decide.
        var rooms = new RoomRepository(
            store,
            Options.Create(new RoomOptions { PlacementStationWeight = 0.01 }),
            TimeProvider.System
        );
        foreach (var id in new[] { "m-a", "m-b", "m-c" })
            await RegisterAsync(store, id, load: 0.1);
        await RegisterAsync(store, "m-draining", load: 0, draining: true);
        await RegisterAsync(store, "m-dead", load: 0, alive: false);
        const int Publishers = 90;

        var joins = Enumerable
            .Range(0, Publishers)
            .Select(i =>
                rooms.JoinAsync(
                    $"p{i}",
                    $"room-{i % 10}",
                    RoomKind.M2m,
                    ParticipantTypes.Publisher,
                    new ParticipantEntry(),
                    AccessGrant.Join | AccessGrant.Publish
                )
            )
            .ToArray();
        var failures = new List<string>();
        foreach (var (join, i) in joins.Select((j, i) => (j, i)))
        {
            try
            {
                await join;
            }
            catch (SignalException ex)
            {
                failures.Add($"p{i}: {ex.Code} {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} joins refused: {string.Join("; ", failures.Take(5))}");
        var outcomes = await Task.WhenAll(joins);
        foreach (var id in new[] { "m-a", "m-b", "m-c" })
            Assert.Equal(Publishers / 3, await store.SetLengthAsync(MunitKeys.Stations(id)));
        Assert.Equal(0, await store.SetLengthAsync(MunitKeys.Stations("m-draining")));
        Assert.Equal(0, await store.SetLengthAsync(MunitKeys.Stations("m-dead")));
        foreach (var outcome in outcomes)
        {
            var station = await store.HashGetAllAsync(MunitKeys.Station(outcome.Entry.StationId!));
            Assert.Equal(outcome.Entry.MunitId, station[StationFields.Munit]);
            Assert.True(
                await store.SetContainsAsync(MunitKeys.Stations(outcome.Entry.MunitId!), outcome.Entry.StationId!)
            );
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackends))]
    public async Task The_lowest_load_plus_its_stations_wins_and_no_live_accepting_Munit_is_a_clear_refusal(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        var store = state.Store;
        var rooms = new RoomRepository(
            store,
            Options.Create(new RoomOptions { PlacementStationWeight = 0.1 }),
            TimeProvider.System
        );
        // A p2m room has one publisher: each joins a room of its own.
        Task<JoinOutcome> JoinAsync(string id) =>
            rooms.JoinAsync(
                id,
                "live-" + id,
                RoomKind.P2m,
                ParticipantTypes.Publisher,
                new ParticipantEntry(),
                AccessGrant.Join | AccessGrant.Publish
            );

        var refused = await Assert.ThrowsAsync<SignalException>(() => JoinAsync("nobody-registered"));
        Assert.Equal(ErrorCodes.NoMunitAvailable, refused.Code);
        Assert.Null(await store.HashGetAsync(RoomKeys.Connection("nobody-registered"), RoomKeys.RoomField));

        // m-busy reports more load but runs nothing; m-idle reports less but runs three stations already.
        await RegisterAsync(store, "m-busy", load: 0.5);
        await RegisterAsync(store, "m-idle", load: 0.3);
        foreach (var i in Enumerable.Range(0, 3))
            await store.SetAddAsync(MunitKeys.Stations("m-idle"), $"st-old-{i}");

        var placed = await JoinAsync("first");
        Assert.Equal("m-busy", placed.Entry.MunitId); // 0.5 + 0 < 0.3 + 3 × 0.1
        var station = await store.HashGetAllAsync(MunitKeys.Station(placed.Entry.StationId!));
        Assert.Equal("live-first", station[StationFields.Room]);
        Assert.Equal("first", station[StationFields.Publisher]);
        Assert.Equal("p2m", station[StationFields.RoomKind]);
        Assert.Equal("true", station[StationFields.Hls]);

        // A Munit whose heartbeat expired or that drains takes nothing, whatever its load.
        await store.DeleteAsync(MunitKeys.Alive("m-busy"));
        await store.HashSetAsync(MunitKeys.Info("m-idle"), MunitInfoFields.Draining, "true");
        var none = await Assert.ThrowsAsync<SignalException>(() => JoinAsync("second"));
        Assert.Equal(ErrorCodes.NoMunitAvailable, none.Code);

        // Leaving gives the station back, wherever a Regulator moved it meanwhile.
        await store.SetRemoveAsync(MunitKeys.Stations("m-busy"), placed.Entry.StationId!);
        await store.HashSetAsync(MunitKeys.Station(placed.Entry.StationId!), StationFields.Munit, "m-idle");
        await store.SetAddAsync(MunitKeys.Stations("m-idle"), placed.Entry.StationId!);
        await rooms.LeaveAsync("first");
        Assert.False(await store.ExistsAsync(MunitKeys.Station(placed.Entry.StationId!)));
        Assert.False(await store.SetContainsAsync(MunitKeys.Stations("m-idle"), placed.Entry.StationId!));
        Assert.Equal(3, await store.SetLengthAsync(MunitKeys.Stations("m-idle")));
    }

    private static async Task RegisterAsync(
        IStateStore store,
        string munitId,
        double load,
        bool alive = true,
        bool draining = false
    )
    {
        await store.HashSetAsync(MunitKeys.Info(munitId), MunitInfoFields.MunitId, munitId);
        await store.HashSetAsync(MunitKeys.Info(munitId), MunitInfoFields.Draining, draining ? "true" : "false");
        await store.SortedSetAddAsync(MunitKeys.Registry, munitId, load);
        if (alive)
            await store.SetStringAsync(MunitKeys.Alive(munitId), "1", TimeSpan.FromMinutes(5));
    }
}
