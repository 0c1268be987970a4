using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms;
using MobZ.State;

namespace MobZ.Bench.Signaling;

/// <summary>
/// Cost of one room message through <see cref="RoomsWebSocketHandler"/> (parse, store round trips, fan-out
/// serialization), on each state backend. Sends go to a sink that accepts everything, so the figure is the
/// handler's own work plus the store, not a network.
/// Room: m2m with 3 publishers and 20 viewers; UpdateVideo from a viewer reaches the other 22.
/// $connect: an HS256 access token checked (keys held by the validator) and its grants recorded; every later message's
/// grant check reads them with the membership it reads anyway.
/// </summary>
[MemoryDiagnoser]
public class RoomHandlerBenchmarks
{
    private RedisProcess? _redis;
    private IStateBackend _backend = null!;
    private ServiceProvider _services = null!;
    private RoomsWebSocketHandler _handler = null!;
    private WebSocketEvent _heartbeat = null!;
    private WebSocketEvent _videoOff = null!;
    private WebSocketEvent _videoOn = null!;
    private WebSocketEvent _connect = null!;
    private bool _toggle;

    [Params("in-process", "redis")]
    public string Backend { get; set; } = "in-process";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Backend == "redis")
            _redis = RedisProcess.Start();
        _backend = await StateBackend.CreateAsync(
            _redis?.Configuration,
            NullLoggerFactory.Instance,
            $"bench:{Guid.NewGuid():N}:"
        );
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.None));
        services.AddSingleton(_backend.Store);
        services.AddSingleton(_backend.Bus);
        services.AddSingleton<IConnectionSender>(new SinkSender());
        services.AddMobZRooms(o => o.RunSweepService = false);
        services.AddMobZAccess(o => o.HmacSecret = "bench-access-secret-of-32-bytes-at-least");
        _services = services.BuildServiceProvider();
        _handler = _services.GetRequiredService<RoomsWebSocketHandler>();
        var issuer = _services.GetRequiredService<AccessTokenIssuer>();
        WebSocketEvent Connect(string id) =>
            Event(id, RouteKeys.Connect, EventTypes.Connect, null) with
            {
                QueryStringParameters = new Dictionary<string, string>
                {
                    [RoomDoor.TokenParameter] = issuer.Issue(
                        id,
                        "bench",
                        AccessGrants.Everything,
                        TimeSpan.FromHours(1)
                    ),
                },
            };
        _connect = Connect("conn-door=");

        // A registered, alive Munit so publishers get stations (its orders go unheard: nobody subscribes).
        await _backend.Store.SortedSetAddAsync(MunitKeys.Registry, "bench-munit", 0);
        await _backend.Store.SetStringAsync(MunitKeys.Alive("bench-munit"), "1");
        for (int i = 0; i < 23; i++)
        {
            string id = $"conn{i:D2}=";
            await _handler.HandleAsync(Connect(id), default);
            string role = i < 3 ? "publisher" : "viewer";
            await _handler.HandleAsync(
                Event(
                    id,
                    "Join",
                    EventTypes.Message,
                    $$"""{"action":"Join","roomId":"bench","roomKind":"m2m","role":"{{role}}"}"""
                ),
                default
            );
        }
        _heartbeat = Event("conn10=", "Heartbeat", EventTypes.Message, """{"action":"Heartbeat","requestId":"hb"}""");
        _videoOff = Event("conn10=", "UpdateVideo", EventTypes.Message, """{"action":"UpdateVideo","video":false}""");
        _videoOn = Event("conn10=", "UpdateVideo", EventTypes.Message, """{"action":"UpdateVideo","video":true}""");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _backend.DisposeAsync();
        _redis?.Dispose();
    }

    [Benchmark(Description = "$connect with an access token (HS256, keys held)")]
    public Task<ProxyResponse> ConnectWithToken() => _handler.HandleAsync(_connect, default);

    [Benchmark(Description = "Heartbeat -> HeartbeatAck")]
    public Task<ProxyResponse> Heartbeat() => _handler.HandleAsync(_heartbeat, default);

    /// <summary>Alternates the flag so every call really writes and broadcasts to 22 members.</summary>
    [Benchmark(Description = "UpdateVideo -> broadcast to 22")]
    public Task<ProxyResponse> UpdateVideoBroadcast()
    {
        _toggle = !_toggle;
        return _handler.HandleAsync(_toggle ? _videoOff : _videoOn, default);
    }

    private static WebSocketEvent Event(string connectionId, string routeKey, string eventType, string? body) =>
        new()
        {
            Body = body,
            RequestContext = new WebSocketRequestContext
            {
                RouteKey = routeKey,
                EventType = eventType,
                ConnectionId = connectionId,
                DomainName = "127.0.0.1",
                Stage = "bench",
                Identity = new WebSocketIdentity { SourceIp = "127.0.0.1" },
            },
        };

    private sealed class SinkSender : IConnectionSender
    {
        private static readonly Task<SendStatus> Sent = Task.FromResult(SendStatus.Sent);

        public Task<SendStatus> SendAsync(
            string connectionId,
            ReadOnlyMemory<byte> payload,
            CancellationToken cancellationToken = default
        ) => Sent;

        public Task<ConnectionInfo?> GetConnectionAsync(
            string connectionId,
            CancellationToken cancellationToken = default
        ) => Task.FromResult<ConnectionInfo?>(null);

        public Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default) =>
            Task.FromResult(true);
    }
}
