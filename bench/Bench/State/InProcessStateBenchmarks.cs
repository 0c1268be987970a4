using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using MobZ.State.InProcess;

namespace MobZ.Bench.State;

/// <summary>
/// The embedded backend of <c>make run</c>: what one call costs when every room, station and queue write of
/// a single-machine deployment goes through one lock.
/// </summary>
[MemoryDiagnoser]
public class InProcessStateBenchmarks
{
    private InProcessBackend _backend = null!;
    private IStateStore _store = null!;
    private IMessageBus _bus = null!;
    private IAsyncDisposable _subscription = null!;
    private readonly byte[] _part = new byte[16 * 1024];
    private int _member;

    [GlobalSetup]
    public void Setup()
    {
        _backend = new InProcessBackend(NullLoggerFactory.Instance);
        _store = _backend.Store;
        _bus = _backend.Bus;
        _store.SetStringAsync("room:1:owner", "alice").GetAwaiter().GetResult();
        _subscription = _bus.SubscribeAsync("munit:1", _ => Task.CompletedTask).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _subscription.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "GET string")]
    public Task<string?> GetString() => _store.GetStringAsync("room:1:owner");

    [Benchmark(Description = "SET 16 KB binary with TTL (an HLS part)")]
    public Task<bool> SetBinaryWithTtl() => _store.SetAsync("hls:part", _part, TimeSpan.FromSeconds(30));

    [Benchmark(Description = "HSET + HDEL")]
    public async Task HashSetDelete()
    {
        await _store.HashSetAsync("room:1:members", "m", "viewer");
        await _store.HashDeleteAsync("room:1:members", "m");
    }

    [Benchmark(Description = "transaction: 2 conditions, 2 writes (take a publisher slot, then free it)")]
    public async Task<bool> ConditionalCommit()
    {
        var id = (++_member & 7).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var won = await _store
            .CreateTransaction()
            .When(new StateCondition.HashLengthLessThan("room:1:publishers", 9))
            .When(new StateCondition.HashNotExists("room:1:publishers", id))
            .HashSet("room:1:publishers", id, "publisher")
            .SortedSetAdd("munits", "munit-1", 1)
            .ExecuteAsync();
        await _store.HashDeleteAsync("room:1:publishers", id);
        return won;
    }

    [Benchmark(Description = "PUBLISH to one subscriber")]
    public Task<long> Publish() => _bus.PublishAsync("munit:1", "assign");
}
