using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.PixelStreaming.Api;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Signaling;
using MobZ.PixelStreaming.Workers;
using MobZ.Signaling.Abstractions;
using MobZ.State;
using MobZ.TestKit;

namespace MobZ.PixelStreaming.Tests.Support;

/// <summary>
/// The Pixel Streaming handlers composed by AddPixelStreaming over a real store, driven with API Gateway
/// events through a <see cref="FakeGateway"/> that answers 410 until $connect returned.
/// </summary>
public sealed class PsStack : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private int _next;

    public PsStack(
        IStateStore store,
        Action<PixelStreamingOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null
    )
    {
        Store = store;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(store);
        services.AddSingleton<IConnectionSender>(Gateway);
        services.AddMobZAccess(TestTokens.Configure);
        services.AddPixelStreaming(o =>
        {
            o.KeyPrefix = $"ps-test-{Guid.NewGuid():N}:";
            o.Api.ApiKey = "test-key";
            configure?.Invoke(o);
        });
        services.AddSingleton<IStreamingWorkerClient>(Worker);
        configureServices?.Invoke(services);
        _services = services.BuildServiceProvider();
        Handler = _services.GetRequiredService<PixelStreamingHandler>();
        Api = _services.GetRequiredService<PixelStreamingApiHandler>();
        Options = _services.GetRequiredService<PixelStreamingOptions>();
        Keys = _services.GetRequiredService<PsKeys>();
        Deferred = _services.GetRequiredService<BackgroundDeferredWork>();
    }

    public IStateStore Store { get; }
    public FakeGateway Gateway { get; } = new();
    public RecordingWorkerClient Worker { get; } = new();
    public PixelStreamingHandler Handler { get; }
    public PixelStreamingApiHandler Api { get; }
    public PixelStreamingOptions Options { get; }
    public PsKeys Keys { get; }
    public BackgroundDeferredWork Deferred { get; }

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>Runs $connect; on 2xx completes the connection the way API Gateway does (after the integration
    /// returned).</summary>
    public async Task<(int Status, string ConnectionId)> ConnectAsync(
        IReadOnlyDictionary<string, string> query,
        string sourceIp = "127.0.0.1"
    )
    {
        var id = $"c{Interlocked.Increment(ref _next)}=";
        Gateway.Create(id);
        var response = await Handler.HandleAsync(
            Event(id, RouteKeys.Connect, EventTypes.Connect, null, query, sourceIp),
            CancellationToken.None
        );
        if (response.StatusCode is >= 200 and < 300)
            Gateway.Complete(id);
        else
            Gateway.Close(id);
        return (response.StatusCode, id);
    }

    public async Task<string> ConnectPlayerAsync(
        string userId,
        string projectUrl = "https://projects.example.test/p1.uproject"
    )
    {
        var (status, id) = await ConnectAsync(
            new Dictionary<string, string>
            {
                // Minted by the stack's clock, which the validator judges it by.
                ["type"] = "player",
                ["token"] = TestTokens.Hs256(userId, now: Get<TimeProvider>().GetUtcNow().UtcDateTime),
                ["projectUrl"] = projectUrl,
            }
        );
        Assert.Equal(200, status);
        return id;
    }

    /// <summary>A streamer through the whole handshake: config, identify, endpointId, endpointIdConfirm.</summary>
    public async Task<(string ConnectionId, string StreamerId)> RegisterStreamerAsync(
        string requestedId,
        string sourceIp = "127.0.0.1"
    )
    {
        await Get<Security.StreamerAllowList>().AddAsync(sourceIp);
        var (status, id) = await ConnectAsync(new Dictionary<string, string> { ["type"] = "streamer" }, sourceIp);
        Assert.Equal(200, status);
        await NextAsync(id, "identify");
        await SendAsync(id, new JsonObject { ["type"] = "endpointId", ["id"] = requestedId });
        var confirm = await NextAsync(id, "endpointIdConfirm");
        return (id, (string)confirm["committedId"]!);
    }

    public Task SendAsync(string connectionId, JsonObject message) =>
        SendRawAsync(connectionId, message.ToJsonString());

    public Task SendRawAsync(string connectionId, string body) =>
        Handler.HandleAsync(
            Event(connectionId, RouteKeys.Default, EventTypes.Message, body, null, "127.0.0.1"),
            CancellationToken.None
        );

    public async Task DisconnectAsync(string connectionId)
    {
        Gateway.Close(connectionId);
        await Handler.HandleAsync(
            Event(connectionId, RouteKeys.Disconnect, EventTypes.Disconnect, null, null, "127.0.0.1"),
            CancellationToken.None
        );
    }

    /// <summary>Waits for the first message of <paramref name="type"/> (counting from <paramref name="skip"/> earlier
    /// ones of that type).</summary>
    public Task<JsonObject> NextAsync(string connectionId, string type, int skip = 0) =>
        Eventually.ValueAsync(
            () => Task.FromResult(Gateway[connectionId].OfType(type).Skip(skip).FirstOrDefault()),
            Wait,
            $"{connectionId} received '{type}' (got: {string.Join(",", Gateway[connectionId].Types)})"
        );

    public static WebSocketEvent Event(
        string connectionId,
        string route,
        string eventType,
        string? body,
        IReadOnlyDictionary<string, string>? query,
        string sourceIp
    ) =>
        new()
        {
            RequestContext = new WebSocketRequestContext
            {
                RouteKey = route,
                EventType = eventType,
                ConnectionId = connectionId,
                DomainName = "127.0.0.1",
                Stage = "local",
                Identity = new WebSocketIdentity { SourceIp = sourceIp },
            },
            QueryStringParameters = query,
            Body = body,
        };

    public async Task<ProxyResponse> HttpAsync(
        string method,
        string path,
        string? body = null,
        string? apiKey = "test-key"
    )
    {
        var headers = new Dictionary<string, string>();
        if (apiKey is not null)
            headers["x-api-key"] = apiKey;
        return await Api.HandleAsync(
            new HttpApiEvent
            {
                RouteKey = "$default",
                RawPath = path,
                Headers = headers,
                Body = body,
                RequestContext = new HttpApiRequestContext
                {
                    DomainName = "127.0.0.1",
                    Http = new HttpApiRequestHttp
                    {
                        Method = method,
                        Path = path,
                        SourceIp = "127.0.0.1",
                    },
                },
            },
            CancellationToken.None
        );
    }

    public static JsonElement Json(ProxyResponse response) => JsonDocument.Parse(response.Body!).RootElement;

    public async ValueTask DisposeAsync()
    {
        await Deferred.DrainAsync();
        await _services.DisposeAsync();
    }
}
