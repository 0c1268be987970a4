using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MobZ.Hosting.Health;

namespace MobZ.Hosting;

public static class ObservabilityEndpointRouteBuilderExtensions
{
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// <c>/metrics</c> (Prometheus text format), <c>/healthz</c> (200 while the process runs) and <c>/readyz</c>
    /// (200 when every readiness check passes, else 503 with the failing check named). Needs
    /// <see cref="ObservabilityServiceCollectionExtensions.AddObservability"/>.
    /// </summary>
    /// <param name="mapLive">false for a host that serves a /healthz of its own (the Munit task's, with its id and
    /// load).</param>
    public static IEndpointRouteBuilder MapObservability(this IEndpointRouteBuilder endpoints, bool mapLive = true)
    {
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
        if (mapLive)
        {
            endpoints.MapHealthChecks(
                HealthEndpoints.LivePath,
                new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthEndpoints.WriteReportAsync }
            );
        }
        endpoints.MapHealthChecks(
            HealthEndpoints.ReadyPath,
            new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(HealthEndpoints.ReadyTag),
                ResponseWriter = HealthEndpoints.WriteReportAsync,
                ResultStatusCodes =
                {
                    [HealthStatus.Healthy] = StatusCodes.Status200OK,
                    [HealthStatus.Degraded] = StatusCodes.Status200OK,
                    [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
                },
            }
        );
        return endpoints;
    }
}
