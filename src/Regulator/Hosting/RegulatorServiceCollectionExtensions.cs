using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Munit;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.Regulator;
using MobZ.Regulator.Hosting;
using MobZ.State;

namespace Microsoft.Extensions.DependencyInjection;

public static class RegulatorServiceCollectionExtensions
{
    /// <summary>
    /// The Regulator of the Munit added by <see cref="MunitServiceCollectionExtensions.AddMunit"/>, as a hosted
    /// service: registers the Munit in the store (<see cref="IStateStore"/>/<see cref="IMessageBus"/>, or an
    /// <see cref="IStateBackend"/>) and takes orders from signaling. A Stop order stops the host.
    /// </summary>
    public static IServiceCollection AddRegulator(
        this IServiceCollection services,
        Action<RegulatorOptions>? configure = null
    )
    {
        services.TryAddSingleton(sp =>
        {
            var options = new RegulatorOptions();
            sp.GetService<IConfiguration>()?.GetSection(MunitServiceCollectionExtensions.Section).Bind(options);
            configure?.Invoke(options);
            return options;
        });
        services.TryAddSingleton(sp =>
        {
            var munitOptions = sp.GetRequiredService<MunitOptions>();
            var options = sp.GetRequiredService<RegulatorOptions>();
            var store = sp.GetService<IStateStore>() ?? sp.GetRequiredService<IStateBackend>().Store;
            var bus = sp.GetService<IMessageBus>() ?? sp.GetRequiredService<IStateBackend>().Bus;
            int port = sp.GetService<WebRtcMedia>()?.Port ?? munitOptions.Port;
            string address = options.AdvertisedAddress ?? munitOptions.PublicAddress ?? munitOptions.BindAddress;
            var loggers = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            return new MobZ.Regulator.Regulator(
                sp.GetRequiredService<IMunit>(),
                store,
                bus,
                munitOptions.MunitId,
                address,
                port,
                munitOptions.Capacity,
                options,
                loggers.CreateLogger<MobZ.Regulator.Regulator>(),
                sp.GetService<TimeProvider>()
            );
        });
        services.AddHostedService<RegulatorHostedService>();
        // /readyz (checks tagged "ready", MobZ.Hosting): not ready until the Munit is registered (signaling cannot
        // place stations on it before).
        services
            .AddHealthChecks()
            .AddCheck<MunitRegisteredHealthCheck>(
                "munit-registered",
                tags: ["ready"],
                timeout: TimeSpan.FromSeconds(3)
            );
        return services;
    }
}
