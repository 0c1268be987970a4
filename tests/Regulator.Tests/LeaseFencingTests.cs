using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Contracts;
using MobZ.Munit;
using MobZ.Munit.Control;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Regulator.Tests;

/// <summary>
/// A Munit's lease: its registration is renewed only under the epoch it registered with, so a Munit declared dead
/// while it stalled cannot write itself back beside the Munit that took its stations (split brain).
/// </summary>
public sealed class LeaseFencingTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_heartbeat_that_races_with_the_Munit_being_declared_dead_does_not_bring_it_back()
    {
        await using var backend = await redis.CreateBackendAsync(redis.NewKeyPrefix());
        var hook = new BeforeCommit();
        var store = StoreWithHook.Wrap(backend.Store, hook);
        await using var munit = new MunitServer(
            new MunitOptions { MunitId = "m-stalled", Port = 40000 },
            new RecordingMediaFactory()
        );
        await using var stalled = new Regulator(
            munit,
            store,
            backend.Bus,
            "m-stalled",
            "127.0.0.1",
            40000,
            100,
            RegulatorHarness.FastOptions,
            NullLogger<Regulator>.Instance
        );
        await stalled.ReconcileAsync(); // registers (its loop is not started: the test drives it)
        await RegulatorHarness.PlaceStationAsync(backend, "m-stalled", "st-1", publish: false);
        await stalled.ReconcileAsync();
        Assert.True(munit.HasStation("st-1"));
        await using var survivor = await RegulatorHarness.StartAsync(backend, "m-survivor");

        // The heartbeat has read whatever it reads; just before it commits, its TTL runs out and the survivor moves
        // st-1.
        hook.Once = async () =>
        {
            await backend.Store.DeleteAsync(MunitKeys.Alive("m-stalled"));
            await survivor.Regulator.SweepExpiredAsync(); // or the survivor's own loop got there first
            Assert.Equal(
                "m-survivor",
                await backend.Store.HashGetAsync(MunitKeys.Station("st-1"), StationFields.Munit)
            );
        };
        await stalled.HeartbeatAsync();

        Assert.False(
            await backend.Store.ExistsAsync(MunitKeys.Info("m-stalled")),
            "the dead Munit wrote its registration back"
        );
        Assert.False(await backend.Store.ExistsAsync(MunitKeys.Alive("m-stalled")));
        Assert.DoesNotContain(await backend.Store.SortedSetRangeByScoreAsync(MunitKeys.Registry), e =>
            e.Member == "m-stalled"
        );
        Assert.False(await stalled.IsRegisteredAsync());

        // It notices, closes what moved away and registers again under a new lease.
        await stalled.ReconcileAsync();
        Assert.False(munit.HasStation("st-1"));
        Assert.Equal("m-survivor", await backend.Store.HashGetAsync(MunitKeys.Station("st-1"), StationFields.Munit));
        Assert.True(await stalled.IsRegisteredAsync());
        await stalled.HeartbeatAsync();
        Assert.True(await stalled.IsRegisteredAsync());
    }

    [Fact]
    public async Task A_Munit_that_lost_its_lease_hands_over_nothing_on_stop()
    {
        await using var backend = await redis.CreateBackendAsync(redis.NewKeyPrefix());
        // m-old's own loop must not get there first: its next heartbeat would notice the lost lease, register again
        // under a new one and then rightly hand over on stop (on a busy machine a 200 ms heartbeat did, in CI).
        var quiet = new RegulatorOptions
        {
            HeartbeatInterval = TimeSpan.FromMinutes(10),
            AliveTtl = TimeSpan.FromMinutes(30),
            ReconcileInterval = TimeSpan.FromMinutes(10),
        };
        await using var first = await RegulatorHarness.StartAsync(backend, "m-old", quiet);
        await using var other = await RegulatorHarness.StartAsync(backend, "m-other");
        // Another registration took m-old's place (a replacement task with the same id re-registered under its own
        // epoch).
        Assert.True(
            await backend
                .Store.CreateTransaction()
                .HashSet(MunitKeys.Info("m-old"), MunitInfoFields.Epoch, "someone-else")
                .ExecuteAsync()
        );
        await RegulatorHarness.PlaceStationAsync(backend, "m-old", "st-kept", publish: false);

        await first.Regulator.StopAsync();

        Assert.Equal("m-old", await backend.Store.HashGetAsync(MunitKeys.Station("st-kept"), StationFields.Munit));
        Assert.Contains("st-kept", await backend.Store.SetMembersAsync(MunitKeys.Stations("m-old")));
    }

    public sealed class BeforeCommit
    {
        public Func<Task>? Once;

        public async Task RunAsync()
        {
            var action = Interlocked.Exchange(ref Once, null);
            if (action is not null)
                await action();
        }
    }

    /// <summary>The store as the stalled Regulator sees it: every commit first runs the armed hook.</summary>
    public class StoreWithHook : DispatchProxy
    {
        private object _inner = null!;
        private BeforeCommit _hook = null!;

        internal static IStateStore Wrap(IStateStore inner, BeforeCommit hook) => Wrap<IStateStore>(inner, hook);

        private static T Wrap<T>(T inner, BeforeCommit hook)
            where T : class
        {
            var proxy = Create<T, StoreWithHook>();
            var self = (StoreWithHook)(object)proxy;
            self._inner = inner;
            self._hook = hook;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(IStateTransaction.ExecuteAsync) && _inner is IStateTransaction tx)
                return ExecuteAfterHookAsync(tx);
            var result = method.Invoke(_inner, args);
            return result switch
            {
                IStateTransaction inner when ReferenceEquals(inner, _inner) => this,
                IStateTransaction inner => Wrap(inner, _hook),
                _ => result,
            };
        }

        private async Task<bool> ExecuteAfterHookAsync(IStateTransaction tx)
        {
            await _hook.RunAsync();
            return await tx.ExecuteAsync();
        }
    }
}
