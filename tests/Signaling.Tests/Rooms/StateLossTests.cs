using System.Collections.Concurrent;
using System.Text.Json;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// Redis loses every key under a live m2m call (a restart without persistence, FLUSHALL). The gateway still holds
/// the sockets, so each client is told on its next Heartbeat or action (STATE_LOST), every Munit hears PeerGone for
/// it, and the clients' reconnect and rejoin rebuild the room with one owner and one station per publisher.
/// </summary>
public sealed class StateLossTests
{
    [Theory]
    [InlineData(Backends.Direct + Backends.Redis)]
    [InlineData(Backends.Gateway + Backends.Redis)]
    public async Task After_the_store_lost_its_data_clients_rejoin_to_one_owner_and_one_station_per_publisher(
        string backend
    )
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var alice = await h.ConnectAsync(userId: "alice");
        var viewer = await h.ConnectAsync(userId: "vera");
        string oldStation = (await alice.JoinAsync("lossy", "m2m", "publisher")).GetProperty("stationId").GetString()!;
        await alice.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o1",
                sdp = "v=0\r\nfirst",
            }
        );
        await alice.NextAsync("Answer");
        await viewer.JoinAsync("lossy", "m2m", "viewer");
        var gone = new ConcurrentQueue<string>();
        await using var broadcast = await h.Backend.Bus.SubscribeAsync(MunitKeys.BroadcastChannel, json =>
        {
            if (JsonSerializer.Deserialize(json, ContractsJsonContext.Default.MunitSignal) is PeerGoneSignal g)
                gone.Enqueue(g.PeerId);
            return Task.CompletedTask;
        });

        Assert.Equal("OK", await redis.CommandAsync("FLUSHALL"));
        await munit.RegisterAsync(); // as its Regulator does when its lease renewal finds the registration gone

        // Each client hears it on its next message: a Heartbeat, or an action that used to answer NOT_IN_ROOM.
        Assert.Equal("STATE_LOST", await alice.ErrorCodeForAsync("""{"action":"Heartbeat","requestId":"hb"}""", "hb"));
        Assert.Equal(
            "STATE_LOST",
            await alice.ErrorCodeForAsync("""{"action":"Offer","requestId":"o2","sdp":"v=0"}""", "o2")
        );
        Assert.Equal("STATE_LOST", await viewer.ErrorCodeForAsync("""{"action":"Heartbeat","requestId":"hb"}""", "hb"));
        Assert.Equal(
            "STATE_LOST",
            await viewer.ErrorCodeForAsync(
                """{"action":"Join","requestId":"j","roomId":"lossy","roomKind":"m2m","role":"viewer"}""",
                "j"
            )
        );
        await Eventually.WaitUntilAsync(
            () => gone.Contains(alice.ConnectionId) && gone.Contains(viewer.ConnectionId),
            TimeSpan.FromSeconds(10),
            "every Munit heard PeerGone for both lost connections"
        );
        // Two refused messages each, one PeerGone each: a client that keeps sending cannot make the Munits repeat it.
        Assert.Equal(
            "STATE_LOST",
            await alice.ErrorCodeForAsync("""{"action":"Heartbeat","requestId":"hb2"}""", "hb2")
        );
        Assert.Single(gone, id => id == alice.ConnectionId);
        Assert.Single(gone, id => id == viewer.ConnectionId);

        // They reconnect (new tokens, new connection ids) and join again as what they were.
        var alice2 = await h.ConnectAsync(userId: "alice");
        var viewer2 = await h.ConnectAsync(userId: "vera");
        var ack = await alice2.JoinAsync("lossy", "m2m", "publisher");
        string newStation = ack.GetProperty("stationId").GetString()!;
        Assert.NotEqual(oldStation, newStation);
        Assert.Equal(alice2.ConnectionId, ack.GetProperty("ownerId").GetString());
        await alice2.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o3",
                sdp = "v=0\r\nagain",
            }
        );
        await alice2.NextAsync("Answer");
        var viewerAck = await viewer2.JoinAsync("lossy", "m2m", "viewer");
        var listed = Assert.Single(viewerAck.GetProperty("publishers").EnumerateArray());
        Assert.Equal(newStation, listed.GetProperty("stationId").GetString());
        Assert.True(
            listed.TryGetProperty("offerSdp", out _),
            "the rejoined viewer gets an offer for the rejoined publisher"
        );
        Assert.Equal(alice2.ConnectionId, viewerAck.GetProperty("ownerId").GetString());

        // The store after recovery: one owner, the rejoined members only, one station for the publisher.
        var store = h.Store;
        Assert.Equal(alice2.ConnectionId, await store.HashGetAsync(RoomKeys.Room("lossy"), RoomKeys.OwnerField));
        Assert.Equal([alice2.ConnectionId], (await store.HashGetAllAsync(RoomKeys.Publishers("lossy"))).Keys);
        Assert.Equal([viewer2.ConnectionId], (await store.HashGetAllAsync(RoomKeys.Viewers("lossy"))).Keys);
        Assert.Equal([newStation], await store.SetMembersAsync(MunitKeys.Stations("munit-a")));
        Assert.False(await store.ExistsAsync(RoomKeys.Connection(alice.ConnectionId)));
        Assert.False(await store.ExistsAsync(RoomKeys.Access(alice.ConnectionId)));
        Assert.Equal(
            alice2.ConnectionId,
            await store.HashGetAsync(MunitKeys.Station(newStation), StationFields.Publisher)
        );
        await alice2.SyncAsync();
        await viewer2.SyncAsync();
    }

    [Theory]
    [InlineData(Backends.Direct + Backends.Redis)]
    [InlineData(Backends.Gateway + Backends.Redis)]
    public async Task A_socket_opened_while_the_store_is_down_gets_503_with_a_reason_and_is_admitted_once_it_is_back(
        string backend
    )
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var h = await RoomHarness.CreateAsync(backend, redis);

        await redis.StopAsync();
        Assert.Null(await h.ConnectWithTokenAsync(h.Token()));
        Assert.Equal(503, h.LastConnectStatus);

        await redis.StartAgainAsync();
        await Eventually.WaitUntilAsync(
            async () => await h.ConnectWithTokenAsync(h.Token()) is not null,
            TimeSpan.FromSeconds(30),
            "a socket is admitted once the store is back"
        );
    }

    [Fact]
    public async Task A_publisher_whose_station_was_written_back_is_told_and_a_closed_lost_connection_loses_media()
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var h = await RoomHarness.CreateAsync(Backends.Gateway + Backends.Redis, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var alice = await h.ConnectAsync(userId: "alice");
        var viewer = await h.ConnectAsync(userId: "vera");
        var bystander = await h.ConnectAsync(userId: "bo");
        await alice.JoinAsync("told", "m2m", "publisher");
        await viewer.JoinAsync("told", "m2m", "viewer");
        var gone = new ConcurrentQueue<string>();
        await using var broadcast = await h.Backend.Bus.SubscribeAsync(MunitKeys.BroadcastChannel, json =>
        {
            if (JsonSerializer.Deserialize(json, ContractsJsonContext.Default.MunitSignal) is PeerGoneSignal g)
                gone.Enqueue(g.PeerId);
            return Task.CompletedTask;
        });

        Assert.Equal("OK", await redis.CommandAsync("FLUSHALL"));
        // What a Regulator publishes after writing back the lost stations: alice is told without sending anything.
        await h.Backend.Bus.PublishAsync(
            MunitKeys.RestoredChannel,
            JsonSerializer.Serialize(
                new StationsRestoredEvent("munit-a", [alice.ConnectionId, bystander.ConnectionId + "-not-a-publisher"]),
                ContractsJsonContext.Default.StationsRestoredEvent
            )
        );
        var told = await alice.NextAsync("Error");
        Assert.Equal("STATE_LOST", told.GetProperty("code").GetString());
        Assert.False(told.TryGetProperty("requestId", out _));
        await Eventually.WaitUntilAsync(
            () => gone.Contains(alice.ConnectionId),
            TimeSpan.FromSeconds(10),
            "PeerGone for alice"
        );

        // The viewer closes its tab before its next Heartbeat: its $disconnect finds no records and drops its media.
        await viewer.CloseAsync();
        await Eventually.WaitUntilAsync(
            () => gone.Contains(viewer.ConnectionId),
            TimeSpan.FromSeconds(10),
            "PeerGone for the closed viewer"
        );
        Assert.Equal(
            "STATE_LOST",
            await bystander.ErrorCodeForAsync("""{"action":"Heartbeat","requestId":"hb"}""", "hb")
        );
    }
}
