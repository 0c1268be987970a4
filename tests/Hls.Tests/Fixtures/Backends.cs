using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>Both state backends, for tests that must hold on each.</summary>
public static class Backends
{
    public const string Redis = "redis";
    public const string InProcess = "in-process";

    public static TheoryData<string> All => [InProcess, Redis];

    public static async Task<IStateBackend> CreateAsync(string name, RedisServer redis) =>
        name == Redis
            ? await redis.CreateBackendAsync(redis.NewKeyPrefix())
            : await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
}
