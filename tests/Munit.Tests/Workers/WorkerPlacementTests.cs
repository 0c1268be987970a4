using MobZ.Munit.Workers;

namespace MobZ.Munit.Tests.Workers;

public sealed class WorkerPlacementTests
{
    [Fact]
    public void A_new_room_goes_to_the_worker_with_the_fewest_peers()
    {
        int[] peers = [5, 2, 9];
        var placement = new WorkerPlacement(3, i => peers[i]);

        Assert.Equal(1, placement.Place("room-a"));
        peers[1] = 12;
        Assert.Equal(0, placement.Place("room-b"));
    }

    [Fact]
    public void Between_workers_with_as_many_peers_the_one_with_fewer_stations_wins_then_the_lower_index()
    {
        var placement = new WorkerPlacement(3, _ => 0);

        Assert.Equal([0, 1, 2, 0], new[] { "a", "b", "c", "d" }.Select(placement.Place));
    }

    [Fact]
    public void Every_station_of_a_room_follows_its_first_even_to_a_busier_worker()
    {
        int[] peers = [0, 0];
        var placement = new WorkerPlacement(2, i => peers[i]);
        Assert.Equal(0, placement.Place("room"));
        peers[0] = 100;

        Assert.Equal(0, placement.Place("room"));
        Assert.Equal(1, placement.Place("other"));
        Assert.Equal(2, placement.StationsOn(0));
        Assert.Equal(1, placement.RoomsOn(0));
    }

    [Fact]
    public void A_room_is_forgotten_when_its_last_station_closes_and_can_then_move()
    {
        int[] peers = [0, 0];
        var placement = new WorkerPlacement(2, i => peers[i]);
        placement.Place("room");
        placement.Place("room");

        placement.Release("room");
        Assert.Equal(0, placement.WorkerOf("room"));
        placement.Release("room");
        Assert.Equal(-1, placement.WorkerOf("room"));
        Assert.Equal(0, placement.StationsOn(0));

        peers[0] = 3;
        Assert.Equal(1, placement.Place("room"));
    }

    [Fact]
    public void Releasing_a_room_never_placed_changes_nothing()
    {
        var placement = new WorkerPlacement(2, _ => 0);
        placement.Place("room");

        placement.Release("unknown");

        Assert.Equal(1, placement.StationsOn(0));
        Assert.Equal(0, placement.WorkerOf("room"));
    }
}
