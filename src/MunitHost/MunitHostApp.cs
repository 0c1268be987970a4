using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MobZ.Access;
using MobZ.Aws.Credentials;
using MobZ.Aws.Logging;
using MobZ.Hls;
using MobZ.Hosting;
using MobZ.Munit.Control;
using MobZ.Munit.Tap;
using MobZ.MunitHost.Configuration;
using MobZ.MunitHost.Draining;
using MobZ.MunitHost.Ecs;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.ApiGateway;
using MobZ.State;

namespace MobZ.MunitHost;

/// <summary>
/// One Munit with its Regulator as a process of its own (an ECS Fargate task): WebRTC media on one UDP port,
/// registration and orders through Redis, p2m stations packaged to LL-HLS in Redis, and an HTTP port that
/// serves <c>/hls</c> (from Redis, so any task serves any stream, to holders of a playback token), <c>/healthz</c>,
/// <c>/readyz</c> and <c>/metrics</c>.
/// </summary>
public static class MunitHostApp
{
    /// <summary>Builds the host; the caller runs it and afterwards disposes the returned backend.</summary>
    public static async Task<(WebApplication App, IStateBackend Backend)> BuildAsync(
        MunitHostSettings settings,
        string[]? args = null,
        Func<string, string?>? getVariable = null,
        Action<ILoggingBuilder>? logging = null
    )
    {
        // The task is configured by its environment, which never changes while it runs: no watcher on the content
        // root for appsettings files (a thread, and inotify wake-ups whenever anything under the working directory
        // changes). Later arguments may still override it.
        var builder = WebApplication.CreateSlimBuilder(
            new WebApplicationOptions { Args = [NoConfigReload, .. args ?? []] }
        );
        builder.Logging.ClearProviders();
        (logging ?? AddCloudWatchJson)(builder.Logging);
        builder.WebHost.UseUrls($"http://{HttpHost(settings.BindAddress)}:{settings.HttpPort}");

        // Startup work (Redis, ECS discovery) logs through the same providers as the host.
        using var startupLoggers = LoggerFactory.Create(b => (logging ?? AddCloudWatchJson)(b));
        var startup = startupLoggers.CreateLogger("MobZ.MunitHost");

        string? publicIp = settings.PublicIp;
        string? munitId = settings.MunitId;
        if (settings.DiscoversPublicIp)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var address = await EcsPublicIpResolver
                .FromEnvironment(http, startupLoggers, getVariable)
                .ResolveAsync()
                .ConfigureAwait(false);
            publicIp = address.PublicIp;
            munitId ??= "munit-" + EcsPublicIpResolver.TaskId(address.TaskArn);
        }

        var backend = await StateBackend
            .CreateAsync(settings.Redis, startupLoggers, settings.RedisPrefix)
            .ConfigureAwait(false);
        startup.LogInformation(
            "Using Redis {Redis}; announcing {PublicIp} on UDP {UdpPort} and ICE-TCP {TcpPort}",
            settings.Redis,
            publicIp ?? settings.BindAddress,
            settings.UdpPort,
            settings.TcpPort switch
            {
                null => settings.UdpPort.ToString(CultureInfo.InvariantCulture),
                0 => "off",
                { } p => p.ToString(CultureInfo.InvariantCulture),
            }
        );

        var services = builder.Services;
        services.AddSingleton(backend);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.DrainTimeout + TimeSpan.FromSeconds(15));
        // LL-HLS playback needs an access token (Hls:RequirePlaybackToken, on by default) signed with the key the
        // signaling functions use: MobZ__Access__HmacSecret (or a public key) from the task's environment
        // (docs/hls.md).
        services.AddMobZAccess();
        services.AddHls();
        services.AddHlsStationTap();
        // Before the Regulator: hosted services stop in reverse order, so this task still tells the rooms about
        // the stations its own Regulator hands over while it stops.
        AddStationMoveRelay(services, settings, getVariable, startup);
        services
            .AddMunit(o =>
            {
                if (munitId is not null)
                    o.MunitId = munitId;
                o.BindAddress = settings.BindAddress;
                o.Port = settings.UdpPort;
                o.TcpPort = settings.TcpPort;
                o.PublicAddress = publicIp;
                if (settings.Capacity is { } capacity)
                    o.Capacity = capacity;
            })
            .AddRegulator(o => o.AdvertisedAddress = publicIp);
        // After the Regulator: hosted services stop in reverse order, so the drain runs before the Regulator's stop.
        services.AddHostedService(sp => new DrainOnShutdown(
            sp.GetRequiredService<MobZ.Regulator.Regulator>(),
            sp.GetRequiredService<IMunit>(),
            backend.Bus,
            settings.DrainTimeout,
            sp.GetRequiredService<ILogger<DrainOnShutdown>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System
        ));

        services.AddObservability(); // /metrics, /readyz (docs/operations.md)

        var app = builder.Build();
        app.MapHls("/hls");
        app.MapObservability(mapLive: false);
        app.MapGet("/healthz", (MobZ.Regulator.Regulator regulator, IMunit munit) =>
            Results.Json(
                new HealthReport(regulator.MunitId, regulator.Draining, munit.StationIds.Count),
                HealthJsonContext.Default.HealthReport
            )
        );
        return (app, backend);
    }

    /// <summary>
    /// Telling clients that their station moved needs a long-running process that can write to their WebSocket
    /// connections; on AWS the Munit tasks are those processes (Lambdas cannot hold a subscription). With the
    /// rooms API's @connections endpoint configured, this task relays every move it hears of (a claim in Redis
    /// makes sure one task tells each move).
    /// </summary>
    private static void AddStationMoveRelay(
        IServiceCollection services,
        MunitHostSettings settings,
        Func<string, string?>? getVariable,
        ILogger startup
    )
    {
        if (settings.ConnectionsEndpoint is not { } endpoint)
        {
            startup.LogWarning(
                "{Variable} is not set: clients of a station that moves to another Munit are not told (docs/deploy.md)",
                MunitHostSettings.ConnectionsEndpointVariable
            );
            return;
        }
        services.AddSingleton(sp => new HttpClient());
        services.AddSingleton(sp =>
            DefaultCredentialsProvider.Create(
                sp.GetRequiredService<HttpClient>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("MobZ.Aws.Credentials"),
                getVariable
            )
        );
        services.AddSingleton<IConnectionSender>(sp => new ManagementEndpointConnectionSender(
            sp.GetRequiredService<HttpClient>(),
            sp.GetRequiredService<IAwsCredentialsProvider>(),
            DefaultCredentialsProvider.RegionFromEnvironment(getVariable),
            endpoint,
            sp.GetRequiredService<ILoggerFactory>()
        ));
        services.AddSingleton(sp => sp.GetRequiredService<IStateBackend>().Store);
        services.AddSingleton(sp => sp.GetRequiredService<IStateBackend>().Bus);
        // Rooms as the signaling functions run them, minus the sweep (a scheduled function runs it).
        services.AddMobZRooms(o => o.RunSweepService = false);
        startup.LogInformation("Relaying station moves to clients through {Endpoint}", endpoint);
    }

    private const string NoConfigReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>The JSON lines every AWS process writes, with ASP.NET's request chatter left out.</summary>
    public static void AddCloudWatchJson(ILoggingBuilder logging)
    {
        logging.AddCloudWatchJsonConsole();
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    }

    private static string HttpHost(string bindAddress) =>
        bindAddress switch
        {
            "0.0.0.0" => "0.0.0.0",
            _ when bindAddress.Contains(':') => $"[{bindAddress}]",
            _ => bindAddress,
        };
}

internal sealed record HealthReport(
    [property: JsonPropertyName("munitId")] string MunitId,
    [property: JsonPropertyName("draining")] bool Draining,
    [property: JsonPropertyName("stations")] int Stations
);

[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
