using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// What Epic's stock frontend and streamers run into around a session (re-subscribing, a streamer leaving or
/// restarting itself, kicks, several idle streamers), on both store backends.
/// </summary>
public sealed class SessionLifecycleTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static JsonObject Subscribe(string streamerId) =>
        new() { ["type"] = "subscribe", ["streamerId"] = streamerId };

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Subscribing_again_while_matched_disconnects_the_old_streamer_and_matches_again(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        var p = await ps.ConnectPlayerAsync("ann");
        await ps.SendAsync(p, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");

        await ps.SendAsync(p, Subscribe(sid));
        Assert.Equal("ann", (string?)(await ps.NextAsync(s, "playerDisconnected"))["playerId"]);
        Assert.Equal("ann", (string?)(await ps.NextAsync(s, "playerConnected", skip: 1))["playerId"]);
        Assert.Equal(
            ["config", "identify", "endpointIdConfirm", "playerConnected", "playerDisconnected", "playerConnected"],
            ps.Gateway[s].Types
        );
        Assert.Equal(StreamerStates.Reserved, await ps.Store.HashGetAsync(ps.Keys.Streamer(sid), PsFields.State));
        Assert.Equal(sid, await ps.Store.HashGetAsync(ps.Keys.Player("ann"), PsFields.Streamer));

        // The streamer is not stuck: when ann leaves, the next player gets it.
        await ps.DisconnectAsync(p);
        var q = await ps.ConnectPlayerAsync("ben");
        await ps.SendAsync(q, Subscribe(sid));
        Assert.Equal("ben", (string?)(await ps.NextAsync(s, "playerConnected", skip: 2))["playerId"]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Subscribing_again_to_a_streamer_with_a_worker_restarts_it_and_queues_the_player_for_it(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        await ps.Get<Instances.InstanceRegistry>()
            .AddAsync(
                Instances.InstanceRecord.Running(
                    "ue-w",
                    "10.1.2.3",
                    new Uri("http://10.1.2.3:8081/"),
                    "test",
                    "ref",
                    DateTimeOffset.UtcNow
                )
            );
        var (s, sid) = await ps.RegisterStreamerAsync("ue-w", "10.1.2.3");
        var p = await ps.ConnectPlayerAsync("cat");
        await ps.SendAsync(p, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");

        await ps.SendAsync(p, Subscribe(sid));
        Assert.Equal("cat", (string?)(await ps.NextAsync(s, "playerDisconnected"))["playerId"]);
        Assert.Single(ps.Worker.Calls, c => c.Operation == "disconnect");
        Assert.Equal(PlayerStates.Waiting, await ps.Store.HashGetAsync(ps.Keys.Player("cat"), PsFields.State));

        // The worker restarted the instance: it registers again and takes the waiting player.
        await ps.DisconnectAsync(s);
        var (again, _) = await ps.RegisterStreamerAsync("ue-w", "10.1.2.3");
        Assert.Equal("cat", (string?)(await ps.NextAsync(again, "playerConnected"))["playerId"]);
        Assert.False(ps.Gateway[p].Closed);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Streamer_leaving_mid_session_closes_the_players_socket_so_the_stock_frontend_reconnects(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        var p = await ps.ConnectPlayerAsync("dan");
        await ps.SendAsync(p, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");
        await ps.SendAsync(
            s,
            new JsonObject
            {
                ["type"] = "offer",
                ["playerId"] = "dan",
                ["sdp"] = "v=0",
            }
        );
        await ps.SendAsync(p, new JsonObject { ["type"] = "answer", ["sdp"] = "v=0" });
        await ps.NextAsync(s, "answer");

        await ps.DisconnectAsync(s);
        await Eventually.WaitUntilAsync(
            () => ps.Gateway[p].DeletedByServer,
            PsStack.Wait,
            "the player's socket was closed"
        );
        Assert.Equal(1000, ps.Gateway[p].CloseCode);
        Assert.Equal("streamer disconnected", ps.Gateway[p].CloseReason);
        Assert.False(await ps.Store.ExistsAsync(ps.Keys.Player("dan")));
        Assert.False(await ps.Store.ExistsAsync(ps.Keys.Connection(p)));

        // The frontend reconnects on a new socket; the late $disconnect of the old one changes nothing.
        var again = await ps.ConnectPlayerAsync("dan");
        await ps.DisconnectAsync(p);
        Assert.Equal(again, await ps.Store.HashGetAsync(ps.Keys.Player("dan"), PsFields.Conn));

        // It wants its old streamer back (and stops after three polls if that id is not listed): it is listed,
        // and subscribing to it waits in the queue until a streamer is free.
        await ps.SendAsync(again, new JsonObject { ["type"] = "listStreamers" });
        Assert.Equal([sid], (await ps.NextAsync(again, "streamerList"))["ids"]!.AsArray().Select(n => (string)n!));
        await ps.SendAsync(again, Subscribe(sid));
        Assert.Equal(PlayerStates.Waiting, await ps.Store.HashGetAsync(ps.Keys.Player("dan"), PsFields.State));
        var (restarted, _) = await ps.RegisterStreamerAsync("ue-1");
        Assert.Equal("dan", (string?)(await ps.NextAsync(restarted, "playerConnected"))["playerId"]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Disconnect_player_closes_the_players_socket_with_1011_and_the_streamers_reason(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        var p = await ps.ConnectPlayerAsync("eve");
        await ps.SendAsync(p, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");

        await ps.SendAsync(
            s,
            new JsonObject
            {
                ["type"] = "disconnectPlayer",
                ["playerId"] = "eve",
                ["reason"] = "Session time is up",
            }
        );
        await Eventually.WaitUntilAsync(() => ps.Gateway[p].DeletedByServer, PsStack.Wait, "eve's socket was closed");
        Assert.Equal(1011, ps.Gateway[p].CloseCode);
        Assert.Equal("Session time is up", ps.Gateway[p].CloseReason);
        Assert.Equal("eve", (string?)(await ps.NextAsync(s, "playerDisconnected"))["playerId"]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Streamer_that_restarts_itself_after_its_player_leaves_keeps_the_next_queued_player(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-r");
        var a = await ps.ConnectPlayerAsync("first");
        var b = await ps.ConnectPlayerAsync("second");
        var c = await ps.ConnectPlayerAsync("third");
        await ps.SendAsync(a, Subscribe("waiting_queue"));
        await ps.SendAsync(b, Subscribe("waiting_queue"));
        await ps.SendAsync(c, Subscribe("waiting_queue"));
        await ps.NextAsync(s, "playerConnected");

        // No worker restarts this streamer: it restarts by itself when its player leaves (as Unreal with
        // -PixelStreamingRestartOnDisconnect does), after the server may already have handed it "second".
        await ps.DisconnectAsync(a);
        await ps.NextAsync(s, "playerDisconnected");
        await ps.DisconnectAsync(s);

        Assert.False(ps.Gateway[b].Closed);
        Assert.Empty(ps.Gateway[b].OfType("streamerDisconnected"));
        Assert.Equal(["second", "third"], await ps.Store.ListRangeAsync(ps.Keys.Queue));
        Assert.Equal(PlayerStates.Waiting, await ps.Store.HashGetAsync(ps.Keys.Player("second"), PsFields.State));

        var (again, againId) = await ps.RegisterStreamerAsync("ue-r");
        Assert.Equal(sid, againId);
        Assert.Equal("second", (string?)(await ps.NextAsync(again, "playerConnected"))["playerId"]);
        Assert.Equal(["third"], await ps.Store.ListRangeAsync(ps.Keys.Queue));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_player_leaving_while_its_streamer_is_being_told_is_said_goodbye_before_the_next_hello(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        // The streamer reads slowly: ann's playerConnected is still on its way when ann leaves.
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ps.Gateway[s].HeldUntil = reading.Task;
        Task annSubscribe = Task.CompletedTask,
            annLeaves = Task.CompletedTask;
        try
        {
            var ann = await ps.ConnectPlayerAsync("ann");
            annSubscribe = ps.SendAsync(ann, Subscribe(sid));
            await Eventually.WaitUntilAsync(
                async () => await ps.Store.HashGetAsync(ps.Keys.Streamer(sid), PsFields.Player) == "ann",
                PsStack.Wait,
                "ann matched"
            );
            var bob = await ps.ConnectPlayerAsync("bob");
            await ps.SendAsync(bob, Subscribe("waiting_queue"));
            Assert.Equal(["bob"], await ps.Store.ListRangeAsync(ps.Keys.Queue));

            annLeaves = ps.DisconnectAsync(ann);
            await Eventually.WaitUntilAsync(
                async () => !await ps.Store.ExistsAsync(ps.Keys.Player("ann")),
                PsStack.Wait,
                "ann released"
            );
        }
        finally
        {
            // Whatever failed above, the held sends finish, so nothing waits on them forever.
            reading.TrySetResult();
        }
        await Task.WhenAll(annSubscribe, annLeaves);
        await ps.NextAsync(s, "playerConnected", skip: 1);

        Assert.Equal(
            ["playerConnected:ann", "playerDisconnected:ann", "playerConnected:bob"],
            ps.Gateway[s]
                .Received.Where(m => ((string)m["type"]!).StartsWith("player", StringComparison.Ordinal))
                .Select(m => $"{m["type"]}:{m["playerId"]}")
        );
        Assert.Equal("bob", await ps.Store.HashGetAsync(ps.Keys.Streamer(sid), PsFields.Player));
    }

    [Fact]
    public async Task A_session_longer_than_a_day_still_ends_with_a_goodbye_and_a_hand_over_to_the_next_player()
    {
        // In-process, the store's expiries follow this clock: two days pass in an instant.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(
            new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)
        );
        await using var state = new MobZ.State.InProcess.InProcessBackend(
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            clock
        );
        await using var ps = new PsStack(state.Store, configureServices: s => s.AddSingleton<TimeProvider>(clock));
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        var ann = await ps.ConnectPlayerAsync("ann");
        await ps.SendAsync(ann, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");
        var bob = await ps.ConnectPlayerAsync("bob");
        await ps.SendAsync(bob, Subscribe("waiting_queue"));
        Assert.Equal(["bob"], await ps.Store.ListRangeAsync(ps.Keys.Queue));

        clock.Advance(TimeSpan.FromDays(2));
        await ps.DisconnectAsync(ann);

        await ps.NextAsync(s, "playerConnected", skip: 1);
        Assert.Equal(
            ["playerConnected:ann", "playerDisconnected:ann", "playerConnected:bob"],
            ps.Gateway[s]
                .Received.Where(m => ((string)m["type"]!).StartsWith("player", StringComparison.Ordinal))
                .Select(m => $"{m["type"]}:{m["playerId"]}")
        );
        Assert.Equal("bob", await ps.Store.HashGetAsync(ps.Keys.Streamer(sid), PsFields.Player));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Player_with_two_idle_streamers_is_offered_exactly_one_the_longest_idle(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        await ps.RegisterStreamerAsync("ue-a");
        await ps.RegisterStreamerAsync("ue-b");
        var p = await ps.ConnectPlayerAsync("fay");
        await ps.SendAsync(p, new JsonObject { ["type"] = "listStreamers" });
        var list = await ps.NextAsync(p, "streamerList");
        Assert.Equal(["ue-a"], list["ids"]!.AsArray().Select(n => (string)n!));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Player_put_back_in_the_queue_is_handed_to_a_streamer_that_is_idle_meanwhile(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s1, id1) = await ps.RegisterStreamerAsync("ue-1");
        var p = await ps.ConnectPlayerAsync("gil");
        await ps.SendAsync(p, Subscribe(id1));
        await ps.NextAsync(s1, "playerConnected");
        var (s2, _) = await ps.RegisterStreamerAsync("ue-2");

        await ps.DisconnectAsync(s1);
        Assert.Equal("gil", (string?)(await ps.NextAsync(s2, "playerConnected"))["playerId"]);
        Assert.Empty(await ps.Store.ListRangeAsync(ps.Keys.Queue));
        Assert.Empty(await ps.Store.SortedSetRangeByScoreAsync(ps.Keys.Idle));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Streamer_reclaiming_its_id_before_its_old_socket_is_gone_closes_the_player_it_was_serving(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        var p = await ps.ConnectPlayerAsync("hal");
        await ps.SendAsync(p, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");
        await ps.SendAsync(
            s,
            new JsonObject
            {
                ["type"] = "offer",
                ["playerId"] = "hal",
                ["sdp"] = "v=0",
            }
        );
        await ps.NextAsync(p, "offer");

        ps.Gateway.Close(s); // the socket is gone; its $disconnect has not arrived yet
        var (again, againId) = await ps.RegisterStreamerAsync("ue-1");
        Assert.Equal(sid, againId);
        await Eventually.WaitUntilAsync(() => ps.Gateway[p].DeletedByServer, PsStack.Wait, "hal's socket was closed");
        Assert.Equal("streamer disconnected", ps.Gateway[p].CloseReason);
        Assert.Equal(StreamerStates.Idle, await ps.Store.HashGetAsync(ps.Keys.Streamer(sid), PsFields.State));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Subscribing_to_an_id_that_names_no_streamer_fails_as_Epics_server_does(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, _) = await ps.RegisterStreamerAsync("ue-1");
        var p = await ps.ConnectPlayerAsync("jo");
        await ps.SendAsync(p, Subscribe("no-such-streamer"));
        Assert.Equal(
            "Streamer no-such-streamer does not exist.",
            (string?)(await ps.NextAsync(p, "subscribeFailed"))["message"]
        );
        Assert.Equal(PlayerStates.Idle, await ps.Store.HashGetAsync(ps.Keys.Player("jo"), PsFields.State));
        Assert.Empty(ps.Gateway[s].OfType("playerConnected"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Subscribing_to_the_listed_streamer_that_vanished_meanwhile_queues_instead_of_failing(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        var p = await ps.ConnectPlayerAsync("kay");
        await ps.SendAsync(p, new JsonObject { ["type"] = "listStreamers" });
        Assert.Equal([sid], (await ps.NextAsync(p, "streamerList"))["ids"]!.AsArray().Select(n => (string)n!));
        await ps.DisconnectAsync(s);
        await ps.SendAsync(p, Subscribe(sid));
        Assert.Equal(1, (int)(await ps.NextAsync(p, "queueStatus"))["position"]!);
        Assert.Empty(ps.Gateway[p].OfType("subscribeFailed"));
    }
}
