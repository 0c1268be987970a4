using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MobZ.Access;
using MobZ.PixelStreaming;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Security;
using MobZ.PixelStreaming.Signaling;
using MobZ.Signaling.Abstractions;
using MobZ.State;

namespace MobZ.Bench.PixelStreaming;

/// <summary>
/// Pixel Streaming matching under churn: 20 registered streamers, 200 players subscribing at once; every
/// player leaves as soon as its streamer got <c>playerConnected</c>, which hands the streamer (no worker, so
/// it is recycled) to the oldest waiting player. One operation = all 200 players served.
/// Throughput = 200 / mean; the subscribe → playerConnected latency of every player (queueing included: the last of
/// 200 waits for nine hand-overs of its streamer) and the hand-over latency (a player's $disconnect begins → its
/// streamer hears the next playerConnected) are collected and their p50/p99 printed at the end (BenchmarkDotNet has
/// no per-item percentile of its own), with the double matches (a
/// player told playerConnected twice, or a streamer told it while its previous player had not begun to leave) and
/// the lost players (not served within 60 s, or left in the queue) of all rounds.
/// Backend: in-process, or Redis when MOBZ_BENCH_REDIS=host:port is set.
/// </summary>
[MemoryDiagnoser]
public class MatchingChurnBenchmarks
{
    private const int Players = 200;
    private const int Streamers = 20;
    private const string Secret = "bench-secret-that-is-long-enough-for-hs256-0123456789";

    [Params("in-process", "redis")]
    public string Backend { get; set; } = "in-process";

    private IStateBackend? _state;
    private ServiceProvider? _services;
    private PixelStreamingHandler _handler = null!;
    private BenchGateway _gateway = null!;
    private string[] _tokens = [];
    private string[] _streamerConnections = [];
    private static readonly ConcurrentBag<double> LatencyMs = new();
    private static readonly ConcurrentBag<double> HandOverMs = new();
    private static int _doubleMatches;
    private static int _lostPlayers;
    private int _round;

    [GlobalSetup]
    public void GlobalSetup()
    {
        var credentials = new SigningCredentials(
            new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)),
            SecurityAlgorithms.HmacSha256
        );
        var tokens = new JsonWebTokenHandler();
        _tokens = Enumerable
            .Range(0, Players)
            .Select(i =>
                tokens.CreateToken(
                    new SecurityTokenDescriptor
                    {
                        Claims = new Dictionary<string, object> { ["userId"] = $"p{i}" },
                        Expires = DateTime.UtcNow.AddHours(2),
                        SigningCredentials = credentials,
                    }
                )
            )
            .ToArray();
    }

    [IterationSetup]
    public void IterationSetup()
    {
        var redis = Environment.GetEnvironmentVariable("MOBZ_BENCH_REDIS");
        if (Backend == "redis" && string.IsNullOrEmpty(redis))
            throw new InvalidOperationException("set MOBZ_BENCH_REDIS=host:port for the redis case");
        _state = StateBackend
            .CreateAsync(Backend == "redis" ? redis : null, NullLoggerFactory.Instance, $"bench-{Guid.NewGuid():N}:")
            .GetAwaiter()
            .GetResult();
        _gateway = new BenchGateway();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddSingleton(_state.Store);
        services.AddSingleton<IConnectionSender>(_gateway);
        services.AddMobZAccess(o => o.HmacSecret = Secret);
        services.AddPixelStreaming(o =>
        {
            o.KeyPrefix = $"ps{++_round}:";
        });
        _services = services.BuildServiceProvider();
        _handler = _services.GetRequiredService<PixelStreamingHandler>();
        _gateway.Handler = _handler;
        _services.GetRequiredService<StreamerAllowList>().AddAsync("127.0.0.1").GetAwaiter().GetResult();
        _streamerConnections = new string[Streamers];
        for (var i = 0; i < Streamers; i++)
        {
            var conn = $"s{i}";
            _streamerConnections[i] = conn;
            Call(conn, RouteKeys.Connect, null, new Dictionary<string, string> { ["type"] = "streamer" })
                .GetAwaiter()
                .GetResult();
            Call(conn, RouteKeys.Default, $"{{\"type\":\"endpointId\",\"id\":\"ue-{i}\"}}", null)
                .GetAwaiter()
                .GetResult();
        }
        for (var i = 0; i < Players; i++)
        {
            Call(
                    $"p{i}c",
                    RouteKeys.Connect,
                    null,
                    new Dictionary<string, string>
                    {
                        ["type"] = "player",
                        ["token"] = _tokens[i],
                        ["projectUrl"] = "https://projects.example.test/p.uproject",
                    }
                )
                .GetAwaiter()
                .GetResult();
        }
    }

    [Benchmark(Description = "200 players served by 20 churning streamers")]
    public async Task ServeAllPlayers()
    {
        _gateway.Reset(Players);
        await Task.WhenAll(
            Enumerable
                .Range(0, Players)
                .Select(i =>
                    Task.Run(async () =>
                    {
                        _gateway.SubscribedAt[i] = Stopwatch.GetTimestamp();
                        await Call(
                            $"p{i}c",
                            RouteKeys.Default,
                            "{\"type\":\"subscribe\",\"streamerId\":\"waiting_queue\"}",
                            null
                        );
                    })
                )
        );
        try
        {
            await _gateway.AllServed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Interlocked.Add(ref _lostPlayers, _gateway.Remaining);
        }
        var left = await _state!.Store.ListLengthAsync(_services!.GetRequiredService<PsKeys>().Queue);
        Interlocked.Add(ref _lostPlayers, (int)left);
        Interlocked.Add(ref _doubleMatches, _gateway.DoubleMatches);
        foreach (var ms in _gateway.LatencyMs)
            LatencyMs.Add(ms);
        foreach (var ms in _gateway.HandOverMs)
            HandOverMs.Add(ms);
    }

    [IterationCleanup]
    public void IterationCleanup()
    {
        _services?.GetRequiredService<BackgroundDeferredWork>().DrainAsync().GetAwaiter().GetResult();
        _services?.Dispose();
        _state?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        var sorted = LatencyMs.OrderBy(x => x).ToArray();
        if (sorted.Length == 0)
            return;
        Console.WriteLine(
            $"// PixelStreaming subscribe->playerConnected ({Backend}, {sorted.Length} players): "
                + $"p50 {sorted[sorted.Length / 2]:F2} ms, p99 {sorted[(int)(sorted.Length * 0.99)]:F2} ms, max {sorted[^1]:F2} ms, "
                + $"double matches {_doubleMatches}, lost players {_lostPlayers}"
        );
        var handOvers = HandOverMs.OrderBy(x => x).ToArray();
        if (handOvers.Length > 0)
        {
            Console.WriteLine(
                $"// PixelStreaming hand-over $disconnect->next playerConnected ({Backend}, {handOvers.Length}): "
                    + $"p50 {handOvers[handOvers.Length / 2]:F2} ms, p99 {handOvers[(int)(handOvers.Length * 0.99)]:F2} ms, "
                    + $"max {handOvers[^1]:F2} ms"
            );
        }
        LatencyMs.Clear();
        HandOverMs.Clear();
        _doubleMatches = 0;
        _lostPlayers = 0;
    }

    private Task Call(string connectionId, string route, string? body, IReadOnlyDictionary<string, string>? query) =>
        _handler.HandleAsync(
            new WebSocketEvent
            {
                RequestContext = new WebSocketRequestContext
                {
                    RouteKey = route,
                    EventType =
                        route == RouteKeys.Connect ? EventTypes.Connect
                        : route == RouteKeys.Disconnect ? EventTypes.Disconnect
                        : EventTypes.Message,
                    ConnectionId = connectionId,
                    DomainName = "127.0.0.1",
                    Stage = "bench",
                    Identity = new WebSocketIdentity { SourceIp = "127.0.0.1" },
                },
                QueryStringParameters = query,
                Body = body,
            },
            CancellationToken.None
        );

    /// <summary>
    /// Every connection writable; a playerConnected reaching a streamer is timed and makes that player leave
    /// (its $disconnect), which recycles the streamer to the next waiting player.
    /// </summary>
    private sealed class BenchGateway : IConnectionSender
    {
        private static readonly byte[] PlayerConnected = "\"playerConnected\""u8.ToArray();
        private int _remaining;
        private int _doubleMatches;
        private ConcurrentDictionary<string, int> _timesServed = new();

        // Streamer connection → the player it was last told about, until that player begins to leave.
        private ConcurrentDictionary<string, string> _holding = new();
        public PixelStreamingHandler Handler { get; set; } = null!;
        public int Remaining => Volatile.Read(ref _remaining);
        public int DoubleMatches => Volatile.Read(ref _doubleMatches);
        public long[] SubscribedAt { get; private set; } = [];
        public ConcurrentBag<double> LatencyMs { get; private set; } = new();
        public ConcurrentBag<double> HandOverMs { get; private set; } = new();

        // Streamer connection → when its last player's $disconnect began.
        private ConcurrentDictionary<string, long> _leftAt = new();
        public TaskCompletionSource AllServed { get; private set; } = new();

        public void Reset(int players)
        {
            SubscribedAt = new long[players];
            LatencyMs = new ConcurrentBag<double>();
            HandOverMs = new ConcurrentBag<double>();
            _leftAt = new ConcurrentDictionary<string, long>();
            _remaining = players;
            _doubleMatches = 0;
            _timesServed = new ConcurrentDictionary<string, int>();
            _holding = new ConcurrentDictionary<string, string>();
            AllServed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public Task<SendStatus> SendAsync(
            string connectionId,
            ReadOnlyMemory<byte> payload,
            CancellationToken cancellationToken = default
        )
        {
            if (payload.Span.IndexOf(PlayerConnected) >= 0)
            {
                var now = Stopwatch.GetTimestamp();
                using var json = JsonDocument.Parse(payload);
                var playerId = json.RootElement.GetProperty("playerId").GetString()!;
                var index = int.Parse(playerId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                LatencyMs.Add(Stopwatch.GetElapsedTime(SubscribedAt[index], now).TotalMilliseconds);
                if (_leftAt.TryRemove(connectionId, out var left))
                    HandOverMs.Add(Stopwatch.GetElapsedTime(left, now).TotalMilliseconds);
                if (
                    _timesServed.AddOrUpdate(playerId, 1, (_, n) => n + 1) > 1
                    || !_holding.TryAdd(connectionId, playerId)
                )
                {
                    Interlocked.Increment(ref _doubleMatches);
                }
                _ = Task.Run(async () =>
                {
                    _holding.TryRemove(KeyValuePair.Create(connectionId, playerId));
                    _leftAt[connectionId] = Stopwatch.GetTimestamp();
                    // The session ends at once: the player leaves; a new connection of it is ready for the next round.
                    await Handler.HandleAsync(Event($"{playerId}c", RouteKeys.Disconnect), CancellationToken.None);
                    if (Interlocked.Decrement(ref _remaining) == 0)
                        AllServed.TrySetResult();
                });
            }
            return Task.FromResult(SendStatus.Sent);
        }

        public Task<ConnectionInfo?> GetConnectionAsync(
            string connectionId,
            CancellationToken cancellationToken = default
        ) =>
            Task.FromResult<ConnectionInfo?>(
                new ConnectionInfo(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "127.0.0.1", null)
            );

        public Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default) =>
            Task.FromResult(true);

        private static WebSocketEvent Event(string connectionId, string route) =>
            new()
            {
                RequestContext = new WebSocketRequestContext
                {
                    RouteKey = route,
                    EventType = EventTypes.Disconnect,
                    ConnectionId = connectionId,
                    DomainName = "127.0.0.1",
                    Stage = "bench",
                    Identity = new WebSocketIdentity { SourceIp = "127.0.0.1" },
                },
            };
    }
}
