using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Hls.Serving;
using MobZ.State;
using OpenTelemetry.Metrics;

namespace MobZ.Hls;

public static class HlsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IHlsPackagerFactory"/> (for the Munit) and what <c>MapHls</c> serves with.
    /// Uses the registered <see cref="IStateStore"/> and <see cref="IMessageBus"/>, or those of the registered
    /// <see cref="IStateBackend"/>. Options come from configuration section "Hls" (when there is an
    /// <see cref="IConfiguration"/>), then <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddHls(this IServiceCollection services, Action<HlsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<HlsOptions> options = services.AddOptions<HlsOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection("Hls").Bind(o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHlsPackagerFactory>(sp => new HlsPackagerFactory(
            Store(sp), Bus(sp), Options(sp), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new HlsStreamRegistry(
            Store(sp), Bus(sp), Options(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("MobZ.Hls.Serving")));
        services.TryAddSingleton(sp => new HlsRequestHandler(
            sp.GetRequiredService<HlsStreamRegistry>(), Options(sp), sp.GetRequiredService<ILoggerFactory>().CreateLogger("MobZ.Hls.Serving")));
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(HlsMetrics.MeterName));
        return services;
    }

    private static HlsOptions Options(IServiceProvider sp)
    {
        HlsOptions options = sp.GetRequiredService<IOptions<HlsOptions>>().Value;
        options.Validate();
        return options;
    }

    private static IStateStore Store(IServiceProvider sp) =>
        sp.GetService<IStateStore>() ?? sp.GetRequiredService<IStateBackend>().Store;

    private static IMessageBus Bus(IServiceProvider sp) =>
        sp.GetService<IMessageBus>() ?? sp.GetRequiredService<IStateBackend>().Bus;
}
