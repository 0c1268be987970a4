using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using MobZ.State.Redis;
using MobZ.TestKit.Redis;

namespace MobZ.State.Tests.Conformance;

public sealed class RedisConformanceTests(RedisServer server) : StateConformanceTests, IClassFixture<RedisServer>
{
    // One prefix per test: tests never see each other's keys, on a private or a shared server.
    private readonly string _prefix = server.NewKeyPrefix();

    protected override Task<IStateBackend> OpenAsync(ILoggerFactory loggerFactory) =>
        server.CreateBackendAsync(_prefix, loggerFactory);

    protected override async Task<IReadOnlyList<IStateBackend>> OpenClientsAsync(int count)
    {
        var clients = new List<IStateBackend>();
        for (var i = 0; i < count; i++)
            clients.Add(await OpenExtraAsync());
        return clients;
    }

    [Fact]
    public void Factory_with_configuration_builds_the_redis_backend()
    {
        Assert.Equal("redis", Backend.Name);
        Assert.Equal(_prefix, Assert.IsType<RedisBackend>(Backend).KeyPrefix);
    }

    [Fact]
    public async Task Binary_values_are_stored_as_raw_bytes_under_the_prefix()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Store.SetAsync("blob", bytes);

        // Base64 would make it 344 bytes long; the server must hold exactly what we gave.
        Assert.Equal("256", await server.CommandAsync("STRLEN", _prefix + "blob"));
        Assert.Equal("0", await server.CommandAsync("EXISTS", "blob"));
        Assert.Equal(bytes, await Store.GetAsync("blob"));
    }

    [Fact]
    public async Task Backends_with_different_prefixes_share_neither_keys_nor_channels()
    {
        await using var other = await server.CreateBackendAsync(server.NewKeyPrefix());
        await Store.SetStringAsync("k", "mine");
        Assert.Null(await other.Store.GetStringAsync("k"));

        await using var subscription = await Bus.SubscribeAsync("c", _ => Task.CompletedTask);
        Assert.Equal(0, await other.Bus.PublishAsync("c", "hello"));
        Assert.True(await Bus.PublishAsync("c", "hello") > 0);
    }

    [Fact]
    public async Task An_atomic_operation_is_loaded_again_after_redis_forgot_its_script_and_the_reload_is_counted()
    {
        var reloads = new List<string>();
        using var listener = ListenToScriptLoads(
            (operation, reason) =>
            {
                lock (reloads)
                    reloads.Add($"{operation}/{reason}");
            }
        );
        Assert.Equal((true, 1L), await Store.RunAsync(TakeSeat.Instance, ["{r}:seats", "{r}:log"], ["a", "9"]));

        // What a restart without persistence, a failover or an operator's SCRIPT FLUSH leaves behind.
        Assert.Equal("OK", await server.CommandAsync("SCRIPT", "FLUSH"));

        Assert.Equal((true, 2L), await Store.RunAsync(TakeSeat.Instance, ["{r}:seats", "{r}:log"], ["b", "9"]));
        lock (reloads)
            Assert.Contains("test.take-seat/noscript", reloads);
        Assert.Contains(Logs.Entries, e =>
            e.Level == LogLevel.Warning && e.Message.Contains("test.take-seat", StringComparison.Ordinal)
        );
        Assert.Equal(["a", "b"], await Store.ListRangeAsync("{r}:log"));
    }

    [Fact]
    public async Task A_burst_of_first_calls_loads_the_script_once()
    {
        var loads = 0;
        using var listener = ListenToScriptLoads(
            (operation, _) =>
            {
                if (operation == Append.Instance.Name)
                    Interlocked.Increment(ref loads);
            }
        );

        var lengths = await Task.WhenAll(
            Enumerable.Range(0, 50).Select(i => Store.RunAsync(Append.Instance, ["{b}:log"], [$"c{i}"]))
        );

        Assert.Equal(1, Volatile.Read(ref loads));
        Assert.Equal(Enumerable.Range(1, 50).Select(n => (long)n), lengths.Order());
    }

    /// <summary>Appends ARGV[1] to the list KEYS[1] and answers its length: an operation no other test runs, so its
    /// loads are this test's alone.</summary>
    private sealed class Append : MobZ.State.Atomic.AtomicOperation<long>
    {
        public static readonly Append Instance = new();

        public override string Name => "test.redis.append";

        public override string Script =>
            "redis.call('RPUSH', KEYS[1], ARGV[1]) return {tostring(redis.call('LLEN', KEYS[1]))}";

        public override IReadOnlyList<string?> RunInProcess(
            MobZ.State.Atomic.IAtomicKeyspace keyspace,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            keyspace.ListRightPush(keys[0], args[0]);
            return [keyspace.ListLength(keys[0]).ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }

        public override long Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) =>
            long.Parse(reply[0]!, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task An_atomic_operation_runs_by_hash_after_its_first_load()
    {
        await Store.RunAsync(TakeSeat.Instance, ["{r}:seats", "{r}:log"], ["a", "9"]);
        var before = await CommandCallsAsync("evalsha");

        await Store.RunAsync(TakeSeat.Instance, ["{r}:seats", "{r}:log"], ["b", "9"]);

        Assert.True(await CommandCallsAsync("evalsha") > before);
    }

    /// <summary>Calls <paramref name="loaded"/> with the operation and reason of every script load counted
    /// (<c>mobz.state.script.loads</c>) until disposed.</summary>
    private static MeterListener ListenToScriptLoads(Action<string, string> loaded)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "mobz.state.script.loads")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>(
            (_, _, tags, _) =>
            {
                var operation = "";
                var reason = "";
                foreach (var tag in tags)
                {
                    if (tag.Key == "operation")
                        operation = (string)tag.Value!;
                    if (tag.Key == "reason")
                        reason = (string)tag.Value!;
                }
                loaded(operation, reason);
            }
        );
        listener.Start();
        return listener;
    }

    private async Task<long> CommandCallsAsync(string command)
    {
        var stats = await server.CommandAsync("INFO", "commandstats") ?? "";
        var line = stats
            .Split('\n')
            .FirstOrDefault(l => l.StartsWith($"cmdstat_{command}:calls=", StringComparison.Ordinal));
        return line is null
            ? 0
            : long.Parse(line.Split('=', ',')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
