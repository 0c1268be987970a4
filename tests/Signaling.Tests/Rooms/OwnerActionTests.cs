using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;
using static MobZ.Signaling.Tests.Rooms.M2mRoomTests;

namespace MobZ.Signaling.Tests.Rooms;

public sealed class OwnerActionTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task The_owner_kicks_a_publisher_whose_station_and_state_are_removed(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var owner = await h.ConnectAsync();
        var target = await h.ConnectAsync();
        var viewer = await h.ConnectAsync();
        await owner.JoinAsync("kick", "m2m");
        string stationId = (await target.JoinAsync("kick", "m2m")).GetProperty("stationId").GetString()!;
        await viewer.JoinAsync("kick", "m2m", "viewer");

        await owner.SendAsync(
            new
            {
                action = "Kick",
                requestId = "k1",
                participantId = target.ConnectionId,
            }
        );
        Assert.Equal(owner.ConnectionId, (await target.NextAsync("Kicked")).GetProperty("by").GetString());
        Assert.Equal(target.ConnectionId, (await owner.NextAsync("KickAck")).GetProperty("participantId").GetString());
        var change = await viewer.NextAsync("PublishListChangeAck", m =>
            m.GetProperty("reason").GetString() == "kicked"
        );
        Assert.DoesNotContain(change.GetProperty("publishers").EnumerateArray(), p =>
            p.GetProperty("participantId").GetString() == target.ConnectionId
        );

        Assert.False(await h.Store.ExistsAsync(RoomKeys.Connection(target.ConnectionId)));
        Assert.Null(await h.Store.HashGetAsync(RoomKeys.Publishers("kick"), target.ConnectionId));
        Assert.False(await h.Store.ExistsAsync(MunitKeys.Station(stationId)));
        await Eventually(
            () => munit.Unassigns.Any(u => u.StationId == stationId),
            "the kicked publisher's station was unassigned"
        );

        // The kicked client's socket is closed: it hears nothing more of the room.
        await Eventually(() => !target.IsOpen, "the kicked client's socket was closed");
        await viewer.SendAsync(new { action = "UpdateVideo", audio = false });
        await owner.NextAsync("UpdateVideo");
        Assert.DoesNotContain(target.Received, m => TestClient.Action(m) == "UpdateVideo");
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Kick_in_a_p2p_call_is_refused_and_the_call_goes_on(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var a = await h.ConnectAsync();
        var b = await h.ConnectAsync();
        await a.JoinAsync("p2p-kick", "p2p");
        await b.JoinAsync("p2p-kick", "p2p");

        Assert.Equal(
            "NOT_SUPPORTED",
            await a.ErrorCodeForAsync(
                $$"""{"action":"Kick","requestId":"k","participantId":"{{b.ConnectionId}}"}""",
                "k"
            )
        );
        Assert.True(b.IsOpen);
        Assert.NotNull(await h.Store.HashGetAsync(RoomKeys.Publishers("p2p-kick"), b.ConnectionId));
        await a.SendAsync(new { action = "Offer", sdp = "v=0\r\nstill-calling" });
        Assert.Equal("v=0\r\nstill-calling", (await b.NextAsync("Offer")).GetProperty("sdp").GetString());
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Only_an_admin_may_kick_and_a_refused_kick_changes_nothing(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var owner = await h.ConnectAsync();
        var other = await h.ConnectAsync(RoomHarness.AllGrants & ~AccessGrant.Admin);
        await owner.JoinAsync("nokick", "m2m");
        await other.JoinAsync("nokick", "m2m");

        Assert.Equal(
            "FORBIDDEN",
            await other.ErrorCodeForAsync(
                $$"""{"action":"Kick","requestId":"k","participantId":"{{owner.ConnectionId}}"}""",
                "k"
            )
        );
        Assert.NotNull(await h.Store.HashGetAsync(RoomKeys.Publishers("nokick"), owner.ConnectionId));
        Assert.Equal(
            "PARTICIPANT_NOT_FOUND",
            await owner.ErrorCodeForAsync("""{"action":"Kick","requestId":"k2","participantId":"nobody"}""", "k2")
        );
        Assert.Equal("MISSING_FIELD", await owner.ErrorCodeForAsync("""{"action":"Kick","requestId":"k3"}""", "k3"));

        await other.SendAsync(new { action = "UpdateVideo", audio = false });
        Assert.False((await owner.NextAsync("UpdateVideo")).GetProperty("audio").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task A_viewers_PublishRequest_reaches_the_owner_who_rejects_then_accepts_it(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var owner = await h.ConnectAsync();
        var viewer = await h.ConnectAsync(
            AccessGrant.Join | AccessGrant.Subscribe | AccessGrant.Publish,
            userId: "hopeful"
        );
        var bystander = await h.ConnectAsync(AccessGrant.Join | AccessGrant.Subscribe);
        await owner.JoinAsync("stage", "m2m");
        await viewer.JoinAsync("stage", "m2m", "viewer", "hopeful");
        await bystander.JoinAsync("stage", "m2m", "viewer");

        await viewer.SendAsync(new { action = "PublishRequest", requestId = "pr1" });
        var ask = await owner.NextAsync("PublishRequest");
        Assert.Equal(viewer.ConnectionId, ask.GetProperty("participantId").GetString());
        Assert.Equal("hopeful", ask.GetProperty("userId").GetString());

        await owner.SendAsync(
            new
            {
                action = "PublishReject",
                participantId = viewer.ConnectionId,
                reason = "not now",
            }
        );
        var reject = await viewer.NextAsync("PublishReject");
        Assert.Equal("not now", reject.GetProperty("reason").GetString());
        Assert.Equal("pr1", reject.GetProperty("requestId").GetString());
        Assert.Equal(
            "NO_PENDING_REQUEST",
            await owner.ErrorCodeForAsync(
                $$"""{"action":"PublishAccept","requestId":"a0","participantId":"{{viewer.ConnectionId}}"}""",
                "a0"
            )
        );

        await viewer.SendAsync(new { action = "PublishRequest", requestId = "pr2" });
        await owner.NextAsync("PublishRequest");
        Assert.Equal(
            "FORBIDDEN",
            await bystander.ErrorCodeForAsync(
                $$"""{"action":"PublishAccept","requestId":"b","participantId":"{{viewer.ConnectionId}}"}""",
                "b"
            )
        );
        await owner.SendAsync(new { action = "PublishAccept", participantId = viewer.ConnectionId });

        var accept = await viewer.NextAsync("PublishAccept");
        Assert.Equal("pr2", accept.GetProperty("requestId").GetString());
        string stationId = accept.GetProperty("stationId").GetString()!;
        foreach (var c in new[] { owner, viewer, bystander })
        {
            var change = await c.NextAsync("PublishListChangeAck", m =>
                m.GetProperty("reason").GetString() == "accepted"
            );
            Assert.Contains(change.GetProperty("publishers").EnumerateArray(), p =>
                p.GetProperty("stationId").GetString() == stationId
            );
        }
        Assert.Equal("publisher", await h.Store.HashGetAsync(RoomKeys.Connection(viewer.ConnectionId), "role"));
        Assert.Null(await h.Store.HashGetAsync(RoomKeys.Viewers("stage"), viewer.ConnectionId));
        await Eventually(
            () => munit.Assigns.Any(a => a.StationId == stationId && a.PublisherId == viewer.ConnectionId),
            "the new station was assigned"
        );

        // Now a publisher: its offer goes to its new station.
        await viewer.SendAsync(new { action = "Offer", sdp = "v=0\r\npromoted" });
        Assert.Equal(stationId, (await viewer.NextAsync("Answer")).GetProperty("stationId").GetString());
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task A_viewer_asking_to_publish_in_a_full_room_gets_ROOM_FULL(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis, o => o.MaxM2mPublishers = 1);
        await h.StartMunitAsync("munit-a");
        var owner = await h.ConnectAsync();
        var viewer = await h.ConnectAsync();
        await owner.JoinAsync("full", "m2m");
        await viewer.JoinAsync("full", "m2m", "viewer");

        Assert.Equal(
            "ROOM_FULL",
            await viewer.ErrorCodeForAsync("""{"action":"PublishRequest","requestId":"p"}""", "p")
        );
        Assert.False(owner.HasPending("PublishRequest"));
        Assert.Null(await h.Store.HashGetAsync(RoomKeys.PublishRequests("full"), viewer.ConnectionId));
        Assert.Equal(
            "ALREADY_PUBLISHER",
            await owner.ErrorCodeForAsync("""{"action":"PublishRequest","requestId":"o"}""", "o")
        );
    }
}
