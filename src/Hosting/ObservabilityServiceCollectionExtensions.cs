using Microsoft.Extensions.DependencyInjection;
using MobZ.Hosting.Health;
using OpenTelemetry.Metrics;

namespace MobZ.Hosting;

/// <summary>
/// The one line a host adds for metrics and health: an OpenTelemetry meter provider with the Prometheus
/// exporter, .NET runtime and process instruments, the state layer's meter (<c>MobZ.State</c>), plus the meters
/// the capabilities registered themselves (each capability's <c>Add…</c> method names its meter), and the
/// state-backend readiness check.
/// <see cref="ObservabilityEndpointRouteBuilderExtensions.MapObservability"/> serves them.
/// </summary>
public static class ObservabilityServiceCollectionExtensions
{
    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services
            .AddOpenTelemetry()
            .WithMetrics(metrics =>
                metrics
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddAspNetCoreInstrumentation()
                    // Every host has a state backend: its script (re)loads are worth watching on all of them.
                    .AddMeter(MobZ.State.StateMetrics.MeterName)
                    .AddPrometheusExporter()
            );
        services
            .AddHealthChecks()
            .AddCheck<StateBackendHealthCheck>(
                "state-backend",
                tags: [HealthEndpoints.ReadyTag],
                timeout: HealthEndpoints.CheckTimeout
            );
        return services;
    }
}
