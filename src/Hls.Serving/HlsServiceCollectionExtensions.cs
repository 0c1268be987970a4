using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Hls.Serving;
using MobZ.Hls.Serving.Storage;
using MobZ.State;
using OpenTelemetry.Metrics;

namespace MobZ.Hls;

public static class HlsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IHlsPackagerFactory"/> (for the Munit) and what <c>MapHls</c> serves with.
    /// Uses the registered <see cref="IStateStore"/> and <see cref="IMessageBus"/>, or those of the registered
    /// <see cref="IStateBackend"/>. Both option sets come from configuration section "Hls" (when there is an
    /// <see cref="IConfiguration"/>), then <paramref name="configure"/> (packaging) and <paramref name="serving"/>.
    /// Playback needs a token unless <see cref="HlsServingOptions.RequirePlaybackToken"/> is false; the keys come
    /// from <c>AddMobZAccess</c>.
    /// </summary>
    public static IServiceCollection AddHls(
        this IServiceCollection services,
        Action<HlsOptions>? configure = null,
        Action<HlsServingOptions>? serving = null
    )
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<HlsOptions> options = services
            .AddOptions<HlsOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection("Hls").Bind(o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        OptionsBuilder<HlsServingOptions> servingOptions = services
            .AddOptions<HlsServingOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection("Hls").Bind(o));
        if (serving is not null)
        {
            servingOptions.Configure(serving);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHlsPackagerFactory>(sp => new HlsPackagerFactory(
            Store(sp),
            Bus(sp),
            Options(sp),
            Serving(sp).KeyPrefix,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()
        ));
        services.TryAddSingleton(sp => new HlsStreamRegistry(
            Store(sp),
            Bus(sp),
            Options(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("MobZ.Hls.Serving"),
            Serving(sp).KeyPrefix
        ));
        services.TryAddSingleton(sp => new HlsRequestHandler(
            sp.GetRequiredService<HlsStreamRegistry>(),
            Options(sp),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("MobZ.Hls.Serving"),
            PlaybackGate(sp)
        ));
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(HlsMetrics.MeterName));
        return services;
    }

    private static HlsOptions Options(IServiceProvider sp)
    {
        HlsOptions options = sp.GetRequiredService<IOptions<HlsOptions>>().Value;
        options.Validate();
        return options;
    }

    private static HlsServingOptions Serving(IServiceProvider sp)
    {
        HlsServingOptions options = sp.GetRequiredService<IOptions<HlsServingOptions>>().Value;
        options.Validate();
        return options;
    }

    /// <summary>
    /// The token check of <see cref="HlsServingOptions.RequirePlaybackToken"/>, or null when playback is open. Fails at
    /// start when tokens are required and the host registered no validator, rather than serve anyone or refuse everyone
    /// silently.
    /// </summary>
    private static PlaybackTokenGate? PlaybackGate(IServiceProvider sp)
    {
        HlsServingOptions options = Serving(sp);
        ILogger logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("MobZ.Hls.Serving");
        if (!options.RequirePlaybackToken)
        {
            logger.LogWarning("LL-HLS playback is open to anyone with the URL (Hls:RequirePlaybackToken is false)");
            return null;
        }

        AccessTokenValidator validator = sp.GetService<AccessTokenValidator>()
            ?? throw new InvalidOperationException(
                "LL-HLS playback requires an access token (Hls:RequirePlaybackToken is true by default) but no access-token validator is registered: "
                    + "call services.AddMobZAccess() and configure MobZ:Access, or set Hls:RequirePlaybackToken to false"
            );
        return new PlaybackTokenGate(
            validator,
            new PlaybackTokenCache(options.PlaybackTokenCacheSize, sp.GetRequiredService<TimeProvider>()),
            logger
        );
    }

    private static IStateStore Store(IServiceProvider sp) =>
        sp.GetService<IStateStore>() ?? sp.GetRequiredService<IStateBackend>().Store;

    private static IMessageBus Bus(IServiceProvider sp) =>
        sp.GetService<IMessageBus>() ?? sp.GetRequiredService<IStateBackend>().Bus;
}
