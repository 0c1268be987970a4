using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.PixelStreaming.Tests.Support;

/// <summary>Both state backends for theories: the in-process store and a real redis-server.</summary>
public static class Backends
{
    public const string InProcess = "in-process";
    public const string Redis = "redis";

    public static TheoryData<string> All => new() { InProcess, Redis };

    public static Task<IStateBackend> CreateAsync(string name, RedisServer redis) =>
        name == Redis ? redis.CreateBackendAsync() : StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
}
