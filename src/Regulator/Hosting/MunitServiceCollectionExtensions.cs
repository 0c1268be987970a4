using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Munit;
using MobZ.Munit.Control;
using MobZ.Munit.Tap;
using MobZ.Munit.WebRtc;
using MobZ.Regulator;
using MobZ.Regulator.Hosting;
using MobZ.State;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

public static class MunitServiceCollectionExtensions
{
    /// <summary>Configuration section both methods read (keys of <see cref="MunitOptions"/> and <see cref="RegulatorOptions"/>).</summary>
    public const string Section = "MobZ:Munit";

    /// <summary>
    /// A Munit in this process: the WebRTC media on one UDP port (<see cref="MunitOptions.Port"/>, announced as
    /// <see cref="MunitOptions.PublicAddress"/> when set) and the station bookkeeping (<see cref="IMunit"/>).
    /// Register an <see cref="IStationTapFactory"/> to feed p2m stations to the HLS packager.
    /// </summary>
    public static IServiceCollection AddMunit(this IServiceCollection services, Action<MunitOptions>? configure = null)
    {
        services.TryAddSingleton(sp =>
        {
            var options = new MunitOptions();
            sp.GetService<IConfiguration>()?.GetSection(Section).Bind(options);
            configure?.Invoke(options);
            return options;
        });
        services.TryAddSingleton(sp => new WebRtcMedia(sp.GetRequiredService<MunitOptions>(), sp.GetService<IStationTapFactory>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        // A forwarder, not the instance itself: the container disposes what a factory returns, and the media has one owner.
        services.TryAddSingleton<IStationMediaFactory>(sp => new StationMediaFactoryForwarder(sp.GetRequiredService<WebRtcMedia>()));
        services.TryAddSingleton(sp => new MunitServer(sp.GetRequiredService<MunitOptions>(), sp.GetRequiredService<IStationMediaFactory>(),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IMunit>(sp => sp.GetRequiredService<MunitServer>());
        // Metrics (meter MobZ.Munit): exported by whatever exporter the host adds (docs/operations.md).
        services.AddHostedService(sp => new MunitMetricsService(sp.GetRequiredService<MunitServer>(), sp.GetRequiredService<WebRtcMedia>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(MunitMetrics.MeterName));
        return services;
    }

    /// <summary>
    /// The Regulator of the Munit added by <see cref="AddMunit"/>, as a hosted service: registers the Munit in
    /// the store (<see cref="IStateStore"/>/<see cref="IMessageBus"/>, or an <see cref="IStateBackend"/>) and takes
    /// orders from signaling. A Stop order stops the host.
    /// </summary>
    public static IServiceCollection AddRegulator(this IServiceCollection services, Action<RegulatorOptions>? configure = null)
    {
        services.TryAddSingleton(sp =>
        {
            var options = new RegulatorOptions();
            sp.GetService<IConfiguration>()?.GetSection(Section).Bind(options);
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
            return new MobZ.Regulator.Regulator(sp.GetRequiredService<IMunit>(), store, bus, munitOptions.MunitId, address, port,
                munitOptions.Capacity, options, loggers.CreateLogger<MobZ.Regulator.Regulator>(), sp.GetService<TimeProvider>());
        });
        services.AddHostedService<RegulatorHostedService>();
        // /readyz (checks tagged "ready", MobZ.Hosting): not ready until the Munit is registered (signaling cannot place stations on it before).
        services.AddHealthChecks().AddCheck<MunitRegisteredHealthCheck>("munit-registered", tags: ["ready"], timeout: TimeSpan.FromSeconds(3));
        return services;
    }
}

/// <summary>Hands out <see cref="WebRtcMedia"/> as <see cref="IStationMediaFactory"/> without a second disposable registration.</summary>
internal sealed class StationMediaFactoryForwarder(WebRtcMedia media) : IStationMediaFactory
{
    public IStationMedia Create(StationDescriptor station) => media.Create(station);
}
