using System.Globalization;
using System.Net;

namespace MobZ.MunitHost.Configuration;

/// <summary>
/// What one Munit task is told through its environment (names as in resources/ecs-fargate.yml). Parsed up
/// front so a misconfigured task fails at start with one line naming the variable, not later on a media path.
/// </summary>
public sealed record MunitHostSettings
{
    public const string RedisVariable = "MOBZ_REDIS";
    public const string RedisPrefixVariable = "MOBZ_REDIS_PREFIX";
    public const string UdpPortVariable = "MUNIT_UDP_PORT";
    public const string TcpPortVariable = "MUNIT_TCP_PORT";
    public const string CapacityVariable = "MUNIT_CAPACITY";
    public const string PublicIpVariable = "MUNIT_PUBLIC_IP";
    public const string MunitIdVariable = "MUNIT_ID";
    public const string BindAddressVariable = "MUNIT_BIND_ADDRESS";
    public const string HttpPortVariable = "MUNIT_HTTP_PORT";
    public const string DrainTimeoutVariable = "MUNIT_DRAIN_TIMEOUT_SECONDS";

    /// <summary>The rooms WebSocket API's @connections endpoint
    /// (https://{api}.execute-api.{region}.amazonaws.com/{stage}).</summary>
    public const string ConnectionsEndpointVariable = "MOBZ_CONNECTIONS_ENDPOINT";

    /// <summary>The value of <see cref="PublicIpVariable"/> that asks for the task's own public IP from ECS and
    /// EC2.</summary>
    public const string DiscoverFromEcs = "ecs";

    public const int DefaultUdpPort = 40000;
    public const int DefaultHttpPort = 8080;

    /// <summary>ECS sends SIGKILL StopTimeout (120 s in the template) after SIGTERM; the drain must end well
    /// before.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(90);

    public required string Redis { get; init; }
    public string? RedisPrefix { get; init; }
    public int UdpPort { get; init; } = DefaultUdpPort;

    /// <summary>ICE-TCP port; null takes the UDP port's number, 0 turns ICE-TCP off.</summary>
    public int? TcpPort { get; init; }
    public int? Capacity { get; init; }

    /// <summary>A literal address, <see cref="DiscoverFromEcs"/>, or null to announce the bound address.</summary>
    public string? PublicIp { get; init; }

    public string? MunitId { get; init; }
    public string BindAddress { get; init; } = "0.0.0.0";

    /// <summary>TCP port of LL-HLS playback and the health check; 0 picks a free one.</summary>
    public int HttpPort { get; init; } = DefaultHttpPort;

    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    /// <summary>Where this task tells clients that their station moved; null: it does not (and logs so).</summary>
    public Uri? ConnectionsEndpoint { get; init; }

    public bool DiscoversPublicIp => string.Equals(PublicIp, DiscoverFromEcs, StringComparison.OrdinalIgnoreCase);

    /// <exception cref="MunitHostConfigurationException">a variable is missing or malformed.</exception>
    public static MunitHostSettings FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => getVariable(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var redis = Get(RedisVariable)
            ?? throw new MunitHostConfigurationException(
                $"{RedisVariable} is required (host:port of the Redis shared with signaling)."
            );
        var publicIp = Get(PublicIpVariable);
        if (
            publicIp is not null
            && !string.Equals(publicIp, DiscoverFromEcs, StringComparison.OrdinalIgnoreCase)
            && !IPAddress.TryParse(publicIp, out _)
        )
        {
            throw new MunitHostConfigurationException(
                $"{PublicIpVariable} must be an IP address or '{DiscoverFromEcs}', not '{publicIp}'."
            );
        }

        var bind = Get(BindAddressVariable) ?? "0.0.0.0";
        Uri? connections = null;
        if (
            Get(ConnectionsEndpointVariable) is { } endpoint
            && (
                !Uri.TryCreate(endpoint, UriKind.Absolute, out connections)
                || connections.Scheme is not ("https" or "http")
            )
        )
        {
            throw new MunitHostConfigurationException(
                $"{ConnectionsEndpointVariable} must be the https URL of the rooms API's @connections endpoint, not '{endpoint}'."
            );
        }

        if (!IPAddress.TryParse(bind, out _))
            throw new MunitHostConfigurationException($"{BindAddressVariable} must be an IP address, not '{bind}'.");

        return new MunitHostSettings
        {
            Redis = redis,
            RedisPrefix = Get(RedisPrefixVariable),
            UdpPort = Port(Get(UdpPortVariable), UdpPortVariable, DefaultUdpPort),
            TcpPort = Get(TcpPortVariable) is { } tcp ? Port(tcp, TcpPortVariable, 0) : null,
            Capacity = Get(CapacityVariable) is { } c ? Positive(c, CapacityVariable) : null,
            PublicIp = publicIp,
            MunitId = Get(MunitIdVariable),
            BindAddress = bind,
            HttpPort = Port(Get(HttpPortVariable), HttpPortVariable, DefaultHttpPort),
            DrainTimeout = Get(DrainTimeoutVariable) is { } d
                ? TimeSpan.FromSeconds(Positive(d, DrainTimeoutVariable))
                : DefaultDrainTimeout,
            ConnectionsEndpoint = connections,
        };
    }

    private static int Port(string? value, string name, int fallback)
    {
        if (value is null)
            return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new MunitHostConfigurationException($"{name} must be a port number 0-65535, not '{value}'.");
        return port;
    }

    private static int Positive(string value, string name)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            throw new MunitHostConfigurationException($"{name} must be a positive integer, not '{value}'.");
        return n;
    }
}

/// <summary>The task's environment does not describe a runnable Munit.</summary>
public sealed class MunitHostConfigurationException(string message, Exception? inner = null)
    : Exception(message, inner);
