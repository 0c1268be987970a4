using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MobZ.Aws.Logging;
using MobZ.Hls;
using MobZ.Munit.Control;
using MobZ.Munit.Tap;
using MobZ.MunitHost.Configuration;
using MobZ.MunitHost.Draining;
using MobZ.MunitHost.Ecs;
using MobZ.State;

namespace MobZ.MunitHost;

/// <summary>
/// One Munit with its Regulator as a process of its own (an ECS Fargate task): WebRTC media on one UDP port,
/// registration and orders through Redis, p2m stations packaged to LL-HLS in Redis, and an HTTP port that
/// serves <c>/hls</c> (from Redis, so any task serves any stream) and <c>/healthz</c>.
/// </summary>
public static class MunitHostApp
{
    /// <summary>Builds the host; the caller runs it and afterwards disposes the returned backend.</summary>
    public static async Task<(WebApplication App, IStateBackend Backend)> BuildAsync(
        MunitHostSettings settings, string[]? args = null, Func<string, string?>? getVariable = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args ?? [] });
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
            var address = await EcsPublicIpResolver.FromEnvironment(http, startupLoggers, getVariable).ResolveAsync().ConfigureAwait(false);
            publicIp = address.PublicIp;
            munitId ??= "munit-" + EcsPublicIpResolver.TaskId(address.TaskArn);
        }

        var backend = await StateBackend.CreateAsync(settings.Redis, startupLoggers, settings.RedisPrefix).ConfigureAwait(false);
        startup.LogInformation("Using Redis {Redis}; announcing {PublicIp} on UDP {UdpPort}", settings.Redis, publicIp ?? settings.BindAddress, settings.UdpPort);

        var services = builder.Services;
        services.AddSingleton(backend);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.DrainTimeout + TimeSpan.FromSeconds(15));
        services.AddHls();
        services.AddHlsStationTap();
        services.AddMunit(o =>
        {
            if (munitId is not null) o.MunitId = munitId;
            o.BindAddress = settings.BindAddress;
            o.Port = settings.UdpPort;
            o.PublicAddress = publicIp;
            if (settings.Capacity is { } capacity) o.Capacity = capacity;
        }).AddRegulator(o => o.AdvertisedAddress = publicIp);
        // After the Regulator: hosted services stop in reverse order, so the drain runs before the Regulator's stop.
        services.AddHostedService(sp => new DrainOnShutdown(sp.GetRequiredService<MobZ.Regulator.Regulator>(), sp.GetRequiredService<IMunit>(),
            backend.Bus, settings.DrainTimeout, sp.GetRequiredService<ILogger<DrainOnShutdown>>()));

        var app = builder.Build();
        app.MapHls("/hls");
        app.MapGet("/healthz", (MobZ.Regulator.Regulator regulator, IMunit munit) =>
            Results.Json(new HealthReport(regulator.MunitId, regulator.Draining, munit.StationIds.Count), HealthJsonContext.Default.HealthReport));
        return (app, backend);
    }

    /// <summary>The JSON lines every AWS process writes, with ASP.NET's request chatter left out.</summary>
    public static void AddCloudWatchJson(ILoggingBuilder logging)
    {
        logging.AddCloudWatchJsonConsole();
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    }

    private static string HttpHost(string bindAddress) => bindAddress switch
    {
        "0.0.0.0" => "0.0.0.0",
        _ when bindAddress.Contains(':') => $"[{bindAddress}]",
        _ => bindAddress,
    };
}

internal sealed record HealthReport(
    [property: JsonPropertyName("munitId")] string MunitId,
    [property: JsonPropertyName("draining")] bool Draining,
    [property: JsonPropertyName("stations")] int Stations);

[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
