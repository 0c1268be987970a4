using System.Text.Json;
using MobZ.Contracts;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// A Regulator moved a station to another Munit (the old one died or stopped) and announced it on the moves
/// channel: everyone in the room is told, the publisher's next offer goes to the new Munit, and viewers learn
/// when to watch again.
/// </summary>
public sealed class StationMoveTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.GatewayOnly), MemberType = typeof(Backends))]
    public async Task A_moved_station_is_announced_to_its_publisher_and_viewers_who_reconnect_to_the_new_Munit(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var oldMunit = await h.StartMunitAsync("munit-old", load: 0.0);
        var newMunit = await h.StartMunitAsync("munit-new", load: 0.5);
        var pub = await h.ConnectAsync();
        var viewer = await h.ConnectAsync();
        string stationId = (await pub.JoinAsync("moving", "m2m", "publisher")).GetProperty("stationId").GetString()!;
        Assert.Equal("munit-old", await h.Store.HashGetAsync(MunitKeys.Station(stationId), StationFields.Munit));
        await pub.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o1",
                sdp = "v=0\r\nfirst",
            }
        );
        await pub.NextAsync("Answer");
        await viewer.JoinAsync("moving", "m2m", "viewer");

        await MoveAsync(h, stationId, "munit-old", "munit-new");

        foreach (var client in new[] { pub, viewer })
        {
            var moved = await client.NextAsync("StationMoved");
            Assert.Equal(stationId, moved.GetProperty("stationId").GetString());
            Assert.Equal(pub.ConnectionId, moved.GetProperty("publisherId").GetString());
            Assert.Equal("moving", moved.GetProperty("roomId").GetString());
            Assert.Equal(StationsMovedEvent.Expired, moved.GetProperty("reason").GetString());
        }

        // Not live until it offers again: a joiner now gets no offer for it.
        var late = await h.ConnectAsync();
        var lateAck = await late.JoinAsync("moving", "m2m", "viewer");
        var info = Assert.Single(lateAck.GetProperty("publishers").EnumerateArray());
        Assert.False(info.GetProperty("live").GetBoolean());

        // The publisher's new offer reaches the new Munit; the room hears it is live again.
        await pub.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o2",
                sdp = "v=0\r\nagain",
            }
        );
        await pub.NextAsync("Answer", m => m.GetProperty("requestId").GetString() == "o2");
        Assert.Contains(newMunit.Requests, r => r.Op == MediaOps.Publish && r.Sdp == "v=0\r\nagain");
        Assert.DoesNotContain(oldMunit.Requests, r => r.Op == MediaOps.Publish && r.Sdp == "v=0\r\nagain");
        foreach (var client in new[] { viewer, late })
        {
            var published = await client.NextAsync("PublishListChangeAck", m =>
                m.GetProperty("reason").GetString() == "published"
            );
            Assert.True(
                Assert.Single(published.GetProperty("publishers").EnumerateArray()).GetProperty("live").GetBoolean()
            );
        }
        await viewer.SendAsync(
            new
            {
                action = "Watch",
                requestId = "w",
                stationId,
            }
        );
        await viewer.NextAsync("WatchAck");
        Assert.Contains(newMunit.Requests, r => r.Op == MediaOps.Watch && r.PeerId == viewer.ConnectionId);

        // The same event heard again (another node, a duplicate) tells nobody twice.
        await h.Backend.Bus.PublishAsync(MunitKeys.MovesChannel, Event(stationId, "munit-old", "munit-new"));
        await viewer.SyncAsync();
        await pub.SyncAsync();
        Assert.Single(viewer.Received, m => TestClient.Action(m) == "StationMoved");
        Assert.Single(pub.Received, m => TestClient.Action(m) == "StationMoved");
    }

    [Theory]
    [MemberData(nameof(Backends.GatewayOnly), MemberType = typeof(Backends))]
    public async Task A_malformed_or_stale_move_event_is_dropped_and_the_room_carries_on(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var pub = await h.ConnectAsync();
        string stationId = (await pub.JoinAsync("stale", "m2m", "publisher")).GetProperty("stationId").GetString()!;

        await h.Backend.Bus.PublishAsync(MunitKeys.MovesChannel, "{not json");
        await h.Backend.Bus.PublishAsync(
            MunitKeys.MovesChannel,
            """{"v":99,"fromMunitId":"x","reason":"expired","moves":[]}"""
        );
        // The station hash still names munit-a: a move to munit-b is stale and tells nobody.
        await h.Backend.Bus.PublishAsync(MunitKeys.MovesChannel, Event(stationId, "munit-a", "munit-b"));

        await pub.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o",
                sdp = "v=0\r\nstill",
            }
        );
        await pub.NextAsync("Answer");
        await pub.SyncAsync();
        Assert.DoesNotContain(pub.Received, m => TestClient.Action(m) == "StationMoved");
    }

    /// <summary>What a Regulator's reassignment commits and then announces.</summary>
    private static async Task MoveAsync(RoomHarness h, string stationId, string from, string to)
    {
        Assert.True(
            await h
                .Store.CreateTransaction()
                .When(new MobZ.State.StateCondition.HashEqual(MunitKeys.Station(stationId), StationFields.Munit, from))
                .SetRemove(MunitKeys.Stations(from), stationId)
                .SetAdd(MunitKeys.Stations(to), stationId)
                .HashSet(MunitKeys.Station(stationId), StationFields.Munit, to)
                .ExecuteAsync()
        );
        await h.Backend.Bus.PublishAsync(MunitKeys.MovesChannel, Event(stationId, from, to));
    }

    private static string Event(string stationId, string from, string to) =>
        JsonSerializer.Serialize(
            new StationsMovedEvent(from, StationsMovedEvent.Expired, [new StationMove(stationId, to)]),
            ContractsJsonContext.Default.StationsMovedEvent
        );
}
