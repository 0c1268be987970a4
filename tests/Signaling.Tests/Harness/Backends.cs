using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Harness;

/// <summary>The two state backends every room test runs on.</summary>
public static class Backends
{
    public const string InProcess = "in-process";
    public const string Redis = "redis";

    /// <summary>Transport and backend: the handler called directly, or real WebSockets through the local
    /// gateway.</summary>
    public static TheoryData<string> Both =>
        new() { Direct + InProcess, Direct + Redis, Gateway + InProcess, Gateway + Redis };

    /// <summary>For behaviour only the direct harness can stage (a socket that vanishes without $disconnect).</summary>
    public static TheoryData<string> DirectOnly => new() { Direct + InProcess, Direct + Redis };

    /// <summary>For behaviour that needs the host's background services (the station-move relay).</summary>
    public static TheoryData<string> GatewayOnly => new() { Gateway + InProcess, Gateway + Redis };

    public static IEnumerable<string> All => [Direct + InProcess, Direct + Redis, Gateway + InProcess, Gateway + Redis];

    public const string Direct = "direct/";
    public const string Gateway = "gateway/";

    /// <summary>A fresh backend: a new in-process one, or a Redis one under a key prefix of its own.</summary>
    public static Task<IStateBackend> CreateAsync(string kind, RedisServer redis) =>
        kind switch
        {
            InProcess => StateBackend.CreateAsync(null, NullLoggerFactory.Instance),
            Redis => redis.CreateBackendAsync(redis.NewKeyPrefix()),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
}
