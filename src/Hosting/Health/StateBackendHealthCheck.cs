using Microsoft.Extensions.Diagnostics.HealthChecks;
using MobZ.State;

namespace MobZ.Hosting.Health;

/// <summary>
/// Readiness: the state backend answers a read. With Redis down or frozen, handlers cannot serve anyone, so
/// the process is live but not ready (a load balancer sends nobody; ECS does not replace it for that alone).
/// </summary>
internal sealed class StateBackendHealthCheck(IStateBackend backend) : IHealthCheck
{
    private const string ProbeKey = "mobz:readiness-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    )
    {
        try
        {
            await backend.Store.ExistsAsync(ProbeKey).WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{backend.Name} answers");
        }
        catch (StateUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy($"{backend.Name} is unreachable: {ex.Message}");
        }
    }
}
