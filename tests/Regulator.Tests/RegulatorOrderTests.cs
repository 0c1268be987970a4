using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Contracts;
using MobZ.Munit.Control;
using MobZ.State;
using MobZ.State.InProcess;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Time;

namespace MobZ.Regulator.Tests;

/// <summary>Orders from signaling over real Redis pub/sub, observed on the Munit.</summary>
public sealed class RegulatorOrderTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private IStateBackend _backend = null!;
    private RegulatorHarness _h = null!;

    public async Task InitializeAsync()
    {
        _backend = await redis.CreateBackendAsync(redis.NewKeyPrefix());
        _h = await RegulatorHarness.StartAsync(_backend);
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Start_registers_the_Munit_with_a_heartbeat_TTL()
    {
        var info = await _backend.Store.HashGetAllAsync(MunitKeys.Info(_h.MunitId));
        Assert.Equal(_h.MunitId, info[MunitInfoFields.MunitId]);
        Assert.Equal("127.0.0.1", info[MunitInfoFields.Address]);
        Assert.Equal("40000", info[MunitInfoFields.Port]);
        Assert.Equal("100", info[MunitInfoFields.Capacity]);
        Assert.Equal("false", info[MunitInfoFields.Draining]);
        Assert.NotNull(await _backend.Store.SortedSetScoreAsync(MunitKeys.Registry, _h.MunitId));
        var ttl = await _backend.Store.TimeToLiveAsync(MunitKeys.Alive(_h.MunitId));
        Assert.NotNull(ttl);
        Assert.True(ttl <= RegulatorHarness.SteadyOptions.AliveTtl);
    }

    [Fact]
    public async Task Heartbeat_keeps_the_Munit_alive_beyond_its_TTL()
    {
        // The store and the Regulator share one fake clock, so the alive key expires exactly when the clock says:
        // three TTLs of heartbeats, and after each the key is there with its TTL renewed to the full value.
        var time = new TimerCountingTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        await using var backend = new InProcessBackend(NullLoggerFactory.Instance, time);
        var options = new RegulatorOptions
        {
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            AliveTtl = TimeSpan.FromSeconds(3),
            ReconcileInterval = TimeSpan.FromSeconds(10),
        };
        await using var munit = await RegulatorHarness.StartAsync(backend, "m-beat", options, time);
        var alive = MunitKeys.Alive(munit.MunitId);
        await Eventually.WaitUntilAsync(() => backend.Store.ExistsAsync(alive), Timeout, "registered");

        for (var elapsed = TimeSpan.Zero; elapsed < options.AliveTtl * 3; elapsed += options.HeartbeatInterval)
        {
            // The store's sweep timer and the loop's one sleep: the loop waits for its next heartbeat.
            await Eventually.WaitUntilAsync(
                () => time.LiveTimers == 2,
                Timeout,
                "the Regulator's loop sleeps on the clock"
            );
            time.Advance(options.HeartbeatInterval);
            Assert.True(
                await backend.Store.ExistsAsync(alive),
                $"alive key missing {elapsed + options.HeartbeatInterval} into the clock"
            );
            await Eventually.WaitUntilAsync(
                async () => await backend.Store.TimeToLiveAsync(alive) == options.AliveTtl,
                Timeout,
                $"the heartbeat {elapsed + options.HeartbeatInterval} into the clock renewed the alive key's TTL"
            );
        }
    }

    [Fact]
    public async Task Assign_creates_the_station_on_the_Munit()
    {
        await RegulatorHarness.PlaceStationAsync(_backend, _h.MunitId, "st-a", hls: true);
        await Eventually.WaitUntilAsync(() => _h.Munit.HasStation("st-a"), Timeout, "the Munit has station st-a");
        var d = _h.Munit.FindStationDescriptor("st-a")!;
        Assert.Equal("pub-st-a", d.PublisherId);
        Assert.True(d.Hls);
        await Eventually.WaitUntilAsync(
            async () => await _backend.Store.HashGetAsync(MunitKeys.Info(_h.MunitId), MunitInfoFields.Stations) == "1",
            Timeout,
            "the registration counts one station"
        );
    }

    [Fact]
    public async Task Unassign_closes_the_station()
    {
        await RegulatorHarness.PlaceStationAsync(_backend, _h.MunitId, "st-b");
        await Eventually.WaitUntilAsync(() => _h.Munit.HasStation("st-b"), Timeout, "station st-b exists");
        await RegulatorHarness.RemoveStationAsync(_backend, _h.MunitId, "st-b");
        await Eventually.WaitUntilAsync(() => !_h.Munit.HasStation("st-b"), Timeout, "station st-b is closed");
    }

    [Fact]
    public async Task Stale_assign_for_a_station_placed_elsewhere_is_ignored()
    {
        await RegulatorHarness.PlaceStationAsync(_backend, "another-munit", "st-elsewhere", publish: false);
        await RegulatorHarness.PublishAsync(
            _backend,
            _h.MunitId,
            new AssignSignal("st-elsewhere", "r", "p", "m2m", false)
        );
        await RegulatorHarness.PlaceStationAsync(_backend, _h.MunitId, "st-marker");
        await Eventually.WaitUntilAsync(() => _h.Munit.HasStation("st-marker"), Timeout, "a later Assign was handled");
        Assert.False(_h.Munit.HasStation("st-elsewhere"));
    }

    [Fact]
    public async Task Drain_refuses_new_stations_keeps_existing_ones_and_reports_drained_when_the_last_ends()
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _h.Regulator.Drained += () => drained.TrySetResult();
        await RegulatorHarness.PlaceStationAsync(_backend, _h.MunitId, "st-old");
        await Eventually.WaitUntilAsync(() => _h.Munit.HasStation("st-old"), Timeout, "st-old exists");

        await RegulatorHarness.PublishAsync(_backend, _h.MunitId, new DrainSignal());
        await Eventually.WaitUntilAsync(
            async () =>
                await _backend.Store.HashGetAsync(MunitKeys.Info(_h.MunitId), MunitInfoFields.Draining) == "true",
            Timeout,
            "the registration says draining"
        );
        Assert.True(_h.Regulator.Draining);

        await RegulatorHarness.PublishAsync(_backend, _h.MunitId, new AssignSignal("st-new", "r", "p", "m2m", false));
        await RegulatorHarness.PublishAsync(_backend, _h.MunitId, new UnassignSignal("st-old"));
        await Eventually.WaitUntilAsync(() => !_h.Munit.HasStation("st-old"), Timeout, "st-old is finished");
        Assert.False(_h.Munit.HasStation("st-new"));
        await drained.Task.WaitAsync(Timeout);
        Assert.Equal("0", await _backend.Store.HashGetAsync(MunitKeys.Info(_h.MunitId), MunitInfoFields.Stations));
    }

    [Fact]
    public async Task Revive_accepts_stations_again()
    {
        await RegulatorHarness.PublishAsync(_backend, _h.MunitId, new DrainSignal());
        await Eventually.WaitUntilAsync(() => _h.Regulator.Draining, Timeout, "draining");
        await _backend.Bus.PublishAsync(
            MunitKeys.BroadcastChannel,
            JsonSerializer.Serialize<MunitSignal>(new ReviveSignal(), ContractsJsonContext.Default.MunitSignal)
        );
        await Eventually.WaitUntilAsync(
            async () =>
                await _backend.Store.HashGetAsync(MunitKeys.Info(_h.MunitId), MunitInfoFields.Draining) == "false",
            Timeout,
            "the registration says not draining (revive on the broadcast channel)"
        );
        await RegulatorHarness.PlaceStationAsync(_backend, _h.MunitId, "st-after-revive");
        await Eventually.WaitUntilAsync(
            () => _h.Munit.HasStation("st-after-revive"),
            Timeout,
            "a station is accepted after revive"
        );
    }

    [Fact]
    public async Task Stop_asks_the_host_to_shut_down()
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _h.Regulator.StopRequested += () => stop.TrySetResult();
        await RegulatorHarness.PublishAsync(_backend, _h.MunitId, new StopSignal());
        await stop.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Media_request_is_relayed_and_answered_on_reply_to()
    {
        await RegulatorHarness.PlaceStationAsync(_backend, _h.MunitId, "st-m");
        await Eventually.WaitUntilAsync(() => _h.Munit.HasStation("st-m"), Timeout, "st-m exists");

        var reply = await RequestAsync(
            new MediaRequest("r1", "reply:r1", MediaOps.Publish, "st-m", "peer-1") { Sdp = "v=0 offer" }
        );
        Assert.True(reply.Ok);
        Assert.Equal("v=0 answer-for-peer-1", reply.Sdp);
        Assert.Contains(_h.Media.Commands, c => c is { Op: MediaOp.Publish, PeerId: "peer-1", Sdp: "v=0 offer" });

        var layer = await RequestAsync(
            new MediaRequest("r2", "reply:r2", MediaOps.Simulcast, "st-m", "peer-2") { Layer = "h" }
        );
        Assert.True(layer.Ok);
        Assert.Contains(_h.Media.Commands, c => c is { Op: MediaOp.Simulcast, Layer: "h" });
    }

    [Fact]
    public async Task Media_request_errors_come_back_as_failed_responses()
    {
        var noStation = await RequestAsync(new MediaRequest("r3", "reply:r3", MediaOps.Watch, "st-missing", "peer-1"));
        Assert.False(noStation.Ok);
        Assert.Contains("st-missing", noStation.Error);

        var badOp = await RequestAsync(new MediaRequest("r4", "reply:r4", "teleport", "st-missing", "peer-1"));
        Assert.False(badOp.Ok);
        Assert.Contains("teleport", badOp.Error);
    }

    [Fact]
    public async Task Fire_and_forget_leave_is_relayed_without_a_reply()
    {
        await RegulatorHarness.PlaceStationAsync(_backend, _h.MunitId, "st-l");
        await Eventually.WaitUntilAsync(() => _h.Munit.HasStation("st-l"), Timeout, "st-l exists");
        await RegulatorHarness.PublishAsync(
            _backend,
            _h.MunitId,
            new MediaRequest("r5", "", MediaOps.Leave, "st-l", "peer-9")
        );
        await Eventually.WaitUntilAsync(
            () => _h.Media.Commands.Any(c => c is { Op: MediaOp.Leave, PeerId: "peer-9" }),
            Timeout,
            "leave reached the Munit"
        );
    }

    [Fact]
    public async Task Malformed_and_unknown_signals_are_dropped_and_the_Regulator_keeps_working()
    {
        string channel = MunitKeys.Channel(_h.MunitId);
        await _backend.Bus.PublishAsync(channel, "{not json");
        await _backend.Bus.PublishAsync(channel, """{"type":"teleport","v":1}""");
        await _backend.Bus.PublishAsync(
            channel,
            """{"type":"assign","v":99,"stationId":"st-v99","roomId":"r","publisherId":"p","roomKind":"m2m","hls":false}"""
        );
        await _backend.Bus.PublishAsync(channel, "");
        await RegulatorHarness.PlaceStationAsync(_backend, _h.MunitId, "st-after-garbage");
        await Eventually.WaitUntilAsync(
            () => _h.Munit.HasStation("st-after-garbage"),
            Timeout,
            "a valid Assign after garbage is handled"
        );
        Assert.False(_h.Munit.HasStation("st-v99"));
    }

    private async Task<MediaResponse> RequestAsync(MediaRequest request)
    {
        var answered = new TaskCompletionSource<MediaResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await _backend.Bus.SubscribeAsync(request.ReplyTo, m =>
        {
            answered.TrySetResult(JsonSerializer.Deserialize(m, ContractsJsonContext.Default.MediaResponse)!);
            return Task.CompletedTask;
        });
        await RegulatorHarness.PublishAsync(_backend, _h.MunitId, request);
        var response = await answered.Task.WaitAsync(Timeout);
        Assert.Equal(request.RequestId, response.RequestId);
        return response;
    }
}
