using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Harness;

/// <summary>The state backends every room test runs on: in-process, a redis-server, a 3-master Redis Cluster.</summary>
public static class Backends
{
    public const string InProcess = "in-process";
    public const string Redis = "redis";

    /// <summary>The process's 3-master <see cref="MobZ.TestKit.Redis.RedisCluster"/>, under a key prefix with no hash
    /// tag, so rooms, connections and Munits land on every master (docs/state.md, "Redis Cluster").</summary>
    public const string RedisCluster = "redis-cluster";

    /// <summary>Transport and backend: the handler called directly, or real WebSockets through the local
    /// gateway.</summary>
    public static TheoryData<string> Both =>
        new()
        {
            Direct + InProcess,
            Direct + Redis,
            Direct + RedisCluster,
            Gateway + InProcess,
            Gateway + Redis,
            Gateway + RedisCluster,
        };

    /// <summary>For behaviour only the direct harness can stage (a socket that vanishes without $disconnect).</summary>
    public static TheoryData<string> DirectOnly => new() { Direct + InProcess, Direct + Redis, Direct + RedisCluster };

    /// <summary>For behaviour that needs the host's background services (the station-move relay).</summary>
    public static TheoryData<string> GatewayOnly =>
        new() { Gateway + InProcess, Gateway + Redis, Gateway + RedisCluster };

    public static IEnumerable<string> All =>
        [
            Direct + InProcess,
            Direct + Redis,
            Direct + RedisCluster,
            Gateway + InProcess,
            Gateway + Redis,
            Gateway + RedisCluster,
        ];

    public const string Direct = "direct/";
    public const string Gateway = "gateway/";

    /// <summary>A fresh backend: a new in-process one, or a Redis one under a key prefix of its own.</summary>
    public static async Task<IStateBackend> CreateAsync(string kind, RedisServer redis) =>
        kind switch
        {
            InProcess => await StateBackend.CreateAsync(null, NullLoggerFactory.Instance),
            Redis => await redis.CreateBackendAsync(redis.NewKeyPrefix()),
            RedisCluster => await (await TestKit.Redis.RedisCluster.SharedAsync()).CreateBackendAsync(
                TestKit.Redis.RedisCluster.NewKeyPrefix()
            ),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

    /// <summary>What the local stack takes as --redis and its key prefix for <paramref name="kind"/>.</summary>
    public static async Task<(string Configuration, string? Prefix)> StackRedisAsync(string kind, RedisServer redis) =>
        kind switch
        {
            Redis => (redis.Configuration, redis.NewKeyPrefix()),
            RedisCluster => (
                (await TestKit.Redis.RedisCluster.SharedAsync()).Configuration,
                TestKit.Redis.RedisCluster.NewKeyPrefix()
            ),
            _ => ("", null),
        };
}
