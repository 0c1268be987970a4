using System.Text.Json;
using MobZ.Contracts;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// A Munit saw a publisher's media peer end by itself (DTLS close or alert, ICE consent expiry) and its Regulator
/// announced it on the peers channel: the publisher is told to offer again, the room sees it not live, and its next
/// answered offer makes it live ("published") again.
/// </summary>
public sealed class MediaLossTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.GatewayOnly), MemberType = typeof(Backends))]
    public async Task A_publisher_whose_media_peer_died_is_told_to_offer_again_and_is_not_live_until_it_does(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var pub = await h.ConnectAsync();
        var viewer = await h.ConnectAsync();
        string stationId = (await pub.JoinAsync("fragile", "m2m", "publisher")).GetProperty("stationId").GetString()!;
        await pub.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o1",
                sdp = "v=0\r\nfirst",
            }
        );
        await pub.NextAsync("Answer");
        await viewer.JoinAsync("fragile", "m2m", "viewer");

        string eventId = Guid.NewGuid().ToString("N");
        await h.Backend.Bus.PublishAsync(
            MunitKeys.PeersChannel,
            Event(eventId, "munit-a", stationId, pub.ConnectionId)
        );

        var lost = await pub.NextAsync("MediaLost");
        Assert.Equal(stationId, lost.GetProperty("stationId").GetString());
        Assert.Equal("fragile", lost.GetProperty("roomId").GetString());
        Assert.Equal("DTLS close_notify", lost.GetProperty("reason").GetString());
        Assert.False(lost.TryGetProperty("requestId", out _));
        var list = await viewer.NextAsync("PublishListChangeAck", m =>
            m.GetProperty("reason").GetString() == "mediaLost"
        );
        Assert.False(Assert.Single(list.GetProperty("publishers").EnumerateArray()).GetProperty("live").GetBoolean());

        // Not live: a joiner now gets no offer for it.
        var late = await h.ConnectAsync();
        var lateAck = await late.JoinAsync("fragile", "m2m", "viewer");
        var info = Assert.Single(lateAck.GetProperty("publishers").EnumerateArray());
        Assert.False(info.GetProperty("live").GetBoolean());
        Assert.False(info.TryGetProperty("offerSdp", out _));

        // The same event again (another node, a duplicate) tells nobody twice; one for another Munit is stale.
        await h.Backend.Bus.PublishAsync(
            MunitKeys.PeersChannel,
            Event(eventId, "munit-a", stationId, pub.ConnectionId)
        );
        await h.Backend.Bus.PublishAsync(
            MunitKeys.PeersChannel,
            Event(Guid.NewGuid().ToString("N"), "munit-b", stationId, pub.ConnectionId)
        );
        await h.Backend.Bus.PublishAsync(MunitKeys.PeersChannel, "{not json");

        // Its new offer makes it live again, and everyone hears "published".
        await pub.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o2",
                sdp = "v=0\r\nagain",
            }
        );
        await pub.NextAsync("Answer", m => m.GetProperty("requestId").GetString() == "o2");
        Assert.Contains(munit.Requests, r => r.Op == MediaOps.Publish && r.Sdp == "v=0\r\nagain");
        foreach (var client in new[] { viewer, late })
        {
            var published = await client.NextAsync("PublishListChangeAck", m =>
                m.GetProperty("reason").GetString() == "published"
            );
            Assert.True(
                Assert.Single(published.GetProperty("publishers").EnumerateArray()).GetProperty("live").GetBoolean()
            );
        }
        await pub.SyncAsync();
        Assert.Single(pub.Received, m => TestClient.Action(m) == "MediaLost");
        Assert.Single(viewer.Received, m =>
            TestClient.Action(m) == "PublishListChangeAck" && m.GetProperty("reason").GetString() == "mediaLost"
        );
    }

    [Theory]
    [MemberData(nameof(Backends.GatewayOnly), MemberType = typeof(Backends))]
    public async Task The_peer_of_an_orphan_station_ending_has_every_Munit_drop_the_lost_connections_media(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var gone = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var broadcast = await h.Backend.Bus.SubscribeAsync(MunitKeys.BroadcastChannel, json =>
        {
            if (JsonSerializer.Deserialize(json, ContractsJsonContext.Default.MunitSignal) is PeerGoneSignal g)
                gone.Enqueue(g.PeerId);
            return Task.CompletedTask;
        });
        // A station a Regulator wrote back after the store lost its data, whose PeerGone it missed: no room, no
        // connection records. Its publisher closed that peer to rejoin on a new connection.
        Assert.True(
            await h
                .Store.CreateTransaction()
                .HashSet(MunitKeys.Station("st-orphan"), StationFields.Munit, "munit-a")
                .HashSet(MunitKeys.Station("st-orphan"), StationFields.Room, "gone-room")
                .HashSet(MunitKeys.Station("st-orphan"), StationFields.Publisher, "lost-conn")
                .SetAdd(MunitKeys.Stations("munit-a"), "st-orphan")
                .ExecuteAsync()
        );

        await h.Backend.Bus.PublishAsync(
            MunitKeys.PeersChannel,
            Event(Guid.NewGuid().ToString("N"), "munit-a", "st-orphan", "lost-conn")
        );

        await MobZ.TestKit.Eventually.WaitUntilAsync(
            () => gone.Contains("lost-conn"),
            TimeSpan.FromSeconds(10),
            "PeerGone for the orphan's publisher"
        );
    }

    private static string Event(string eventId, string munitId, string stationId, string peerId) =>
        JsonSerializer.Serialize(
            new PeerLostEvent(eventId, munitId, stationId, peerId, "DTLS close_notify"),
            ContractsJsonContext.Default.PeerLostEvent
        );
}

/// <summary>
/// Issue 10, item 7: the host of a publisher's connection and Munit was killed (no $disconnect, no hand-over), and a
/// Munit now holds its station without media. A new joiner must not be shown a live ghost: the Munit's refusal to
/// offer it lists the publisher not live, the publisher is told to offer again, and since its connection answers
/// 410 it is removed from the room at once — ownership passes to the joiner — instead of after the heartbeat sweep.
/// </summary>
public sealed class GhostPublisherTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.DirectOnly), MemberType = typeof(Backends))]
    public async Task A_joiner_is_not_shown_a_dead_publisher_whose_Munit_has_no_media_for_it_and_the_ghost_is_removed(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var ghost = await h.ConnectAsync();
        string stationId = (await ghost.JoinAsync("haunted", "m2m", "publisher")).GetProperty("stationId").GetString()!;
        await ghost.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o1",
                sdp = "v=0\r\nfirst",
            }
        );
        await ghost.NextAsync("Answer");

        await ghost.AbortAsync(); // its host died: no $disconnect, @connections answers 410 from now on
        munit.FailOp = MediaOps.Watch; // the station is there, its publisher's media is not

        var joiner = await h.ConnectAsync();
        var ack = await joiner.JoinAsync("haunted", "m2m", "viewer");
        var listed = Assert.Single(ack.GetProperty("publishers").EnumerateArray());
        Assert.Equal(ghost.ConnectionId, listed.GetProperty("participantId").GetString());
        Assert.False(listed.GetProperty("live").GetBoolean());
        Assert.False(listed.TryGetProperty("offerSdp", out _));

        var changed = await joiner.NextAsync("PublishListChangeAck", m =>
            m.GetProperty("publishers").GetArrayLength() == 0
        );
        Assert.Equal(joiner.ConnectionId, changed.GetProperty("ownerId").GetString());
        Assert.Empty(await h.Store.HashGetAllAsync(MobZ.Signaling.Rooms.State.RoomKeys.Publishers("haunted")));
        Assert.False(await h.Store.ExistsAsync(MobZ.Signaling.Rooms.State.RoomKeys.Connection(ghost.ConnectionId)));
        Assert.False(await h.Store.ExistsAsync(MunitKeys.Station(stationId)));
        await MobZ.TestKit.Eventually.WaitUntilAsync(
            () => munit.Unassigns.Any(u => u.StationId == stationId),
            TimeSpan.FromSeconds(10),
            "the ghost's station was unassigned"
        );
    }
}
