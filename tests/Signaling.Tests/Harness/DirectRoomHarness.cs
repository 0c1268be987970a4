using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms;
using MobZ.State;

namespace MobZ.Signaling.Tests.Harness;

/// <summary>
/// Calls the handler the way API Gateway's Lambda integration would (one event per frame, $connect and
/// $disconnect events) and answers @connections calls in memory with API Gateway's semantics: 410 Gone
/// for connections that closed or never completed $connect.
/// </summary>
public sealed class DirectRoomHarness : RoomHarness, IConnectionSender
{
    private readonly ServiceProvider _services;
    private readonly ConcurrentDictionary<string, DirectClient> _open = new();
    private int _next;

    public DirectRoomHarness(
        IStateBackend backend,
        Action<RoomOptions>? configure,
        Action<MobZ.Access.AccessTokenOptions>? access = null
    )
        : base(backend)
    {
        var services = new ServiceCollection();
        AddRoomServices(services, configure, access);
        services.AddSingleton<IConnectionSender>(this);
        _services = services.BuildServiceProvider();
        Handler = _services.GetRequiredService<RoomsWebSocketHandler>();
    }

    public override IServiceProvider Services => _services;
    public RoomsWebSocketHandler Handler { get; }

    protected override async Task<TestClient?> ConnectCoreAsync(string? token)
    {
        string id = $"c{Interlocked.Increment(ref _next):D4}{Guid.NewGuid().ToString("N")[..8]}=";
        var client = new DirectClient(this, id);
        var connect = Event(id, RouteKeys.Connect, EventTypes.Connect, null) with
        {
            QueryStringParameters = token is null
                ? null
                : new Dictionary<string, string> { [RoomDoor.TokenParameter] = token },
        };
        var response = await Handler.HandleAsync(connect, CancellationToken.None);
        LastConnectStatus = response.StatusCode;
        LastConnectRetryAfter = response
            .Headers?.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase))
            .Value;
        if (response.StatusCode != 200)
            return null;
        _open[id] = client;
        return client;
    }

    internal Task SendFrameAsync(string id, string text) =>
        Handler.HandleAsync(Event(id, "$default", EventTypes.Message, text), CancellationToken.None);

    internal async Task CloseAsync(string id, bool notify)
    {
        if (_open.TryRemove(id, out _) && notify)
        {
            await Handler.HandleAsync(
                Event(id, RouteKeys.Disconnect, EventTypes.Disconnect, null),
                CancellationToken.None
            );
        }
    }

    public bool IsOpen(string id) => _open.ContainsKey(id);

    public ConcurrentQueue<string> Deleted { get; } = new();

    Task<SendStatus> IConnectionSender.SendAsync(
        string connectionId,
        ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken
    )
    {
        if (payload.Length > IConnectionSender.MaxPayloadBytes)
            return Task.FromResult(SendStatus.TooLarge);
        if (!_open.TryGetValue(connectionId, out var client))
            return Task.FromResult(SendStatus.Gone);
        client.Deliver(Encoding.UTF8.GetString(payload.Span));
        return Task.FromResult(SendStatus.Sent);
    }

    Task<ConnectionInfo?> IConnectionSender.GetConnectionAsync(
        string connectionId,
        CancellationToken cancellationToken
    ) =>
        Task.FromResult(
            _open.ContainsKey(connectionId)
                ? new ConnectionInfo(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "127.0.0.1", "test")
                : null
        );

    async Task<bool> IConnectionSender.DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken)
    {
        Deleted.Enqueue(connectionId);
        if (!_open.ContainsKey(connectionId))
            return false;
        // API Gateway closes the socket and then invokes $disconnect.
        await CloseAsync(connectionId, notify: true);
        return true;
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
                Stage = "local",
                RequestTimeEpoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                Identity = new WebSocketIdentity { SourceIp = "127.0.0.1" },
            },
        };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _services.DisposeAsync();
    }

    private sealed class DirectClient(DirectRoomHarness harness, string id) : TestClient
    {
        public override string ConnectionId => id;
        public override bool IsOpen => harness.IsOpen(id);

        public void Deliver(string text) => OnMessage(text);

        public override Task SendRawAsync(string text) => harness.SendFrameAsync(id, text);

        public override Task CloseAsync() => harness.CloseAsync(id, notify: true);

        public override Task AbortAsync() => harness.CloseAsync(id, notify: false);

        public override ValueTask DisposeAsync() => new(harness.CloseAsync(id, notify: false));
    }
}
