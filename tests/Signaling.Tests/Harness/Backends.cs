using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Harness;

/// <summary>The two state backends every room test runs on.</summary>
public static class Backends
{
    public const string InProcess = "in-process";
    public const string Redis = "redis";

    public static TheoryData<string> Both => new() { InProcess, Redis };

    /// <summary>A fresh backend: a new in-process one, or a Redis one under a key prefix of its own.</summary>
    public static Task<IStateBackend> CreateAsync(string kind, RedisServer redis) => kind switch
    {
        InProcess => StateBackend.CreateAsync(null, NullLoggerFactory.Instance),
        Redis => redis.CreateBackendAsync(redis.NewKeyPrefix()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
