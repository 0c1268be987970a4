using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Rooms.Sweep;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;
using static MobZ.Signaling.Tests.Rooms.M2mRoomTests;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>Connections that go away without saying so must not leave state behind.</summary>
public sealed class CleanupTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task The_sweep_removes_a_silent_connection_as_if_it_left_and_closes_its_socket(string backend)
    {
        // Long enough that a machine stalled for a moment between the live member's heartbeat and the sweep does not
        // take it as silent too (it did at 400 ms with the load average at 25).
        await using var h = await RoomHarness.CreateAsync(backend, redis, o =>
            o.HeartbeatTimeout = TimeSpan.FromSeconds(3)
        );
        var munit = await h.StartMunitAsync("munit-a");
        var alive = await h.ConnectAsync();
        var silent = await h.ConnectAsync();
        await alive.JoinAsync("hb", "m2m");
        string stationId = (await silent.JoinAsync("hb", "m2m")).GetProperty("stationId").GetString()!;

        await MobZ.TestKit.Eventually.WaitUntilAsync(
            async () =>
            {
                await alive.SyncAsync(); // Heartbeats keep this one in.
                await h.Sweeper.SweepAsync();
                return !silent.IsOpen;
            },
            TimeSpan.FromSeconds(60),
            "the silent connection was swept"
        );

        Assert.False(await h.Store.ExistsAsync(RoomKeys.Connection(silent.ConnectionId)));
        Assert.Null(await h.Store.SortedSetScoreAsync(RoomKeys.Heartbeats(silent.ConnectionId), silent.ConnectionId));
        Assert.False(await h.Store.ExistsAsync(MunitKeys.Station(stationId)));
        await Eventually(() => munit.Unassigns.Any(u => u.StationId == stationId), "its station was unassigned");
        var change = await alive.NextAsync("PublishListChangeAck", m =>
            m.GetProperty("reason").GetString() == "timeout"
        );
        Assert.Single(change.GetProperty("publishers").EnumerateArray());
        Assert.True(alive.IsOpen);
        Assert.NotNull(await h.Store.HashGetAsync(RoomKeys.Publishers("hb"), alive.ConnectionId));
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task The_hosted_sweep_service_removes_a_connection_that_never_joined_or_spoke(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis, o =>
        {
            // Long enough that a busy machine still finds the connection registered before the sweep may take it.
            o.HeartbeatTimeout = TimeSpan.FromSeconds(2);
            o.SweepInterval = TimeSpan.FromMilliseconds(100);
            o.RunSweepService = true;
        });
        var mute = await h.ConnectAsync();
        Assert.NotNull(await h.Store.SortedSetScoreAsync(RoomKeys.Heartbeats(mute.ConnectionId), mute.ConnectionId));

        // The local stack host starts its hosted services itself; the bare direct harness has no host.
        var service = h.Services.GetServices<IHostedService>().OfType<HeartbeatSweepService>().Single();
        bool started = h is DirectRoomHarness;
        if (started)
            await service.StartAsync(CancellationToken.None);
        try
        {
            await Eventually(() => !mute.IsOpen, "the service closed the mute connection");
            await MobZ.TestKit.Eventually.WaitUntilAsync(
                async () =>
                    await h.Store.SortedSetScoreAsync(RoomKeys.Heartbeats(mute.ConnectionId), mute.ConnectionId)
                        is null,
                TimeSpan.FromSeconds(30),
                "the mute connection left the heartbeat set"
            );
        }
        finally
        {
            if (started)
                await service.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.DirectOnly), MemberType = typeof(Backends))]
    public async Task A_vanished_owner_is_removed_when_a_send_to_it_answers_Gone_and_ownership_passes_on(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var owner = await h.ConnectAsync();
        var second = await h.ConnectAsync();
        var third = await h.ConnectAsync();
        await owner.JoinAsync("gone", "m2m");
        await second.JoinAsync("gone", "m2m");
        await third.JoinAsync("gone", "m2m", "viewer");

        await owner.AbortAsync(); // No $disconnect: only a failed send reveals it.
        await second.SendAsync(new { action = "UpdateVideo", audio = false });

        var change = await third.NextAsync("PublishListChangeAck", m =>
            m.GetProperty("reason").GetString() == "ownerChanged"
        );
        Assert.Equal(second.ConnectionId, change.GetProperty("ownerId").GetString());
        Assert.False(await h.Store.ExistsAsync(RoomKeys.Connection(owner.ConnectionId)));
        Assert.Equal(second.ConnectionId, await h.Store.HashGetAsync(RoomKeys.Room("gone"), "owner"));

        // The new owner has the owner's powers.
        await second.SendAsync(new { action = "Kick", participantId = third.ConnectionId });
        await third.NextAsync("Kicked");
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Disconnect_of_every_member_leaves_no_room_keys(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var clients = new List<TestClient>();
        for (int i = 0; i < 5; i++)
        {
            var c = await h.ConnectAsync();
            await c.JoinAsync("empty", "m2m", i < 3 ? "publisher" : "viewer");
            clients.Add(c);
        }
        await Task.WhenAll(clients.Select(c => c.CloseAsync()));

        // Through the gateway, $disconnect runs after the close handshake the client waited for, and each one takes
        // several store steps: wait until every trace of every member is gone, then name what is left if not.
        string[] roomKeys =
        [
            RoomKeys.Room("empty"),
            RoomKeys.Publishers("empty"),
            RoomKeys.Viewers("empty"),
            RoomKeys.PublishRequests("empty"),
        ];
        async Task<List<string>> LeftOverAsync()
        {
            var left = new List<string>();
            foreach (var key in roomKeys.Concat(clients.Select(c => RoomKeys.Connection(c.ConnectionId))))
            {
                if (await h.Store.ExistsAsync(key))
                    left.Add(key);
            }

            foreach (var c in clients)
            {
                if (await h.Store.SortedSetScoreAsync(RoomKeys.Heartbeats(c.ConnectionId), c.ConnectionId) is not null)
                    left.Add("rooms:heartbeats " + c.ConnectionId);
            }

            return left;
        }

        await MobZ.TestKit.Eventually.WaitUntilAsync(
            async () => (await LeftOverAsync()).Count == 0,
            TimeSpan.FromSeconds(30),
            "every member's $disconnect removed its keys and the room's"
        );
        Assert.Empty(await LeftOverAsync());
        Assert.Equal(0, await h.Store.SetLengthAsync(MunitKeys.Stations("munit-a")));
        await Eventually(() => munit.Unassigns.Count() == 3, "all three stations were unassigned");
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task An_abruptly_dropped_publisher_is_removed_with_its_station(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var owner = await h.ConnectAsync();
        var dropped = await h.ConnectAsync();
        await owner.JoinAsync("drop", "m2m");
        string stationId = (await dropped.JoinAsync("drop", "m2m")).GetProperty("stationId").GetString()!;

        await dropped.AbortAsync();
        // Through the gateway the dead socket's $disconnect does it; directly, the next send's Gone does.
        await owner.SendAsync(new { action = "UpdateVideo", audio = false });

        var change = await owner.NextAsync("PublishListChangeAck", m => m.GetProperty("reason").GetString() == "left");
        Assert.Single(change.GetProperty("publishers").EnumerateArray());
        await Eventually(
            () => munit.Unassigns.Any(u => u.StationId == stationId),
            "the dropped publisher's station was unassigned"
        );
        // The room hears "left" as soon as the membership changed; the connection's own keys go in later steps.
        await MobZ.TestKit.Eventually.WaitUntilAsync(
            async () =>
                !await h.Store.ExistsAsync(RoomKeys.Connection(dropped.ConnectionId))
                && !await h.Store.ExistsAsync(MunitKeys.Station(stationId))
                && await h.Store.SortedSetScoreAsync(RoomKeys.Heartbeats(dropped.ConnectionId), dropped.ConnectionId)
                    is null,
            TimeSpan.FromSeconds(30),
            "the dropped publisher's connection, station and heartbeat keys are gone"
        );
    }
}
