using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;

namespace MobZ.State.Redis;

/// <summary>
/// One multiplexed Redis connection (interactive + subscription) shared by the store and the bus.
/// It never gives up: AbortOnConnectFail is off, so start-up before Redis is ready and a Redis restart are
/// both survived; calls made while the link is down fail with <see cref="StateUnavailableException"/>.
/// </summary>
public sealed class RedisBackend : IStateBackend
{
    private readonly ConnectionMultiplexer _connection;
    private readonly RedisBus _bus;
    private readonly ILogger _logger;
    private readonly RedisCall _call;
    private readonly Lock _linkGate = new();
    private readonly TimeProvider _time;
    private bool _disposed;

    // Bumped on every lost link, so an announcement still waiting for a link that dropped again gives up.
    private int _failures;

    // The _failures value last announced: a restoration reported per link (two links on RESP2, one on
    // RESP3) and per retry must raise Reconnected once per outage, not once per report.
    private int _announced;
    private static readonly TimeSpan AnnounceTimeout = TimeSpan.FromSeconds(30);

    private RedisBackend(
        ConnectionMultiplexer connection,
        string keyPrefix,
        TimeSpan commandTimeout,
        ILoggerFactory loggerFactory,
        TimeProvider time
    )
    {
        _connection = connection;
        _time = time;
        _logger = loggerFactory.CreateLogger<RedisBackend>();
        var database = connection.GetDatabase();
        _call = new RedisCall(commandTimeout);
        Store = new RedisStore(
            keyPrefix.Length == 0 ? database : database.WithKeyPrefix(keyPrefix),
            _call,
            new RedisAtomicScripts(connection, _call, loggerFactory.CreateLogger("MobZ.State.Redis.Scripts")),
            () => IsCluster ? keyPrefix : null
        );
        _bus = new RedisBus(
            connection.GetSubscriber(),
            keyPrefix,
            _call,
            loggerFactory.CreateLogger("MobZ.State.Redis.Bus"),
            () => IsCluster
        );
        KeyPrefix = keyPrefix;
        if (!connection.IsConnected)
        {
            // Started before Redis was reachable: the first connection is announced like a reconnection,
            // so a listener that could not read its keys yet learns when to try again.
            _failures = 1;
        }

        connection.ConnectionFailed += OnConnectionFailed;
        connection.ConnectionRestored += OnConnectionRestored;
    }

    public IStateStore Store { get; }
    public IMessageBus Bus => _bus;
    public string Name => "redis";

    /// <summary>Prepended to every key and channel of this backend.</summary>
    public string KeyPrefix { get; }

    /// <summary>
    /// True when the server is a Redis Cluster (found from the one configured endpoint, e.g. ElastiCache's
    /// configuration endpoint): then a transaction's keys must share a hash slot.
    /// </summary>
    public bool IsCluster => _connection.GetServers().Any(s => s.ServerType == ServerType.Cluster);

    /// <summary>True while both the command and the subscription links are up.</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <param name="configuration">"host:port[,option=value...]" in StackExchange.Redis syntax.</param>
    /// <param name="time">paces and bounds the PINGs that confirm a restored link (default: the system clock).</param>
    public static async Task<RedisBackend> ConnectAsync(
        string configuration,
        string keyPrefix,
        ILoggerFactory loggerFactory,
        TimeProvider? time = null
    )
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        var options = ConfigurationOptions.Parse(configuration);
        // Keep retrying instead of failing start-up or dying on a Redis restart.
        options.AbortOnConnectFail = false;
        // While the link is down a call fails at once (StateUnavailableException) instead of waiting in the
        // client's backlog until its timeout: callers answer "try again" rather than hang for seconds.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= "mobz";
        // asyncTimeout, else syncTimeout, else the client's 5 s: every call of ours is bounded by it.
        var commandTimeout = TimeSpan.FromMilliseconds(options.AsyncTimeout);
        var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        var backend = new RedisBackend(
            connection,
            keyPrefix,
            commandTimeout,
            loggerFactory,
            time ?? TimeProvider.System
        );
        LogConnecting(backend._logger, configuration, connection.IsConnected, backend.IsCluster);
        if (backend.IsCluster && HashSlot.Of(keyPrefix + "a") == HashSlot.Of(keyPrefix + "b"))
        {
            // Works (every operation stays in one slot either way), but the whole deployment loads one master.
            backend._logger.LogInformation(
                "Redis Cluster with key prefix '{Prefix}', whose {{hash tag}} puts every MobZ key on one master; a "
                    + "prefix without one spreads rooms, connections and streams over every master (docs/state.md)",
                keyPrefix
            );
        }
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_linkGate)
            _disposed = true;
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
        _bus.CloseAll();
        try
        {
            // Bounded: a server that stopped answering must not hold up shutdown.
            await _call.Run(() => _connection.CloseAsync(allowCommandsToComplete: true)).ConfigureAwait(false);
        }
        catch (StateUnavailableException)
        {
            // Closing a link that is down has nothing left to flush.
        }

        _connection.Dispose();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        lock (_linkGate)
            _failures++;

        _logger.LogWarning(
            e.Exception,
            "Redis {ConnectionType} link to {EndPoint} lost ({FailureType})",
            e.ConnectionType,
            e.EndPoint,
            e.FailureType
        );
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        bool pending;
        int generation;
        lock (_linkGate)
        {
            pending = _announced != _failures && !_disposed;
            generation = _failures;
        }

        _logger.LogInformation("Redis {ConnectionType} link to {EndPoint} restored", e.ConnectionType, e.EndPoint);
        if (pending)
        {
            _ = AnnounceReconnectedAsync(generation);
        }
    }

    /// <summary>
    /// Reconciling listeners read keys and expect messages from then on, so every link must really work
    /// before they hear of it. The client reports a link restored before its handshake is done, and on
    /// RESP2 reports the command and subscription links one by one (RESP3 carries both on one link), so
    /// PING each until both answer. The subscriber's PING travels on the link that carries the
    /// subscriptions, behind the client's own re-SUBSCRIBE commands, so its answer also means the
    /// subscriptions are active again.
    /// </summary>
    private async Task AnnounceReconnectedAsync(int generation)
    {
        var started = _time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            lock (_linkGate)
            {
                if (_disposed || _failures != generation)
                {
                    // Lost again (or closing) before we could announce it; the next restoration announces instead.
                    return;
                }
            }

            try
            {
                await _call.Run(() => _connection.GetDatabase().PingAsync()).ConfigureAwait(false);
                await _call.Run(() => _connection.GetSubscriber().PingAsync()).ConfigureAwait(false);
                break;
            }
            catch (StateUnavailableException ex)
            {
                if (_time.GetElapsedTime(started) > AnnounceTimeout)
                {
                    _logger.LogWarning(
                        ex,
                        "Redis links reported restored but did not answer PING within {Timeout}",
                        AnnounceTimeout
                    );
                    return;
                }
            }

            await Task.Delay(delay, _time).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(500, delay.TotalMilliseconds * 2));
        }

        lock (_linkGate)
        {
            if (_disposed || _failures != generation || _announced == generation)
            {
                // Lost again meanwhile, or another link's restoration announced this outage already.
                return;
            }

            _announced = generation;
        }

        _logger.LogInformation("Redis reconnected; notifying subscribers to reconcile");
        _bus.RaiseReconnected();
    }

    private static void LogConnecting(ILogger logger, string configuration, bool connected, bool cluster) =>
        logger.LogInformation(
            "Redis backend for {Configuration} created (connected: {Connected}, cluster: {Cluster})",
            RedactPassword(configuration),
            connected,
            cluster
        );

    private static string RedactPassword(string configuration) =>
        string.Join(
            ',',
            configuration
                .Split(',')
                .Select(part =>
                    part.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : part
                )
        );
}
