using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Sweep;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Harness;

/// <summary>
/// Rooms on one backend, with clients connected through some transport (the handler directly, or real
/// WebSockets through the local gateway). Tests are written against this, so one scenario runs on both.
/// </summary>
public abstract class RoomHarness : IAsyncDisposable
{
    private readonly List<TestClient> _clients = [];
    private readonly List<MunitResponder> _munits = [];

    private readonly bool _ownsBackend;

    protected RoomHarness(IStateBackend backend, bool ownsBackend = true)
    {
        Backend = backend;
        _ownsBackend = ownsBackend;
    }

    public IStateBackend Backend { get; }
    public IStateStore Store => Backend.Store;
    public abstract IServiceProvider Services { get; }
    public HeartbeatSweeper Sweeper => Services.GetRequiredService<HeartbeatSweeper>();

    /// <summary>Every grant: the client may do anything in the rooms its token covers.</summary>
    public const AccessGrant AllGrants = AccessGrants.Everything;

    private int _users;

    /// <summary>Connects with an access token for <paramref name="room"/> ("*": every room) holding <paramref
    /// name="grants"/>.</summary>
    public async Task<TestClient> ConnectAsync(AccessGrant grants = AllGrants, string room = "*", string? userId = null)
    {
        var client = await ConnectWithTokenAsync(Token(grants, room, userId)).ConfigureAwait(false)
            ?? throw new InvalidOperationException("$connect refused a token the harness minted");
        return client;
    }

    /// <summary>Connects with exactly this token (or none); null when $connect refused it (see <see
    /// cref="LastConnectStatus"/>).</summary>
    public async Task<TestClient?> ConnectWithTokenAsync(string? token)
    {
        var client = await ConnectCoreAsync(token).ConfigureAwait(false);
        if (client is not null)
        {
            lock (_clients)
                _clients.Add(client);
        }

        return client;
    }

    /// <summary>The HTTP status of the last $connect (200 when admitted, 401/403 when refused).</summary>
    public int LastConnectStatus { get; protected set; }

    /// <summary>The Retry-After header of the last refused $connect, as the client saw it; null when there was
    /// none.</summary>
    public string? LastConnectRetryAfter { get; protected set; }

    /// <summary>The HS256 secret the rooms under test validate with, for tokens a test builds by hand.</summary>
    public string Secret =>
        Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AccessTokenOptions>>().Value.HmacSecret!;

    /// <summary>A token signed with the key the rooms under test validate with.</summary>
    public string Token(
        AccessGrant grants = AllGrants,
        string room = "*",
        string? userId = null,
        TimeSpan? lifetime = null
    ) =>
        Services
            .GetRequiredService<AccessTokenIssuer>()
            .Issue(
                userId ?? $"user-{Interlocked.Increment(ref _users)}",
                room,
                grants,
                lifetime ?? TimeSpan.FromHours(1)
            );

    protected abstract Task<TestClient?> ConnectCoreAsync(string? token);

    public async Task<MunitResponder> StartMunitAsync(
        string munitId,
        double load = 0,
        bool draining = false,
        bool alive = true
    )
    {
        var munit = await MunitResponder.StartAsync(Backend, munitId, load, draining, alive).ConfigureAwait(false);
        _munits.Add(munit);
        return munit;
    }

    /// <summary>The services AddMobZRooms needs, over this harness's backend.</summary>
    protected void AddRoomServices(
        IServiceCollection services,
        Action<RoomOptions>? configure,
        Action<AccessTokenOptions>? access
    )
    {
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Backend.Store);
        services.AddSingleton(Backend.Bus);
        services.AddMobZRooms(TestOptions(configure));
        services.AddWhipIngest();
        services.AddMobZAccess(o =>
        {
            o.HmacSecret ??= TestSecret;
            access?.Invoke(o);
        });
    }

    /// <summary>The direct harness's HS256 key (the gateway harness uses the local stack's own development
    /// key).</summary>
    public const string TestSecret = "rooms-test-secret-of-at-least-32-bytes!";

    public virtual async ValueTask DisposeAsync()
    {
        List<TestClient> clients;
        lock (_clients)
            clients = [.. _clients];
        foreach (var c in clients)
            await c.DisposeAsync().ConfigureAwait(false);
        foreach (var m in _munits)
            await m.DisposeAsync().ConfigureAwait(false);
        if (_ownsBackend)
            await Backend.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <param name="setup">"direct/in-process", "gateway/redis"... as <see cref="Backends.Both"/> lists them.</param>
    /// <param name="access">Changes to the access-token options (e.g. a required audience).</param>
    public static async Task<RoomHarness> CreateAsync(
        string setup,
        RedisServer redis,
        Action<RoomOptions>? configure = null,
        Action<AccessTokenOptions>? access = null
    )
    {
        if (setup.StartsWith(Backends.Gateway, StringComparison.Ordinal))
        {
            return await GatewayRoomHarness
                .StartAsync(setup[Backends.Gateway.Length..], redis, configure, access)
                .ConfigureAwait(false);
        }

        string backend = setup.StartsWith(Backends.Direct, StringComparison.Ordinal)
            ? setup[Backends.Direct.Length..]
            : setup;
        return new DirectRoomHarness(
            await Backends.CreateAsync(backend, redis).ConfigureAwait(false),
            configure,
            access
        );
    }

    /// <summary>The options AddMobZRooms gets in every harness.</summary>
    protected static Action<RoomOptions> TestOptions(Action<RoomOptions>? configure) =>
        o =>
        {
            o.RunSweepService = false; // Tests run the sweep themselves, or start the service explicitly.
            o.MediaRequestTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        };
}
