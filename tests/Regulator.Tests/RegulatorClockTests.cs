using MobZ.Contracts;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Time;

namespace MobZ.Regulator.Tests;

/// <summary>
/// The Regulator's loop runs on its TimeProvider and sleeps until something is due: an idle Munit's Regulator does not
/// poll the store, its heartbeat comes when the clock says so, and a reconnect wakes it at once.
/// </summary>
public sealed class RegulatorClockTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TimerCountingTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private IStateBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await redis.CreateBackendAsync(redis.NewKeyPrefix());

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    private static readonly RegulatorOptions Options = new()
    {
        HeartbeatInterval = TimeSpan.FromSeconds(2),
        AliveTtl = TimeSpan.FromMinutes(10),
        ReconcileInterval = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task A_lost_registration_comes_back_at_the_next_heartbeat_of_the_injected_clock_not_before()
    {
        await using var h = await RegulatorHarness.StartAsync(_backend, "m-clock", Options, _time);
        await Eventually.WaitUntilAsync(() => h.Store.ExistsAsync(MunitKeys.Alive("m-clock")), Timeout, "registered");
        // Its first pass done, the loop sleeps on one timer of the clock until the next heartbeat.
        await Eventually.WaitUntilAsync(() => _time.LiveTimers == 1, Timeout, "the loop sleeps on the injected clock");

        // The store forgets the registration (as a Redis restart without its data would).
        await h.Store.DeleteAsync(MunitKeys.Alive("m-clock"));
        await h.Store.DeleteAsync(MunitKeys.Info("m-clock"));

        // Short of the heartbeat on the injected clock nothing is due: the loop's timer does not fire (the fake clock
        // runs due callbacks inside Advance), so the loop has not looked.
        int fired = _time.FiredTimers;
        _time.Advance(Options.HeartbeatInterval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(fired, _time.FiredTimers);
        Assert.False(await h.Store.ExistsAsync(MunitKeys.Info("m-clock")), "the loop ran before its heartbeat was due");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(fired + 1, _time.FiredTimers);
        await Eventually.WaitUntilAsync(
            () => h.Store.ExistsAsync(MunitKeys.Info("m-clock")),
            Timeout,
            "the heartbeat found the lease lost and the reconcile registered again"
        );
        Assert.True(await h.Regulator.IsRegisteredAsync());
    }
}
