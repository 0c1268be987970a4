using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.PixelStreaming.Tests;

/// <summary>The matching transitions under real concurrency, on both store backends.</summary>
public sealed class MatchingConcurrencyTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private sealed class PlayerRun
    {
        public required string UserId;
        public string? Connection;
        public bool Left;
        public long SubscribeStart,
            SubscribeEnd;
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Churning_200_players_and_20_streamers_never_share_a_streamer_nor_lose_or_reorder_a_player(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        await ps.Get<Security.StreamerAllowList>().AddAsync("127.0.0.1");
        var clock = Stopwatch.StartNew();
        var random = new Random(20261121);
        var players = Enumerable.Range(0, 200).Select(i => new PlayerRun { UserId = $"player-{i:D3}" }).ToArray();
        var streamerConnections = new ConcurrentBag<string>();
        var liveStreamers = new ConcurrentDictionary<string, string>();

        async Task Subscribe(PlayerRun p)
        {
            p.SubscribeStart = clock.ElapsedTicks;
            await ps.SendAsync(
                p.Connection!,
                new JsonObject { ["type"] = "subscribe", ["streamerId"] = "waiting_queue" }
            );
            p.SubscribeEnd = clock.ElapsedTicks;
        }

        // Half the streamers are idle before the burst, so players race for them; the rest arrive during it.
        var tasks = new List<Task>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            var early = n % 2 == 0;
            var delay = random.Next(0, 40);
            var leaves = n % 4 == 0; // five streamers leave mid-run and come back on a new connection
            var leaveAfter = random.Next(20, 120);
            var registered = Task.Run(async () =>
            {
                if (!early)
                {
                    await start.Task;
                    await Task.Delay(delay);
                }
                var (conn, id) = await ps.RegisterStreamerAsync($"ue-{n}");
                streamerConnections.Add(conn);
                liveStreamers[conn] = id;
                if (!leaves)
                    return;
                await Task.Delay(leaveAfter);
                liveStreamers.TryRemove(conn, out _);
                await ps.DisconnectAsync(conn);
                var (again, againId) = await ps.RegisterStreamerAsync($"ue-{n}");
                streamerConnections.Add(again);
                liveStreamers[again] = againId;
            });
            if (early)
            {
                await Eventually.WaitUntilAsync(
                    () => liveStreamers.Values.Contains($"ue-{n}"),
                    PsStack.Wait,
                    $"ue-{n} registered"
                );
            }

            tasks.Add(registered);
        }
        foreach (var p in players)
        {
            var delay = random.Next(0, 60);
            var leaves = random.Next(4) == 0;
            var leaveAfter = random.Next(0, 40);
            tasks.Add(
                Task.Run(async () =>
                {
                    await start.Task;
                    if (delay > 30)
                        await Task.Delay(delay);
                    p.Connection = await ps.ConnectPlayerAsync(p.UserId);
                    await Subscribe(p);
                    if (!leaves)
                        return;
                    await Task.Delay(leaveAfter);
                    p.Left = true;
                    await ps.DisconnectAsync(p.Connection);
                })
            );
        }
        start.SetResult();
        await Task.WhenAll(tasks);

        // Players whose streamer left were told so; they subscribe again, like Epic's player does.
        foreach (
            var p in players.Where(p => !p.Left && ps.Gateway[p.Connection!].OfType("streamerDisconnected").Count > 0)
        )
        {
            if (await ps.Store.HashGetAsync(ps.Keys.Player(p.UserId), PsFields.State) == PlayerStates.Idle)
                await Subscribe(p);
        }
        await ps.Deferred.DrainAsync();

        var live = players.Where(p => !p.Left).ToArray();
        var queue = await ps.Store.ListRangeAsync(ps.Keys.Queue);
        Assert.Equal(queue.Count, queue.Distinct().Count());

        var matched = new List<PlayerRun>();
        var servedBy = new Dictionary<string, string>();
        foreach (var p in live)
        {
            var h = await ps.Store.HashGetAllAsync(ps.Keys.Player(p.UserId));
            var st = h[PsFields.State];
            if (st == PlayerStates.Waiting)
            {
                Assert.Single(queue, q => q == p.UserId);
                continue;
            }
            Assert.True(
                st is PlayerStates.Reserved or PlayerStates.Streaming,
                $"{p.UserId} is neither matched nor waiting but {st}"
            );
            var streamer = h[PsFields.Streamer];
            Assert.Equal(p.UserId, await ps.Store.HashGetAsync(ps.Keys.Streamer(streamer), PsFields.Player));
            Assert.True(
                servedBy.TryAdd(streamer, p.UserId),
                $"streamer {streamer} serves {servedBy.GetValueOrDefault(streamer)} and {p.UserId}"
            );
            Assert.Contains(ps.Keys.Streamer(streamer), liveStreamers.Values.Select(ps.Keys.Streamer));
            matched.Add(p);
        }
        Assert.Equal(live.Length, matched.Count + queue.Count);
        Assert.All(queue, q => Assert.Contains(live, p => p.UserId == q));
        // 150-odd players for 20 streamers: every live streamer is in use, nobody idles while players wait.
        Assert.Equal(20, matched.Count);
        Assert.Empty(await ps.Store.SortedSetRangeByScoreAsync(ps.Keys.Idle));

        // FIFO: a player that was already waiting when another subscribed is never overtaken by it.
        var byId = players.ToDictionary(p => p.UserId);
        for (var i = 0; i < queue.Count; i++)
        {
            var waiting = byId[queue[i]];
            foreach (var m in matched)
            {
                Assert.False(
                    waiting.SubscribeEnd < m.SubscribeStart,
                    $"{m.UserId} subscribed after {waiting.UserId} was queued yet got a streamer first"
                );
            }

            for (var j = i + 1; j < queue.Count; j++)
            {
                Assert.False(
                    byId[queue[j]].SubscribeEnd < waiting.SubscribeStart,
                    $"{queue[j]} queued before {waiting.UserId} but stands behind it"
                );
            }
        }

        // Seen from each streamer socket: one player at a time, each released before the next arrives.
        foreach (var conn in streamerConnections)
        {
            string? current = null;
            foreach (var m in ps.Gateway[conn].Received)
            {
                var type = (string)m["type"]!;
                if (type == "playerConnected")
                {
                    Assert.True(current is null, $"{conn} got {m["playerId"]} while serving {current}");
                    current = (string)m["playerId"]!;
                }
                else if (type == "playerDisconnected")
                {
                    Assert.Equal(current, (string)m["playerId"]!);
                    current = null;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Waiting_players_are_served_strictly_in_arrival_order_as_streamers_arrive_and_free_up(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var connections = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var conn = await ps.ConnectPlayerAsync($"q{i:D2}");
            connections.Add(conn);
            await ps.SendAsync(conn, new JsonObject { ["type"] = "subscribe", ["streamerId"] = "waiting_queue" });
        }
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"q{i:D2}"), await ps.Store.ListRangeAsync(ps.Keys.Queue));

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => ps.RegisterStreamerAsync($"s{i}"))));
        Assert.Equal(Enumerable.Range(10, 20).Select(i => $"q{i:D2}"), await ps.Store.ListRangeAsync(ps.Keys.Queue));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(
                PlayerStates.Reserved,
                await ps.Store.HashGetAsync(ps.Keys.Player($"q{i:D2}"), PsFields.State)
            );
        }

        // Five sessions end at once; their streamers (no worker) take the next five in order.
        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => Task.Run(() => ps.DisconnectAsync(connections[i]))));
        Assert.Equal(Enumerable.Range(15, 15).Select(i => $"q{i:D2}"), await ps.Store.ListRangeAsync(ps.Keys.Queue));
        for (var i = 10; i < 15; i++)
        {
            Assert.Equal(
                PlayerStates.Reserved,
                await ps.Store.HashGetAsync(ps.Keys.Player($"q{i:D2}"), PsFields.State)
            );
        }
    }
}
