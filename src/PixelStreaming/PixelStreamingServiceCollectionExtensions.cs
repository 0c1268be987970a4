using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.PixelStreaming.Api;
using MobZ.PixelStreaming.Instances;
using MobZ.PixelStreaming.Instances.Ecs;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Security;
using MobZ.PixelStreaming.Signaling;
using MobZ.PixelStreaming.Workers;
using MobZ.Signaling.Abstractions.Turn;
using MobZ.State;
using OpenTelemetry.Metrics;

namespace MobZ.PixelStreaming;

public static class PixelStreamingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Pixel Streaming signalling handler (<see cref="PixelStreamingHandler"/>, mount it at /ps),
    /// the REST handler (<see cref="PixelStreamingApiHandler"/>, mount it at /api and /docs) and what they need.
    /// The host provides <see cref="IStateStore"/> (or <see cref="IStateBackend"/>) and <c>IConnectionSender</c>.
    /// Options come from the "PixelStreaming" configuration section, then environment variables, then <paramref
    /// name="configure"/>. Player tokens are checked by the host's access-token validator (<see
    /// cref="AccessServiceCollectionExtensions.AddMobZAccess"/>, section "MobZ:Access"); the PS_TOKEN_* variables are
    /// deprecated aliases of its settings.
    /// </summary>
    public static IServiceCollection AddPixelStreaming(
        this IServiceCollection services,
        Action<PixelStreamingOptions>? configure = null
    )
    {
        services.AddMobZAccess();
        services
            .AddOptions<AccessTokenOptions>()
            .PostConfigure<IServiceProvider>(
                (access, sp) =>
                {
                    var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("MobZ.PixelStreaming");
                    foreach (var variable in PlayerTokenAliases.Apply(access, Environment.GetEnvironmentVariable))
                    {
                        logger?.LogWarning(
                            "{Variable} is deprecated: set the same value in MobZ:Access (docs/securing-rooms.md)",
                            variable
                        );
                    }
                }
            );
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetService<IConfiguration>();
            // Player-token settings moved to MobZ:Access; a deployment still setting the old ones is told, not silently
            // locked out.
            if (configuration?.GetSection(PixelStreamingOptions.SectionName + ":Tokens").Exists() == true)
            {
                throw new InvalidOperationException(
                    "PixelStreaming:Tokens:* moved to MobZ:Access:* (HmacSecret, PublicKeyPem, Issuer, Audience); see docs/securing-rooms.md"
                );
            }

            var options = new PixelStreamingOptions();
            configuration?.GetSection(PixelStreamingOptions.SectionName).Bind(options);
            ApplyEnvironment(options);
            configure?.Invoke(options);
            // A broken value fails when the options are built (host startup), not on every connection.
            Greeting.ParsePeerConnectionOptions(options.PeerConnectionOptions);
            if (!options.Turn.IsComplete)
            {
                throw new InvalidOperationException(
                    "PixelStreaming:Turn:SharedSecret (PS_TURN_SECRET) is required when PixelStreaming:Turn:Urls (PS_TURN_URLS) is set"
                );
            }

            LogWhatIsRefused(options, sp.GetService<ILoggerFactory>()?.CreateLogger("MobZ.PixelStreaming"));
            return options;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TurnCredentials>();
        services.TryAddSingleton<IStateStore>(sp => sp.GetRequiredService<IStateBackend>().Store);
        services.TryAddSingleton(sp => new PsKeys(sp.GetRequiredService<PixelStreamingOptions>().KeyPrefix));
        services.TryAddSingleton<Matchmaker>();
        services.TryAddSingleton<PsOverview>();
        services.TryAddSingleton<Greeting>();
        services.TryAddSingleton<PlayerTokenValidator>();
        services.TryAddSingleton<StreamerAllowList>();
        services.TryAddSingleton<InstanceRegistry>();
        services.TryAddSingleton<WorkerLocator>();
        services.TryAddSingleton<QueueStatus>();
        services.TryAddSingleton<Sessions>();
        services.TryAddSingleton<InstanceService>();
        services.TryAddSingleton<BackgroundDeferredWork>();
        services.TryAddSingleton<IDeferredWork>(sp => sp.GetRequiredService<BackgroundDeferredWork>());
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundDeferredWork>());
        services.AddHttpClient<IStreamingWorkerClient, HttpStreamingWorkerClient>();
        services.TryAddSingleton<PixelStreamingHandler>();
        services.TryAddSingleton<PixelStreamingApiHandler>();

        // Providers are keyed by the name PixelStreaming:InstanceProvider gives; a host adds its own the same way.
        services.TryAddKeyedSingleton<IInstanceProvider>(EcsInstanceProvider.ProviderName, (sp, _) =>
            EcsInstanceProvider.Create(sp)
        );
        services.TryAddSingleton<IInstanceProvider>(sp =>
            sp.GetRequiredService<PixelStreamingOptions>().InstanceProvider is { } name
                ? sp.GetKeyedService<IInstanceProvider>(name.ToLowerInvariant())
                    ?? throw new InvalidOperationException(
                        $"unknown Pixel Streaming instance provider '{name}' (PixelStreaming:InstanceProvider: ecs, or a name this host registers)"
                    )
                : new NoInstanceProvider()
        );
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(PsMetrics.MeterName));
        return services;
    }

    private static void ApplyEnvironment(PixelStreamingOptions options)
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        if (Env("DISABLE_IP_WHITELIST") is { } disable)
            options.DisableIpAllowList = disable.Equals("true", StringComparison.OrdinalIgnoreCase) || disable == "1";
        if (Env("PS_API_KEY") is { } key)
            options.Api.ApiKey = key;
        if (Env("PS_API_KEY_HEADER") is { } header)
            options.Api.ApiKeyHeader = header;
        if (Env("PS_INSTANCE_PROVIDER") is { } provider)
            options.InstanceProvider = provider;
        if (Env("PS_TURN_URLS") is { } turnUrls)
        {
            options.Turn.Urls =
            [
                .. turnUrls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ];
        }

        if (Env("PS_TURN_SECRET") is { } turnSecret)
            options.Turn.SharedSecret = turnSecret;
        if (Env("PS_PEER_CONNECTION_OPTIONS") is { } peer)
            options.PeerConnectionOptions = peer;
    }

    /// <summary>Fail-closed defaults are said once at start, so an operator sees why the API answers 401 or
    /// 503.</summary>
    private static void LogWhatIsRefused(PixelStreamingOptions options, ILogger? logger)
    {
        if (string.IsNullOrEmpty(options.Api.ApiKey))
        {
            logger?.LogWarning(
                "Pixel Streaming REST API: no API key is configured (PixelStreaming:Api:ApiKey, PS_API_KEY), so every /api call is refused"
            );
        }

        if (options.InstanceProvider is null)
        {
            logger?.LogWarning(
                "Pixel Streaming: no instance provider is configured (PixelStreaming:InstanceProvider, PS_INSTANCE_PROVIDER), so POST /api/instances answers 503; streamers may still connect by themselves"
            );
        }
    }
}
