using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MobZ.Contracts;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.Regulator.Tests;

/// <summary>
/// A drain with a deadline: stations that have not ended when it passes are handed over to other Munits the way a
/// Stop hands them over (and announced, so signaling moves their clients), while the drained Munit stays registered,
/// draining and empty. The deadline runs on the Regulator's TimeProvider; these tests advance a fake one.
/// </summary>
public sealed class DrainDeadlineTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// The draining Regulator heartbeats on the fake clock, only when a test advances it, while Redis expires its alive
    /// key on the real one: a TTL no test outlasts keeps the other Munit's sweep from declaring it dead between
    /// advances.
    /// </summary>
    private static readonly RegulatorOptions FakeClockOptions = RegulatorHarness.SteadyOptions;
    private readonly ConcurrentQueue<StationsMovedEvent> _moves = new();
    private IStateBackend _backend = null!;
    private RegulatorHarness _draining = null!;
    private IAsyncDisposable _movesSubscription = null!;

    public async Task InitializeAsync()
    {
        _backend = await redis.CreateBackendAsync(redis.NewKeyPrefix());
        _movesSubscription = await _backend.Bus.SubscribeAsync(MunitKeys.MovesChannel, message =>
        {
            _moves.Enqueue(JsonSerializer.Deserialize(message, ContractsJsonContext.Default.StationsMovedEvent)!);
            return Task.CompletedTask;
        });
        _draining = await RegulatorHarness.StartAsync(_backend, "m-draining", FakeClockOptions, _time);
    }

    public async Task DisposeAsync()
    {
        await _movesSubscription.DisposeAsync();
        await _draining.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Stations_left_when_the_deadline_passes_move_to_another_Munit_and_are_announced()
    {
        await using var target = await RegulatorHarness.StartAsync(_backend, "m-target");
        await PlaceAsync("st-1", "st-2");

        await DrainAsync(new DrainSignal { DeadlineSeconds = 30 });
        _time.Advance(TimeSpan.FromSeconds(29.9));
        Assert.Equal(0, await _draining.Regulator.EnforceDrainDeadlineAsync());
        foreach (var station in new[] { "st-1", "st-2" })
        {
            Assert.Equal(
                "m-draining",
                await _backend.Store.HashGetAsync(MunitKeys.Station(station), StationFields.Munit)
            );
            Assert.True(_draining.Munit.HasStation(station), $"{station} ended before the deadline");
        }
        Assert.Empty(_moves);

        _time.Advance(TimeSpan.FromSeconds(0.2));
        // The Regulator's own loop notices within one poll; the test does not call it, so nothing is driven twice.
        await Eventually.WaitUntilAsync(
            () => !_draining.Munit.HasStation("st-1") && !_draining.Munit.HasStation("st-2"),
            Timeout,
            "the draining Munit closed the stations it handed over"
        );
        foreach (var station in new[] { "st-1", "st-2" })
        {
            Assert.Equal(
                "m-target",
                await _backend.Store.HashGetAsync(MunitKeys.Station(station), StationFields.Munit)
            );
            Assert.True(await _backend.Store.SetContainsAsync(MunitKeys.Stations("m-target"), station));
            await Eventually.WaitUntilAsync(
                () => target.Munit.HasStation(station),
                Timeout,
                $"the target created {station}"
            );
        }
        Assert.Empty(await _backend.Store.SetMembersAsync(MunitKeys.Stations("m-draining")));

        await Eventually.WaitUntilAsync(() => !_moves.IsEmpty, Timeout, "signaling was told the stations moved");
        var moved = Assert.Single(_moves);
        Assert.Equal("m-draining", moved.FromMunitId);
        Assert.Equal(StationsMovedEvent.Handover, moved.Reason);
        Assert.Equal(["st-1", "st-2"], moved.Moves.Select(m => m.StationId).Order(StringComparer.Ordinal));
        Assert.All(moved.Moves, m => Assert.Equal("m-target", m.ToMunitId));

        // Still registered (an operator sees it drained and stops it), still draining, empty.
        await Eventually.WaitUntilAsync(
            async () =>
                await _backend.Store.HashGetAsync(MunitKeys.Info("m-draining"), MunitInfoFields.Stations) == "0",
            Timeout,
            "the registration counts no stations"
        );
        Assert.Equal("true", await _backend.Store.HashGetAsync(MunitKeys.Info("m-draining"), MunitInfoFields.Draining));
        Assert.True(await _backend.Store.ExistsAsync(MunitKeys.Alive("m-draining")));
        Assert.NotNull(await _backend.Store.SortedSetScoreAsync(MunitKeys.Registry, "m-draining"));
        Assert.True(await _draining.Regulator.IsRegisteredAsync());
        Assert.Null(_draining.Regulator.DrainDeadline);

        // Nothing is handed over twice.
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await _draining.Regulator.EnforceDrainDeadlineAsync());
        Assert.Single(_moves);
    }

    [Fact]
    public async Task A_drain_without_a_deadline_never_hands_stations_over()
    {
        await using var target = await RegulatorHarness.StartAsync(_backend, "m-target");
        await PlaceAsync("st-kept");
        await DrainAsync(new DrainSignal());

        _time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, await _draining.Regulator.EnforceDrainDeadlineAsync());
        Assert.Equal(
            "m-draining",
            await _backend.Store.HashGetAsync(MunitKeys.Station("st-kept"), StationFields.Munit)
        );
        Assert.True(_draining.Munit.HasStation("st-kept"));
    }

    [Fact]
    public async Task A_revive_cancels_the_deadline()
    {
        await using var target = await RegulatorHarness.StartAsync(_backend, "m-target");
        await PlaceAsync("st-kept");
        await DrainAsync(new DrainSignal { DeadlineSeconds = 10 });
        await RegulatorHarness.PublishAsync(_backend, "m-draining", new ReviveSignal());
        await Eventually.WaitUntilAsync(() => !_draining.Regulator.Draining, Timeout, "revived");

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await _draining.Regulator.EnforceDrainDeadlineAsync());
        Assert.Equal(
            "m-draining",
            await _backend.Store.HashGetAsync(MunitKeys.Station("st-kept"), StationFields.Munit)
        );
        Assert.Null(_draining.Regulator.DrainDeadline);
    }

    [Fact]
    public async Task With_no_Munit_to_take_them_the_stations_stay_and_move_a_heartbeat_after_one_appears()
    {
        await PlaceAsync("st-waiting");
        await DrainAsync(new DrainSignal { DeadlineSeconds = 0 });
        Assert.Equal(0, await _draining.Regulator.EnforceDrainDeadlineAsync());
        Assert.True(_draining.Munit.HasStation("st-waiting"));
        Assert.Equal(
            "m-draining",
            await _backend.Store.HashGetAsync(MunitKeys.Station("st-waiting"), StationFields.Munit)
        );

        await using var target = await RegulatorHarness.StartAsync(_backend, "m-late");
        _time.Advance(RegulatorHarness.FastOptions.HeartbeatInterval);
        await Eventually.WaitUntilAsync(
            async () =>
                await _backend.Store.HashGetAsync(MunitKeys.Station("st-waiting"), StationFields.Munit) == "m-late",
            Timeout,
            "the station moved once a Munit could take it"
        );
        await Eventually.WaitUntilAsync(
            () => !_draining.Munit.HasStation("st-waiting"),
            Timeout,
            "the draining Munit closed it"
        );
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("86401")]
    [InlineData("\"soon\"")]
    public async Task A_drain_order_with_a_bad_deadline_is_dropped(string deadline)
    {
        await _backend.Bus.PublishAsync(
            MunitKeys.Channel("m-draining"),
            $$"""{"type":"drain","v":1,"deadlineSeconds":{{deadline}}}"""
        );
        // Orders on one channel arrive in order: once a later Assign is handled, the drain was seen (and dropped).
        await PlaceAsync("st-marker");
        Assert.False(_draining.Regulator.Draining);
        Assert.Null(_draining.Regulator.DrainDeadline);
    }

    private async Task PlaceAsync(params string[] stations)
    {
        foreach (var station in stations)
        {
            await RegulatorHarness.PlaceStationAsync(_backend, "m-draining", station);
            await Eventually.WaitUntilAsync(() => _draining.Munit.HasStation(station), Timeout, $"{station} exists");
        }
    }

    private async Task DrainAsync(DrainSignal drain)
    {
        await RegulatorHarness.PublishAsync(_backend, "m-draining", drain);
        await Eventually.WaitUntilAsync(() => _draining.Regulator.Draining, Timeout, "draining");
        if (drain.DeadlineSeconds is { } seconds)
            Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(seconds), _draining.Regulator.DrainDeadline);
    }
}
