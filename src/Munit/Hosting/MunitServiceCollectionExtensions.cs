using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Munit;
using MobZ.Munit.Control;
using MobZ.Munit.Hosting;
using MobZ.Munit.Tap;
using MobZ.Munit.WebRtc;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

public static class MunitServiceCollectionExtensions
{
    /// <summary>Configuration section of a Munit: the keys of <see cref="MunitOptions"/>, and of the Regulator's
    /// options (<c>AddRegulator</c>, src/Regulator), which runs beside it.</summary>
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
        services.TryAddSingleton(sp => new WebRtcMedia(
            sp.GetRequiredService<MunitOptions>(),
            sp.GetService<IStationTapFactory>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetService<TimeProvider>()
        ));
        // A forwarder, not the instance itself: the container disposes what a factory returns, and the media has one
        // owner.
        services.TryAddSingleton<IStationMediaFactory>(sp => new StationMediaFactoryForwarder(
            sp.GetRequiredService<WebRtcMedia>()
        ));
        services.TryAddSingleton(sp => new MunitServer(
            sp.GetRequiredService<MunitOptions>(),
            sp.GetRequiredService<IStationMediaFactory>(),
            sp.GetService<ILoggerFactory>()
        ));
        services.TryAddSingleton<IMunit>(sp => sp.GetRequiredService<MunitServer>());
        // Metrics (meter MobZ.Munit): exported by whatever exporter the host adds (docs/operations.md).
        services.AddHostedService(sp => new MunitMetricsService(
            sp.GetRequiredService<MunitServer>(),
            sp.GetRequiredService<WebRtcMedia>(),
            sp.GetService<IMeterFactory>()
        ));
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(MunitMetrics.MeterName));
        return services;
    }
}
