using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Abstractions.Turn;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Actions;
using MobZ.Signaling.Rooms.Delivery;
using MobZ.Signaling.Rooms.Media;
using MobZ.Signaling.Rooms.Moves;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Rooms.Sweep;
using OpenTelemetry.Metrics;

// In the DI namespace, as AddX extensions are, so a host needs no using for its one line.
namespace Microsoft.Extensions.DependencyInjection;

public static class RoomsServiceCollectionExtensions
{
    public const string DefaultPath = "/ws";

    /// <summary>
    /// Key of the rooms WebSocket API's <see cref="IConnectionSender"/> in a process that serves several APIs: the
    /// AWS "http" function answers the admin API (which kicks and closes rooms) beside Pixel Streaming's REST API,
    /// and its unkeyed sender reaches Pixel Streaming's sockets. Rooms services send through the keyed sender when
    /// the host registered one, through the unkeyed one otherwise.
    /// </summary>
    public const string ConnectionsKey = "MobZ.Rooms";

    /// <summary>
    /// MobZ rooms (p2p, m2m, p2m): the WebSocket handler, its heartbeat sweep (a hosted service, unless
    /// <see cref="RoomOptions.RunSweepService"/> is false), the relay that tells rooms of station moves (unless
    /// <see cref="RoomOptions.RunMoveRelay"/> is false) and the local-gateway mount at <paramref name="path"/>
    /// with route selection on "action". Needs IStateStore, IMessageBus and IConnectionSender from the host.
    /// Options bind from configuration section "MobZ:Rooms", then <paramref name="configure"/> runs.
    /// </summary>
    public static IServiceCollection AddMobZRooms(
        this IServiceCollection services,
        Action<RoomOptions>? configure = null,
        string path = DefaultPath
    )
    {
        var options = services.AddOptions<RoomOptions>();
        // Bind when the host has configuration (a Lambda built from a bare ServiceCollection may not).
        services.AddSingleton<IConfigureOptions<RoomOptions>>(sp => new ConfigureNamedOptions<RoomOptions>(
            Microsoft.Extensions.Options.Options.DefaultName,
            o => sp.GetService<IConfiguration>()?.GetSection(RoomOptions.SectionName).Bind(o)
        ));
        if (configure is not null)
            options.Configure(configure);
        // Fail closed at start: a TURN URL without the secret would hand out credentials no server accepts.
        options
            .Validate(
                o => o.Turn.IsComplete,
                "MobZ:Rooms:Turn:SharedSecret is required when MobZ:Rooms:Turn:Urls is set"
            )
            .ValidateOnStart();
        options
            .Validate(o => o.PlaybackTokenLifetime > TimeSpan.Zero, "MobZ:Rooms:PlaybackTokenLifetime must be positive")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RoomRepository>();
        services.TryAddSingleton<TurnCredentials>();
        services.TryAddSingleton<MunitClient>();
        // Tokened playback URLs when the host registered AddMobZAccess with an HS256 key; plain ones otherwise.
        services.TryAddSingleton(sp => new PlaybackUrls(
            sp.GetRequiredService<IOptions<RoomOptions>>(),
            sp.GetService<MobZ.Access.AccessTokenIssuer>()
        ));
        services.TryAddSingleton(sp => new RoomSender(
            RoomsConnections(sp),
            sp.GetRequiredService<IOptions<RoomOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RoomSender>>()
        ));
        services.TryAddSingleton<RoomSignals>();
        services.TryAddSingleton<RoomsWebSocketHandler>();
        services.TryAddSingleton<RoomDoor>();
        services.AddMobZAccess();
        services.TryAddSingleton<MobZ.Signaling.Rooms.Admin.RoomsAdmin>();
        services.TryAddSingleton(sp => new RoomsMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(RoomsMetrics.MeterName));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<HeartbeatSweeper>(sp, RoomsConnections(sp)));
        services.AddHostedService<HeartbeatSweepService>();
        services.AddHostedService<StationMoveRelay>();
        services.AddSingleton(
            new WebSocketApiRegistration(path, "$request.body.action", sp =>
                sp.GetRequiredService<RoomsWebSocketHandler>()
            )
            {
                ApiId = "mobz-rooms",
                Routes = RoomActions.ClientRoutes,
            }
        );
        return services;
    }

    private static IConnectionSender RoomsConnections(IServiceProvider sp) =>
        sp.GetKeyedService<IConnectionSender>(ConnectionsKey) ?? sp.GetRequiredService<IConnectionSender>();
}
