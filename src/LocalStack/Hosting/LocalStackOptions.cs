using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Gateway;

namespace MobZ.LocalStack.Hosting;

/// <summary>How to start the local stack; everything has the <c>make run</c> default.</summary>
public sealed record LocalStackOptions
{
    /// <summary>Command line: <c>--urls</c>, <c>--redis host:port</c>, <c>--redis-prefix</c>, <c>--port</c>, any
    /// ASP.NET setting.</summary>
    public string[] Args { get; init; } = [];

    /// <summary>Overrides --urls (tests: "http://127.0.0.1:0" for a free port).</summary>
    public string? Urls { get; init; }

    /// <summary>Overrides --redis and MOBZ_REDIS; "" forces the in-process backend.</summary>
    public string? Redis { get; init; }

    /// <summary>Overrides --redis-prefix and MOBZ_REDIS_PREFIX: prefix for every Redis key and channel (lets tests
    /// share one redis-server).</summary>
    public string? RedisKeyPrefix { get; init; }

    /// <summary>The capabilities to mount: Program's <c>MobZCapabilities.Add</c>, or a test's own
    /// registrations.</summary>
    public Action<WebApplicationBuilder>? Capabilities { get; init; }

    public GatewayOptions Gateway { get; init; } = new();

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>"json" for one JSON object per line (containers), anything else for plain text; defaults to
    /// MOBZ_LOG_FORMAT.</summary>
    public string? LogFormat { get; init; } = Environment.GetEnvironmentVariable("MOBZ_LOG_FORMAT");

    /// <summary>Print the "MobZ local stack ready: URL" line on standard output.</summary>
    public bool PrintReadyLine { get; init; } = true;
}
