using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.PixelStreaming.Tests.Support;

/// <summary>The state backends for theories: the in-process store, a real redis-server, and the test run's 3-master
/// Redis Cluster under a key prefix that is a hash tag (as docs/state.md tells operators to set MOBZ_REDIS_PREFIX on
/// a cluster).</summary>
public static class Backends
{
    public const string InProcess = "in-process";
    public const string Redis = "redis";
    public const string RedisCluster = "redis-cluster";

    public static TheoryData<string> All => new() { InProcess, Redis, RedisCluster };

    public static async Task<IStateBackend> CreateAsync(string name, RedisServer redis) =>
        name switch
        {
            Redis => await redis.CreateBackendAsync(),
            RedisCluster => await (await TestKit.Redis.RedisCluster.SharedAsync()).CreateBackendAsync(
                TestKit.Redis.RedisCluster.NewKeyPrefix()
            ),
            _ => await StateBackend.CreateAsync(null, NullLoggerFactory.Instance),
        };
}
