using System.Diagnostics;
using MobZ.Contracts;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.MunitHost.Tests;

public sealed class MunitHostLifecycleTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Registers_with_the_ECS_address_runs_assigned_stations_and_on_shutdown_drains_then_deregisters()
    {
        await using var aws = await EcsApiDouble.StartAsync();
        var prefix = redis.NewKeyPrefix();
        await using var backend = await redis.CreateBackendAsync(prefix);
        await using var host = await RunningHost.StartAsync(
            redis.Configuration,
            prefix,
            "ecs",
            TimeSpan.FromSeconds(20),
            environment: aws.Environment
        );
        var munitId = host.MunitId;
        Assert.Equal("munit-0f1e2d3c4b5a69788796a5b4c3d2e1f0", munitId);

        await Eventually.WaitUntilAsync(
            () => Signaling.IsRegisteredAsync(backend, munitId),
            Wait,
            "the Munit is in the registry"
        );
        var info = await backend.Store.HashGetAllAsync(MunitKeys.Info(munitId));
        Assert.Equal("198.51.100.23", info[MunitInfoFields.Address]);
        Assert.NotEqual("0", info[MunitInfoFields.Port]);
        Assert.Equal("false", info[MunitInfoFields.Draining]);
        // One media worker per core by default, each registered with its own port and load.
        Assert.Equal(
            Math.Clamp(Environment.ProcessorCount, 1, MobZ.Munit.MunitOptions.MaxWorkers),
            info[MunitInfoFields.Workers].Split(',').Length
        );

        await Signaling.PlaceStationAsync(backend, munitId, "st-1");
        await Eventually.WaitUntilAsync(() => host.Munit.HasStation("st-1"), Wait, "the Assign created the station");
        Assert.Equal(1, (await host.GetHealthAsync()).Stations);
        Assert.Equal(
            0,
            await HealthProbe.RunAsync(name =>
                name == "MUNIT_HTTP_PORT"
                    ? host.HttpBase.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : null
            )
        );

        var stopping = host.StopAsync();
        await Eventually.WaitUntilAsync(
            async () => await backend.Store.HashGetAsync(MunitKeys.Info(munitId), MunitInfoFields.Draining) == "true",
            Wait,
            "the registration says draining, so signaling places nothing new here"
        );
        Assert.False(stopping.IsCompleted, "the host waits for its station while draining");
        Assert.True(host.Munit.HasStation("st-1"));
        Assert.True(await Signaling.IsRegisteredAsync(backend, munitId));

        await Signaling.RemoveStationAsync(backend, munitId, "st-1");
        await stopping.WaitAsync(Wait);

        Assert.False(await Signaling.IsRegisteredAsync(backend, munitId));
        Assert.False(await backend.Store.ExistsAsync(MunitKeys.Info(munitId)));
        Assert.False(await backend.Store.ExistsAsync(MunitKeys.Alive(munitId)));
    }

    [Fact]
    public async Task A_drain_that_outlasts_its_timeout_hands_the_stations_to_a_live_munit()
    {
        var prefix = redis.NewKeyPrefix();
        await using var backend = await redis.CreateBackendAsync(prefix);
        await using var leaving = await RunningHost.StartAsync(
            redis.Configuration,
            prefix,
            "203.0.113.1",
            TimeSpan.FromSeconds(1),
            munitId: "munit-leaving"
        );
        await using var staying = await RunningHost.StartAsync(
            redis.Configuration,
            prefix,
            "203.0.113.2",
            TimeSpan.FromSeconds(20),
            munitId: "munit-staying"
        );
        await Eventually.WaitUntilAsync(
            async () =>
                await Signaling.IsRegisteredAsync(backend, "munit-leaving")
                && await Signaling.IsRegisteredAsync(backend, "munit-staying"),
            Wait,
            "both Munits registered"
        );
        await Signaling.PlaceStationAsync(backend, "munit-leaving", "st-long");
        await Eventually.WaitUntilAsync(
            () => leaving.Munit.HasStation("st-long"),
            Wait,
            "the station runs on the leaving Munit"
        );

        var clock = Stopwatch.StartNew();
        await leaving.StopAsync().WaitAsync(Wait);

        // The drain waited out its 1 s timeout before handing over; a busy machine can only make that longer.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"stopped after {clock.Elapsed}");
        Assert.Equal(
            "munit-staying",
            await backend.Store.HashGetAsync(MunitKeys.Station("st-long"), StationFields.Munit)
        );
        await Eventually.WaitUntilAsync(
            () => staying.Munit.HasStation("st-long"),
            Wait,
            "the live Munit took the station over"
        );
        Assert.False(await Signaling.IsRegisteredAsync(backend, "munit-leaving"));
    }

    [Fact]
    public async Task A_stop_order_from_signaling_hands_over_at_once_without_draining()
    {
        var prefix = redis.NewKeyPrefix();
        await using var backend = await redis.CreateBackendAsync(prefix);
        await using var host = await RunningHost.StartAsync(
            redis.Configuration,
            prefix,
            "203.0.113.3",
            TimeSpan.FromSeconds(60),
            munitId: "munit-ordered"
        );
        await Eventually.WaitUntilAsync(
            () => Signaling.IsRegisteredAsync(backend, "munit-ordered"),
            Wait,
            "registered"
        );
        await Signaling.PlaceStationAsync(backend, "munit-ordered", "st-2");
        await Eventually.WaitUntilAsync(() => host.Munit.HasStation("st-2"), Wait, "the station runs");
        var stopRequested = new TaskCompletionSource();
        host.App.Lifetime.ApplicationStopping.Register(() => stopRequested.TrySetResult());

        await Signaling.PublishAsync(backend, "munit-ordered", new StopSignal());
        await stopRequested.Task.WaitAsync(Wait);
        // What RunAsync does once stopping is requested. Half the 60 s drain timeout leaves a busy test machine room
        // to close sockets and hand over, and still tells a skipped drain from a drain that ran out.
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(host.Munit.HasStation("st-2"));
        Assert.False(await backend.Store.ExistsAsync(MunitKeys.Alive("munit-ordered")));
    }
}
