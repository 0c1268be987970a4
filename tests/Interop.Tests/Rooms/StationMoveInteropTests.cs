using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Contracts;
using MobZ.MunitHost;
using MobZ.MunitHost.Configuration;
using MobZ.State;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Rooms;

/// <summary>
/// A second Munit (the ECS task's host, in this process) joins the stack's Redis; a call runs on it; it is
/// stopped as ECS stops a task (SIGTERM: drain with a deadline, then hand the stations over). Everyone in the
/// call is told and reconnects to the stack's own Munit with no user action.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class StationMoveInteropTests(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    [Fact]
    public async Task A_call_whose_Munit_stops_resumes_on_another_Munit_without_user_action()
    {
        var store = stack.Stack.Services.GetRequiredService<IStateStore>();
        var bus = stack.Stack.Services.GetRequiredService<IMessageBus>();
        string stackMunit = stack.Stack.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId;

        var (app, backend) = await BuildLeavingMunitAsync();
        await using var _ = backend;
        await using var __ = app;
        await using var revive = new Revive(bus, stackMunit);
        await app.StartAsync();
        string leaving = app.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId;

        // The call lands on the second Munit: the stack's own drains until the call is up.
        await bus.PublishAsync(MunitKeys.Channel(stackMunit), """{"type":"drain","v":1}""");
        await Eventually.WaitUntilAsync(
            async () => await store.HashGetAsync(MunitKeys.Info(stackMunit), MunitInfoFields.Draining) == "true",
            MediaTimeout,
            "the stack's Munit is draining"
        );
        await Eventually.WaitUntilAsync(
            async () => await store.ExistsAsync(MunitKeys.Alive(leaving)),
            MediaTimeout,
            "the second Munit registered"
        );

        var room = "move-" + Guid.NewGuid().ToString("N")[..8];
        var alice = await RoomPage.OpenAsync(stack, room, "publisher", simulcast: false);
        var bob = await RoomPage.OpenAsync(stack, room, "publisher", simulcast: false);
        var viewer = await RoomPage.OpenAsync(stack, room, "viewer", simulcast: false);
        string? aliceStation = null,
            bobStation = null;
        await Eventually.WaitUntilAsync(
            async () =>
            {
                aliceStation = await alice.StationIdAsync();
                bobStation = await bob.StationIdAsync();
                return aliceStation is not null && bobStation is not null;
            },
            MediaTimeout,
            "both publishers have stations"
        );
        foreach (var station in new[] { aliceStation!, bobStation! })
            Assert.Equal(leaving, await store.HashGetAsync(MunitKeys.Station(station), StationFields.Munit));
        var watchers = new (string Who, RoomPage Page, string[] Stations)[]
        {
            ("alice", alice, [bobStation!]),
            ("bob", bob, [aliceStation!]),
            ("the viewer", viewer, [aliceStation!, bobStation!]),
        };
        await AllDecodeAsync(watchers, "before the move");

        // ECS stops the task: drain for at most 2 s, then hand the stations to a Munit that takes stations again.
        await bus.PublishAsync(MunitKeys.Channel(stackMunit), """{"type":"revive","v":1}""");
        await Eventually.WaitUntilAsync(
            async () => await store.HashGetAsync(MunitKeys.Info(stackMunit), MunitInfoFields.Draining) == "false",
            MediaTimeout,
            "the stack's Munit takes stations again"
        );
        var stopwatch = Stopwatch.StartNew();
        await app.StopAsync();
        foreach (var station in new[] { aliceStation!, bobStation! })
            Assert.Equal(stackMunit, await store.HashGetAsync(MunitKeys.Station(station), StationFields.Munit));

        foreach (var (who, page, _) in watchers)
        {
            await Eventually.WaitUntilAsync(
                async () => await page.Page.EvaluateAsync<int>("() => window.mobz.state.moves ?? 0") > 0,
                MediaTimeout,
                $"{who} was told the stations moved"
            );
        }

        await AllDecodeAsync(watchers, "after the move");
        output.WriteLine(
            $"media back everywhere {stopwatch.Elapsed.TotalSeconds:F1} s after the stop began (2 s of it the drain deadline)"
        );
        foreach (var publisher in new[] { alice, bob })
            Assert.Equal("connected", await publisher.PublishStateAsync());
    }

    [Fact]
    public async Task An_aiortc_publisher_whose_Munit_stops_offers_again_by_itself_and_the_viewer_decodes_it_again()
    {
        var store = stack.Stack.Services.GetRequiredService<IStateStore>();
        var bus = stack.Stack.Services.GetRequiredService<IMessageBus>();
        string stackMunit = stack.Stack.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId;
        var (app, backend) = await BuildLeavingMunitAsync();
        await using var _ = backend;
        await using var __ = app;
        await using var revive = new Revive(bus, stackMunit);
        await app.StartAsync();
        string leaving = app.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId;

        await bus.PublishAsync(MunitKeys.Channel(stackMunit), """{"type":"drain","v":1}""");
        await Eventually.WaitUntilAsync(
            async () => await store.HashGetAsync(MunitKeys.Info(stackMunit), MunitInfoFields.Draining) == "true",
            MediaTimeout,
            "the stack's Munit is draining"
        );
        await Eventually.WaitUntilAsync(
            async () => await store.ExistsAsync(MunitKeys.Alive(leaving)),
            MediaTimeout,
            "the second Munit registered"
        );

        // The aiortc client does its own signaling (Join, Offer, Heartbeat, and StationMoved → a new offer).
        var room = "aiortc-move-" + Guid.NewGuid().ToString("N")[..8];
        using var aiortc = new AiortcRoomPublisher(stack.Stack.RoomsUrl(), room, output);
        var joined = await aiortc.NextAsync(
            e => e["event"]!.GetValue<string>() == "joined",
            MediaTimeout,
            "aiortc joined"
        );
        string station = joined["stationId"]!.GetValue<string>();
        await aiortc.NextAsync(e => IsConnected(e, 1), MediaTimeout, "aiortc's first connection is up");
        Assert.Equal(leaving, await store.HashGetAsync(MunitKeys.Station(station), StationFields.Munit));
        var viewer = await RoomPage.OpenAsync(stack, room, "viewer", simulcast: false);
        var watchers = new (string Who, RoomPage Page, string[] Stations)[] { ("the viewer", viewer, [station]) };
        await AllDecodeAsync(watchers, "before the move");

        await bus.PublishAsync(MunitKeys.Channel(stackMunit), """{"type":"revive","v":1}""");
        await Eventually.WaitUntilAsync(
            async () => await store.HashGetAsync(MunitKeys.Info(stackMunit), MunitInfoFields.Draining) == "false",
            MediaTimeout,
            "the stack's Munit takes stations again"
        );
        var stopwatch = Stopwatch.StartNew();
        await app.StopAsync();
        Assert.Equal(stackMunit, await store.HashGetAsync(MunitKeys.Station(station), StationFields.Munit));

        var moved = await aiortc.NextAsync(
            e => e["event"]!.GetValue<string>() == "moved",
            MediaTimeout,
            "aiortc was told its station moved"
        );
        Assert.Equal("handover", moved["reason"]!.GetValue<string>());
        await aiortc.NextAsync(
            e => IsConnected(e, 2),
            MediaTimeout,
            "aiortc's new connection (to the new Munit) is up"
        );
        await Eventually.WaitUntilAsync(
            async () => await viewer.Page.EvaluateAsync<int>("() => window.mobz.state.moves ?? 0") > 0,
            MediaTimeout,
            "the viewer was told the station moved"
        );
        await AllDecodeAsync(watchers, "after the move");
        output.WriteLine(
            $"media back {stopwatch.Elapsed.TotalSeconds:F1} s after the stop began (aiortc publisher; 2 s of it the drain deadline)"
        );

        static bool IsConnected(System.Text.Json.Nodes.JsonNode e, int connection) =>
            e["event"]!.GetValue<string>() == "state"
            && e["connection"]!.GetValue<int>() == connection
            && e["state"]!.GetValue<string>() == "connected";
    }

    [Fact]
    public Task A_call_whose_Munit_process_is_killed_resumes_on_another_Munit_without_user_action() =>
        RunFaultAsync(
            "kill -9",
            async process =>
            {
                process.Kill(entireProcessTree: true); // SIGKILL: no drain, no hand-over, no deregistration
                await process.WaitForExitAsync();
            },
            afterwards: async (store, station, _, stackMunit, doomed) =>
            {
                // The sweep that moved the station retired the dead Munit in the same commit: nothing of it is left.
                Assert.False(await store.ExistsAsync(MunitKeys.Info(doomed)));
                Assert.False(await store.ExistsAsync(MunitKeys.Alive(doomed)));
                Assert.Null(await store.SortedSetScoreAsync(MunitKeys.Registry, doomed));
                Assert.Empty(await store.SetMembersAsync(MunitKeys.Stations(doomed)));
                Assert.True(await store.SetContainsAsync(MunitKeys.Stations(stackMunit), station));
            }
        );

    [Fact]
    public Task A_call_whose_Munit_process_stalls_past_its_liveness_TTL_carries_on_and_the_woken_Munit_keeps_off_it() =>
        RunFaultAsync(
            "SIGSTOP 9 s",
            async process =>
            {
                // A 9 s stall (a starved task) outlives the 6 s liveness TTL: the Munit is declared dead and its
                // station moves while it sleeps; when it wakes it must not take the station back or end the call.
                Assert.Equal(0, await SignalAsync(process.Id, "STOP"));
                await Task.Delay(TimeSpan.FromSeconds(9)); // the fault itself lasts 9 s; nothing is waited for here
                Assert.Equal(0, await SignalAsync(process.Id, "CONT"));
            },
            afterwards: async (store, station, viewer, stackMunit, doomed) =>
            {
                // The woken Munit re-registers and reconciles: the station stays where it moved, the call goes on.
                await Eventually.WaitUntilAsync(
                    async () => await store.ExistsAsync(MunitKeys.Alive(doomed)),
                    MediaTimeout,
                    "the woken Munit registered again"
                );
                Assert.False(await store.SetContainsAsync(MunitKeys.Stations(doomed), station));
                Assert.Equal(stackMunit, await store.HashGetAsync(MunitKeys.Station(station), StationFields.Munit));
                long before = (await viewer.VideoAsync())[station].FramesDecoded;
                await Eventually.WaitUntilAsync(
                    async () => (await viewer.VideoAsync())[station].FramesDecoded > before + 10,
                    MediaTimeout,
                    "the viewer keeps decoding after the stalled Munit woke"
                );
            }
        );

    [Fact]
    public Task A_call_whose_Munit_is_drained_with_a_deadline_resumes_on_another_Munit_without_user_action() =>
        RunFaultAsync(
            "drain with a 2 s deadline",
            async (process, doomed) =>
            {
                // The operator's path: the admin API orders the drain; 2 s later the Regulator hands the station over.
                using var http = new HttpClient { BaseAddress = stack.Stack.BaseUrl, Timeout = MediaTimeout };
                http.DefaultRequestHeaders.Add("x-api-key", "dev-api-key");
                var drained = await http.PostAsync(
                    $"api/admin/munits/{Uri.EscapeDataString(doomed)}/drain?deadlineSeconds=2",
                    null
                );
                Assert.Equal(System.Net.HttpStatusCode.Accepted, drained.StatusCode);
            },
            afterwards: async (store, station, viewer, stackMunit, doomed) =>
            {
                // The drained Munit is still there, draining and empty, for the operator to stop; its process runs on.
                Assert.Equal("true", await store.HashGetAsync(MunitKeys.Info(doomed), MunitInfoFields.Draining));
                Assert.True(await store.ExistsAsync(MunitKeys.Alive(doomed)));
                Assert.Empty(await store.SetMembersAsync(MunitKeys.Stations(doomed)));
            }
        );

    /// <summary>A call on a Munit process of its own, a fault injected into that process, and the call back on the
    /// stack's Munit without anyone touching the pages.</summary>
    private Task RunFaultAsync(
        string fault,
        Func<Process, Task> inject,
        Func<IStateStore, string, RoomPage, string, string, Task>? afterwards = null
    ) => RunFaultAsync(fault, (process, _) => inject(process), afterwards);

    private async Task RunFaultAsync(
        string fault,
        Func<Process, string, Task> inject,
        Func<IStateStore, string, RoomPage, string, string, Task>? afterwards = null
    )
    {
        var store = stack.Stack.Services.GetRequiredService<IStateStore>();
        var bus = stack.Stack.Services.GetRequiredService<IMessageBus>();
        string stackMunit = stack.Stack.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId;
        string doomed = "munit-doomed-" + Guid.NewGuid().ToString("N")[..6];

        // The Munit task's own process (built beside this test), so it can die or stall as a task does.
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MobZ.MunitHost.dll"));
        info.Environment["MOBZ_REDIS"] = stack.Redis.Configuration;
        info.Environment["MOBZ_REDIS_PREFIX"] = stack.RedisKeyPrefix;
        info.Environment["MUNIT_ID"] = doomed;
        info.Environment["MUNIT_BIND_ADDRESS"] = "127.0.0.1";
        info.Environment["MUNIT_PUBLIC_IP"] = "127.0.0.1";
        info.Environment["MUNIT_UDP_PORT"] = "0";
        info.Environment["MUNIT_HTTP_PORT"] = "0";
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                output.WriteLine("munit: " + e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await bus.PublishAsync(MunitKeys.Channel(stackMunit), """{"type":"drain","v":1}""");
            await Eventually.WaitUntilAsync(
                async () => await store.HashGetAsync(MunitKeys.Info(stackMunit), MunitInfoFields.Draining) == "true",
                MediaTimeout,
                "the stack's Munit is draining"
            );
            await Eventually.WaitUntilAsync(
                async () => await store.ExistsAsync(MunitKeys.Alive(doomed)),
                MediaTimeout,
                "the Munit process registered"
            );

            var room = "fault-" + Guid.NewGuid().ToString("N")[..8];
            var alice = await RoomPage.OpenAsync(stack, room, "publisher", simulcast: false);
            var viewer = await RoomPage.OpenAsync(stack, room, "viewer", simulcast: false);
            string? aliceStation = null;
            await Eventually.WaitUntilAsync(
                async () => (aliceStation = await alice.StationIdAsync()) is not null,
                MediaTimeout,
                "alice has a station"
            );
            Assert.Equal(doomed, await store.HashGetAsync(MunitKeys.Station(aliceStation!), StationFields.Munit));
            var watchers = new (string Who, RoomPage Page, string[] Stations)[]
            {
                ("the viewer", viewer, [aliceStation!]),
            };
            await AllDecodeAsync(watchers, $"before the {fault}");
            await bus.PublishAsync(MunitKeys.Channel(stackMunit), """{"type":"revive","v":1}""");
            await Eventually.WaitUntilAsync(
                async () => await store.HashGetAsync(MunitKeys.Info(stackMunit), MunitInfoFields.Draining) == "false",
                MediaTimeout,
                "the stack's Munit takes stations again"
            );

            var stopwatch = Stopwatch.StartNew();
            await inject(process, doomed);
            await Eventually.WaitUntilAsync(
                async () => await viewer.Page.EvaluateAsync<int>("() => window.mobz.state.moves ?? 0") > 0,
                MediaTimeout,
                "the viewer was told the station moved"
            );
            Assert.Equal(stackMunit, await store.HashGetAsync(MunitKeys.Station(aliceStation!), StationFields.Munit));
            await AllDecodeAsync(watchers, $"after the {fault}");
            output.WriteLine(
                $"media back {stopwatch.Elapsed.TotalSeconds:F1} s after the {fault} began"
                    + (
                        fault.StartsWith("drain", StringComparison.Ordinal)
                            ? " (order through the admin API, deadline included)"
                            : " (liveness TTL 6 s)"
                    )
            );
            Assert.Equal("connected", await alice.PublishStateAsync());
            if (afterwards is not null)
                await afterwards(store, aliceStation!, viewer, stackMunit, doomed);
        }
        finally
        {
            // Leave the shared stack as it was: its own Munit taking stations, the other one stopped and gone
            // from the registry (a graceful stop deregisters; a dead one is swept by the stack's Regulator).
            await bus.PublishAsync(MunitKeys.Channel(stackMunit), """{"type":"revive","v":1}""");
            if (!process.HasExited)
            {
                await SignalAsync(process.Id, "CONT");
                await SignalAsync(process.Id, "TERM");
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await process.WaitForExitAsync(exit.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            await Eventually.WaitUntilAsync(
                async () => await store.SortedSetScoreAsync(MunitKeys.Registry, doomed) is null,
                MediaTimeout,
                "the other Munit left the registry"
            );
        }
    }

    /// <summary>A second Munit (the ECS task's host) in this process on the stack's Redis, stopped as ECS stops a task:
    /// a drain of at most 2 s, then the hand-over.</summary>
    private Task<(Microsoft.AspNetCore.Builder.WebApplication App, IStateBackend Backend)> BuildLeavingMunitAsync() =>
        MunitHostApp.BuildAsync(
            new MunitHostSettings
            {
                Redis = stack.Redis.Configuration,
                RedisPrefix = stack.RedisKeyPrefix,
                UdpPort = 0,
                HttpPort = 0,
                BindAddress = "127.0.0.1",
                PublicIp = "127.0.0.1",
                MunitId = "munit-leaving-" + Guid.NewGuid().ToString("N")[..6],
                DrainTimeout = TimeSpan.FromSeconds(2),
            },
            logging: _ => { }
        );

    private static async Task<int> SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start(
            new ProcessStartInfo("kill")
            {
                ArgumentList = { "-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }
        )!;
        await kill.WaitForExitAsync();
        return kill.ExitCode;
    }

    private async Task AllDecodeAsync((string Who, RoomPage Page, string[] Stations)[] watchers, string when)
    {
        foreach (var (who, page, stations) in watchers)
        {
            try
            {
                await Eventually.WaitUntilAsync(
                    async () =>
                    {
                        var video = await page.VideoAsync();
                        return stations.All(s =>
                            video.TryGetValue(s, out var v) && v.FramesDecoded > 0 && v.ConnectionState == "connected"
                        );
                    },
                    MediaTimeout,
                    $"{who} decodes every other publisher {when}"
                );
            }
            catch (Xunit.Sdk.XunitException)
            {
                output.WriteLine($"{who} {when}: {await page.DescribeAsync()}");
                throw;
            }
        }
    }

    /// <summary>Whatever happens in a test, the shared stack's Munit takes stations again afterwards.</summary>
    private sealed class Revive(IMessageBus bus, string munitId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await bus.PublishAsync(MunitKeys.Channel(munitId), """{"type":"revive","v":1}""");
    }
}
