using Microsoft.Extensions.Logging;
using MobZ.State.InProcess;
using MobZ.State.Redis;

namespace MobZ.State;

/// <summary>Chooses and builds the state backend: Redis when a configuration is given, in-process otherwise.</summary>
public static class StateBackend
{
    /// <summary>The environment variable that <c>make run REDIS=host:port</c> sets.</summary>
    public const string RedisEnvironmentVariable = "MOBZ_REDIS";

    /// <param name="redisConfiguration">"host:port[,option=value...]" as StackExchange.Redis reads it; null or blank
    /// for in-process.</param>
    /// <param name="keyPrefix">
    /// Prepended to every key and channel on Redis, so several deployments (or test runs) can share one
    /// server. Ignored in-process, where the process is the namespace.
    /// </param>
    /// <param name="time">the clock of TTLs in-process and of reconnection checks on Redis (default: the system
    /// clock).</param>
    public static async Task<IStateBackend> CreateAsync(
        string? redisConfiguration,
        ILoggerFactory loggerFactory,
        string? keyPrefix = null,
        TimeProvider? time = null
    )
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (string.IsNullOrWhiteSpace(redisConfiguration))
        {
            return new InProcessBackend(loggerFactory, time);
        }

        return await RedisBackend
            .ConnectAsync(redisConfiguration, keyPrefix ?? string.Empty, loggerFactory, time)
            .ConfigureAwait(false);
    }

    /// <summary>Same as <see cref="CreateAsync"/> with the configuration taken from <c>MOBZ_REDIS</c>.</summary>
    public static Task<IStateBackend> CreateFromEnvironmentAsync(
        ILoggerFactory loggerFactory,
        string? keyPrefix = null
    ) => CreateAsync(Environment.GetEnvironmentVariable(RedisEnvironmentVariable), loggerFactory, keyPrefix);
}
