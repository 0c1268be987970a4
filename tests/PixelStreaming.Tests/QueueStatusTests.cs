using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.PixelStreaming.Tests;

/// <summary>Waiting players are told their position and an estimated wait, updated as the queue moves; on both
/// backends.</summary>
public sealed class QueueStatusTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static JsonObject Subscribe(string streamerId) =>
        new() { ["type"] = "subscribe", ["streamerId"] = streamerId };

    private static async Task<(int Position, int? Estimate)> LatestAsync(PsStack ps, string connection, int count)
    {
        var status = await Eventually.ValueAsync(
            () => Task.FromResult(ps.Gateway[connection].OfType("queueStatus").Skip(count - 1).FirstOrDefault()),
            PsStack.Wait,
            $"{connection} got queueStatus #{count}"
        );
        Assert.Equal(count, ps.Gateway[connection].OfType("queueStatus").Count);
        return ((int)status["position"]!, (int?)status["estimatedWaitSeconds"]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_waiting_player_whose_connection_stalls_holds_up_nobody_elses_position(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        var first = await ps.ConnectPlayerAsync("p0");
        await ps.SendAsync(first, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");
        var waiting = new List<string>();
        for (var i = 1; i <= 6; i++)
        {
            var p = await ps.ConnectPlayerAsync($"w{i}");
            await ps.SendAsync(p, Subscribe("waiting_queue"));
            await LatestAsync(ps, p, 1);
            waiting.Add(p);
        }

        // w2 is next in line once w1 is served, and its socket takes nothing more for now.
        var unstall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ps.Gateway[waiting[1]].HeldUntil = unstall.Task;
        Task leaves = Task.CompletedTask;
        try
        {
            leaves = ps.DisconnectAsync(first);
            await ps.NextAsync(s, "playerConnected", skip: 1);
            for (var i = 2; i < waiting.Count; i++)
                Assert.Equal(i, (await LatestAsync(ps, waiting[i], 2)).Position);
        }
        finally
        {
            unstall.TrySetResult();
        }
        await leaves;
        Assert.Equal(1, (await LatestAsync(ps, waiting[1], 2)).Position);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Waiting_players_hear_their_position_and_an_estimate_as_the_queue_moves(string backend)
    {
        var clock = new ManualTime(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store, configureServices: s => s.AddSingleton<TimeProvider>(clock));
        var (s, sid) = await ps.RegisterStreamerAsync("ue-1");
        var first = await ps.ConnectPlayerAsync("p0");
        await ps.SendAsync(first, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");
        Assert.Empty(ps.Gateway[first].OfType("queueStatus"));

        var a = await ps.ConnectPlayerAsync("pa");
        var b = await ps.ConnectPlayerAsync("pb");
        var c = await ps.ConnectPlayerAsync("pc");
        foreach (var p in new[] { a, b, c })
            await ps.SendAsync(p, Subscribe("waiting_queue"));
        // Nothing has been served yet: positions, no estimate.
        Assert.Equal((1, null), await LatestAsync(ps, a, 1));
        Assert.Equal((2, null), await LatestAsync(ps, b, 1));
        Assert.Equal((3, null), await LatestAsync(ps, c, 1));

        // The head waited 60 s to be served: the others move up and are told about 60 s per place.
        clock.Advance(TimeSpan.FromSeconds(60));
        await ps.DisconnectAsync(first);
        Assert.Equal("pa", (string?)(await ps.NextAsync(s, "playerConnected", skip: 1))["playerId"]);
        Assert.Equal((1, 60), await LatestAsync(ps, b, 2));
        Assert.Equal((2, 120), await LatestAsync(ps, c, 2));
        Assert.Single(ps.Gateway[a].OfType("queueStatus"));

        // Someone ahead gives up: the one behind moves up.
        await ps.SendAsync(b, new JsonObject { ["type"] = "unsubscribe" });
        Assert.Equal((1, 60), await LatestAsync(ps, c, 3));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Moves_during_a_round_of_positions_fold_into_one_more_round_with_the_latest_positions(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var players = new List<string>();
        foreach (var name in new[] { "pa", "pb", "pc", "pd", "pe", "pf" })
        {
            var p = await ps.ConnectPlayerAsync(name);
            await ps.SendAsync(p, Subscribe("waiting_queue"));
            players.Add(p);
        }
        var (a, b, c, d, e, f) = (players[0], players[1], players[2], players[3], players[4], players[5]);
        Assert.Equal((5, null), await LatestAsync(ps, e, 1));
        Assert.Equal((6, null), await LatestAsync(ps, f, 1));

        // The last player reads slowly: the round that follows a's leaving stops at it, after telling e.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ps.Gateway[f].HeldUntil = release.Task;
        var aLeaves = ps.SendAsync(a, new JsonObject { ["type"] = "unsubscribe" });
        Assert.Equal((4, null), await LatestAsync(ps, e, 2));

        // Three more leave meanwhile: none of them waits for the slow reader or starts a round of its own.
        foreach (var p in new[] { b, c, d })
            await ps.SendAsync(p, new JsonObject { ["type"] = "unsubscribe" }).WaitAsync(PsStack.Wait);
        Assert.Equal(2, ps.Gateway[e].OfType("queueStatus").Count);

        // Once the slow reader takes its message, one more round tells everyone where the queue stands now.
        release.SetResult();
        await aLeaves.WaitAsync(PsStack.Wait);
        Assert.Equal((1, null), await LatestAsync(ps, e, 3));
        Assert.Equal((2, null), await LatestAsync(ps, f, 3));
        Assert.Equal([6, 5, 2], ps.Gateway[f].OfType("queueStatus").Select(m => (int)m["position"]!));
    }
}
